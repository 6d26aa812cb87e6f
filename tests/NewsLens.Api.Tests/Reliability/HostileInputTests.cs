using System.Net;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace NewsLens.Api.Tests.Reliability;

/// <summary>
/// Hundreds of bad requests across every endpoint: each must be a 4xx application/problem+json answer,
/// never a 5xx, and the database must be byte-for-byte what it was before (a digest of every table).
/// </summary>
public class HostileInputTests(NewsLensFactory factory, ITestOutputHelper output) : ApiTests(factory)
{
    private sealed record Case(string Name, HttpMethod Method, string Url, byte[]? Body = null, string? ContentType = "application/json", bool Anonymous = false, string? IfMatch = null);

    [Fact]
    public async Task EveryHostileRequestIsA4xxProblemAndChangesNothing()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);
        await Api.LinkAsync(story, article);
        var ids = (Outlet: (long)outlet["id"]!, Story: (long)story["id"]!, Article: (long)article["id"]!, Domain: (string)outlet["domain"]!, ArticleUrl: (string)article["url"]!);
        var cases = Corpus(ids).ToList();
        var before = await DigestAsync();

        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var anonymous = Factory.CreateAnonymousClient();
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(c.Method, c.Url);
            if (c.IfMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", c.IfMatch);
            }
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(c.Body);
                if (c.ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
                }
            }

            using var response = await (c.Anonymous ? anonymous : Client).SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var type = response.Content.Headers.ContentType?.MediaType;
            if (status is < 400 or >= 500 || type != "application/problem+json")
            {
                failures.Add($"{c.Name}: {c.Method} {(c.Url.Length > 80 ? c.Url[..80] + "…" : c.Url)} → {status} {type}");
            }

            // Outside Development no problem may show a stack trace, SQL, a type name or a file path.
            var body = await response.Content.ReadAsStringAsync();
            foreach (var leak in new[] { "   at ", ".cs:line", "SQLite", "SELECT ", "INSERT ", "System.", "Microsoft.", "NewsLens.Api", "/tmp/", "/work/", Factory.DatabaseLocation })
            {
                if (body.Contains(leak, StringComparison.Ordinal))
                {
                    failures.Add($"{c.Name}: the problem reveals '{leak}': {body[..Math.Min(body.Length, 200)]}");
                }
            }
        }

        output.WriteLine($"{cases.Count} hostile requests: " + string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(cases.Count >= 300, $"only {cases.Count} cases");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await DigestAsync());
    }

    private static IEnumerable<Case> Corpus((long Outlet, long Story, long Article, string Domain, string ArticleUrl) ids)
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        var bodyEndpoints = new (HttpMethod Method, string Url)[]
        {
            (HttpMethod.Post, "/v1/outlets"),
            (HttpMethod.Put, $"/v1/outlets/{ids.Outlet}"),
            (HttpMethod.Post, "/v1/stories"),
            (HttpMethod.Put, $"/v1/stories/{ids.Story}"),
            (HttpMethod.Post, "/v1/articles"),
            (HttpMethod.Post, "/v1/outlets/import"),
            (HttpMethod.Post, "/v1/articles/import"),
        };

        // Malformed, truncated, wrongly typed or hostile documents: bad for every body endpoint.
        var malformed = new Dictionary<string, byte[]>
        {
            ["empty"] = [],
            ["open brace"] = Utf8("{"),
            ["truncated member"] = Utf8("{\"name\":"),
            ["truncated string"] = Utf8("{\"name\":\"abc"),
            ["trailing comma"] = Utf8("{\"name\":\"x\",}"),
            ["single quotes"] = Utf8("{'name':'x'}"),
            ["bare word"] = Utf8("hello"),
            ["number"] = Utf8("42"),
            ["string"] = Utf8("\"x\""),
            ["true"] = Utf8("true"),
            ["null"] = Utf8("null"),
            ["comment"] = Utf8("/* x */ {\"name\":\"x\"}"),
            ["two documents"] = Utf8("{\"name\":\"x\"} {\"name\":\"y\"}"),
            ["invalid utf-8"] = [.. Utf8("{\"name\":\""), 0xFF, 0xFE, 0xC3, .. Utf8("\",\"title\":\""), 0xC3, 0x28, .. Utf8("\",\"domain\":\""), 0xED, 0xA0, 0x80, .. Utf8(".example\"}")],
            ["lone surrogate escape"] = Utf8("{\"name\":\"\\uD800\",\"title\":\"\\uD800\",\"domain\":\"a.example\"}"),
            ["nul escape"] = Utf8("{\"name\":\"a\\u0000b\",\"title\":\"a\\u0000b\",\"domain\":\"a.example\"}"),
            ["deep nesting"] = Utf8(new string('[', 5000) + new string(']', 5000)),
            ["deep nesting in member"] = Utf8("{\"name\":" + new string('[', 2000) + new string(']', 2000) + "}"),
            ["huge number"] = Utf8("{\"name\":1e400}"),
            ["object where array"] = Utf8("{\"0\":{\"name\":\"x\"}}"),
        };
        foreach (var (method, url) in bodyEndpoints)
        {
            foreach (var (name, body) in malformed)
            {
                // An empty body is a valid empty import for nobody: imports need rows, others need an object.
                yield return new Case($"{name} body", method, url, body);
            }
        }

        foreach (var (method, url) in bodyEndpoints)
        {
            foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json-patch+json" })
            {
                yield return new Case($"content type {type}", method, url, Utf8("{\"name\":\"x\",\"domain\":\"ct.example\",\"title\":\"x\"}"), type);
            }

            yield return new Case("no content type", method, url, Utf8("{\"name\":\"x\",\"domain\":\"ct2.example\",\"title\":\"x\"}"), null);
            yield return new Case("10 MB string", method, url, Utf8("{\"name\":\"" + new string('x', 10 * 1024 * 1024) + "\"}"));
            yield return new Case("no API key", method, url, Utf8("{\"name\":\"x\",\"domain\":\"anon.example\",\"title\":\"x\"}"), Anonymous: true);
        }

        // Outlet fields: each body is well-formed JSON with one bad field.
        var outletBodies = new[]
        {
            "{\"domain\":\"nm.example\"}", "{\"name\":null,\"domain\":\"nm.example\"}", "{\"name\":\"\",\"domain\":\"nm.example\"}",
            "{\"name\":\"   \",\"domain\":\"nm.example\"}", "{\"name\":\"\\u200B\\u200B\",\"domain\":\"nm.example\"}", "{\"name\":\"a\\u001Bb\",\"domain\":\"nm.example\"}",
            "{\"name\":\"a\\nb\",\"domain\":\"nm.example\"}", "{\"name\":123,\"domain\":\"nm.example\"}", "{\"name\":[\"x\"],\"domain\":\"nm.example\"}",
            $"{{\"name\":\"{new string('n', 201)}\",\"domain\":\"nm.example\"}}",
            "{\"name\":\"x\"}", "{\"name\":\"x\",\"domain\":null}", "{\"name\":\"x\",\"domain\":\"\"}", "{\"name\":\"x\",\"domain\":\"localhost\"}",
            "{\"name\":\"x\",\"domain\":\"127.0.0.1\"}", "{\"name\":\"x\",\"domain\":\"[::1]\"}", "{\"name\":\"x\",\"domain\":\"exa mple.com\"}",
            "{\"name\":\"x\",\"domain\":\"ex\\u0430mple.com\"}", "{\"name\":\"x\",\"domain\":\"p\\u0430ypal.com\"}", "{\"name\":\"x\",\"domain\":\"exa\\u200Bmple.com\"}",
            "{\"name\":\"x\",\"domain\":\"x.com'; DROP TABLE outlets;--\"}", "{\"name\":\"x\",\"domain\":\"javascript:alert(1)\"}",
            "{\"name\":\"x\",\"domain\":\"ftp://files.example\"}", "{\"name\":\"x\",\"domain\":\"https://user:pw@creds.example/\"}",
            $"{{\"name\":\"x\",\"domain\":\"{new string('a', 64)}.example\"}}", "{\"name\":\"x\",\"domain\":\"../../etc/passwd\"}",
            "{\"name\":\"x\",\"domain\":\"enum1.example\",\"bias\":\"leftish\"}", "{\"name\":\"x\",\"domain\":\"enum2.example\",\"bias\":\"LEFT\"}",
            "{\"name\":\"x\",\"domain\":\"enum3.example\",\"bias\":3}", "{\"name\":\"x\",\"domain\":\"enum4.example\",\"factuality\":\"true\"}",
            "{\"name\":\"x\",\"domain\":\"enum5.example\",\"ownership\":\"' OR 1=1 --\"}", "{\"name\":\"x\",\"domain\":\"c1.example\",\"country\":\"UK\"}",
            "{\"name\":\"x\",\"domain\":\"c2.example\",\"country\":\"usa\"}", "{\"name\":\"x\",\"domain\":\"c3.example\",\"country\":12}",
            $"{{\"name\":\"dup\",\"domain\":\"{ids.Domain}\"}}",
        };
        foreach (var body in outletBodies)
        {
            yield return new Case($"outlet {body}", HttpMethod.Post, "/v1/outlets", Utf8(body));
            if (!body.Contains(ids.Domain, StringComparison.Ordinal))
            {
                yield return new Case($"outlet put {body}", HttpMethod.Put, $"/v1/outlets/{ids.Outlet}", Utf8(body));
            }
        }

        var storyBodies = new[]
        {
            "{}", "{\"title\":null}", "{\"title\":\"\"}", "{\"title\":\"\\u200B\"}", "{\"title\":\"a\\u0007b\"}", "{\"title\":\"a\\nb\"}",
            "{\"title\":42}", $"{{\"title\":\"{new string('t', 501)}\"}}", $"{{\"title\":\"x\",\"summary\":\"{new string('s', 5001)}\"}}",
            "{\"title\":\"x\",\"summary\":\"a\\u0000b\"}", "{\"title\":\"x\",\"summary\":{}}",
        };
        foreach (var body in storyBodies)
        {
            yield return new Case($"story {body}", HttpMethod.Post, "/v1/stories", Utf8(body));
            yield return new Case($"story put {body}", HttpMethod.Put, $"/v1/stories/{ids.Story}", Utf8(body));
        }

        var articleBodies = new[]
        {
            "{\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            $"{{\"url\":\"https://{ids.Domain}/a1\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a2\",\"title\":\"t\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a3\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a4\",\"title\":\"t\",\"publishedAt\":\"2025-13-45T99:99:99Z\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a5\",\"title\":\"t\",\"publishedAt\":\"0001-01-01T00:00:00Z\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a6\",\"title\":\"t\",\"publishedAt\":\"9999-12-31T23:59:59Z\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a7\",\"title\":\"t\",\"publishedAt\":\"+275760-09-13T00:00:00Z\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a8\",\"title\":\"t\",\"publishedAt\":1735689600}}",
            $"{{\"url\":\"https://{ids.Domain}/a9\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\",\"outletId\":99999999999999999999}}",
            $"{{\"url\":\"https://{ids.Domain}/a10\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\",\"outletId\":-5}}",
            $"{{\"url\":\"https://{ids.Domain}/a11\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\",\"outletId\":\"{ids.Outlet}\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a12\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\",\"outletId\":1.5}}",
            $"{{\"url\":\"https://{ids.Domain}/a13\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\",\"outletId\":987654321}}",
            "{\"url\":\"https://nobody-registered.example/x\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            "{\"url\":\"javascript:alert(1)\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            "{\"url\":\"file:///etc/passwd\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            "{\"url\":\"https://127.0.0.1/x\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            "{\"url\":\"https://ex\\u0430mple.com/x\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            "{\"url\":\"/relative\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}",
            $"{{\"url\":\"https://{ids.Domain}/{new string('p', 2100)}\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}}",
            $"{{\"url\":\"https://{ids.Domain}/a14\",\"title\":\"\\u200D\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}}",
            $"{{\"url\":\"{ids.ArticleUrl}#again\",\"title\":\"t\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}}",
        };
        foreach (var body in articleBodies)
        {
            yield return new Case($"article {body}", HttpMethod.Post, "/v1/articles", Utf8(body));
        }

        // Import bodies with one bad row among good ones: all refused.
        yield return new Case("outlet import bad row", HttpMethod.Post, "/v1/outlets/import",
            Utf8("name,domain,bias\nGood,good-import.example,left\nBad,bad-import.example,pro-science\n"), "text/csv");
        yield return new Case("outlet import injection", HttpMethod.Post, "/v1/outlets/import",
            Utf8("name,domain\n\"Robert'); DROP TABLE outlets;--\",\"x'; DELETE FROM outlets;--\"\n"), "text/csv");
        yield return new Case("outlet import no header", HttpMethod.Post, "/v1/outlets/import", Utf8(""), "text/csv");
        yield return new Case("outlet import header only", HttpMethod.Post, "/v1/outlets/import", Utf8("name,domain\n"), "text/csv");
        yield return new Case("outlet import empty array", HttpMethod.Post, "/v1/outlets/import", Utf8("[]"));
        yield return new Case("article import empty ndjson", HttpMethod.Post, "/v1/articles/import", Utf8("\n\n"), "application/x-ndjson");
        yield return new Case("article import bad row", HttpMethod.Post, "/v1/articles/import",
            Utf8($"{{\"url\":\"https://{ids.Domain}/imp-ok\",\"title\":\"ok\",\"publishedAt\":\"2025-01-01T00:00:00Z\"}}\n{{\"url\":\"nope\"}}\n"), "application/x-ndjson");
        yield return new Case("article import unknown story", HttpMethod.Post, "/v1/articles/import",
            Utf8($"[{{\"url\":\"https://{ids.Domain}/imp-story\",\"title\":\"ok\",\"publishedAt\":\"2025-01-01T00:00:00Z\",\"storyIds\":[987654321]}}]"));
        yield return new Case("import dryRun not boolean", HttpMethod.Post, "/v1/outlets/import?dryRun=yes", Utf8("name,domain\nA,dry-a.example\n"), "text/csv");

        // Paths: ids that are not ids, or not there. (A NUL in the path never reaches the app: Kestrel refuses the request line.)
        var badIds = new[] { "abc", "1.5", "-1", "0", "99999999999999999999", "1%3BDROP%20TABLE%20outlets", "..%2F..%2Fetc%2Fpasswd", "1e3", "0x10", "987654321" };
        foreach (var id in badIds)
        {
            yield return new Case($"get outlet {id}", HttpMethod.Get, $"/v1/outlets/{id}");
            yield return new Case($"get story {id}", HttpMethod.Get, $"/v1/stories/{id}");
            yield return new Case($"get article {id}", HttpMethod.Get, $"/v1/articles/{id}");
            yield return new Case($"coverage {id}", HttpMethod.Get, $"/v1/stories/{id}/coverage");
            yield return new Case($"story articles {id}", HttpMethod.Get, $"/v1/stories/{id}/articles");
            yield return new Case($"delete outlet {id}", HttpMethod.Delete, $"/v1/outlets/{id}");
            yield return new Case($"delete story {id}", HttpMethod.Delete, $"/v1/stories/{id}");
            yield return new Case($"delete article {id}", HttpMethod.Delete, $"/v1/articles/{id}");
            yield return new Case($"link story {id}", HttpMethod.Put, $"/v1/stories/{id}/articles/{ids.Article}");
            yield return new Case($"link article {id}", HttpMethod.Put, $"/v1/stories/{ids.Story}/articles/{id}");
            yield return new Case($"unlink {id}", HttpMethod.Delete, $"/v1/stories/{ids.Story}/articles/{id}");
        }

        yield return new Case("path traversal", HttpMethod.Get, "/v1/../../etc/passwd");
        yield return new Case("path traversal encoded", HttpMethod.Get, "/v1/outlets/%2e%2e/%2e%2e/etc/passwd");
        yield return new Case("delete outlet with articles", HttpMethod.Delete, $"/v1/outlets/{ids.Outlet}");
        yield return new Case("stale If-Match on delete", HttpMethod.Delete, $"/v1/stories/{ids.Story}", IfMatch: $"\"s{ids.Story}v999\"");
        yield return new Case("weak If-Match on put", HttpMethod.Put, $"/v1/outlets/{ids.Outlet}", Utf8("{\"name\":\"x\",\"domain\":\"weak.example\"}"), IfMatch: $"W/\"o{ids.Outlet}v1\"");
        yield return new Case("wrong method on list", HttpMethod.Delete, "/v1/outlets");
        yield return new Case("patch", HttpMethod.Patch, $"/v1/outlets/{ids.Outlet}", Utf8("{\"name\":\"x\"}"));

        // Queries: bad values, injections, out-of-range numbers, bad cursors and dates, repeated parameters.
        var queries = new[]
        {
            "/v1/outlets?limit=0", "/v1/outlets?limit=-1", "/v1/outlets?limit=201", "/v1/outlets?limit=abc", "/v1/outlets?limit=99999999999999999999",
            "/v1/outlets?limit=1&limit=2", "/v1/outlets?lean=left'%20OR%20'1'='1", "/v1/outlets?lean=LEFT", "/v1/outlets?cursor=%27%3B%20DROP%20TABLE%20outlets%3B--",
            "/v1/outlets?cursor=" + new string('A', 300), "/v1/outlets?cursor=c3Rvcmllczo1", "/v1/outlets?q=" + new string('q', 201),
            "/v1/stories?limit=0", "/v1/stories?sort=oldest", "/v1/stories?sort=newest&sort=most_sources", "/v1/stories?majority=%00",
            "/v1/stories?blindspot=both", "/v1/stories?minSources=-1", "/v1/stories?minSources=99999999999", "/v1/stories?outletId=0",
            "/v1/stories?outletId=abc", "/v1/stories?publishedFrom=yesterday", "/v1/stories?publishedFrom=2025-01-01T00:00:00",
            "/v1/stories?publishedFrom=+275760-09-13T00:00:00Z", "/v1/stories?publishedFrom=2025-02-01&publishedTo=2025-01-01", "/v1/stories?q=%21%21%21",
            "/v1/stories?q=" + new string('x', 201), "/v1/stories?include=articles", "/v1/stories?include=coverage,../../etc", "/v1/stories?cursor=not-a-cursor",
            "/v1/articles?url=not-a-url", "/v1/articles?url=javascript:alert(1)", "/v1/articles?outletId=x", "/v1/articles?outletId=99999999999999999999",
            "/v1/articles?limit=1000", "/v1/articles?cursor=YXJ0aWNsZXM6eDox", $"/v1/stories/{ids.Story}/articles?cursor=YXJ0aWNsZXM6MToy",
            $"/v1/stories/{ids.Story}/articles?limit=0", $"/v1/stories/{ids.Story}/coverage?basis=outlets", $"/v1/stories/{ids.Story}/coverage?basis=",
            $"/v1/stories/{ids.Story}/coverage?basis=sources&basis=articles", $"/v1/stories/{ids.Story}?include=everything",
            "/v1/coverage", "/v1/coverage?storyIds=", "/v1/coverage?storyIds=1,x", "/v1/coverage?storyIds=1,,2", "/v1/coverage?storyIds=-1",
            "/v1/coverage?storyIds=99999999999999999999", "/v1/coverage?storyIds=1&storyIds=2", "/v1/coverage?storyIds=" + string.Join(',', Enumerable.Range(1, 101)),
            "/v1/coverage?storyIds=1%3B%20DROP%20TABLE%20stories", "/v1/coverage?storyIds=1&basis=x",
        };
        foreach (var query in queries)
        {
            yield return new Case($"query {query}", HttpMethod.Get, query);
        }
    }

    /// <summary>A digest of every row of every table, in storage order.</summary>
    private async Task<string> DigestAsync()
    {
        await using var connection = await Factory.OpenDatabaseAsync();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = EngineSql.TableNames;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            hash.AppendData(Encoding.UTF8.GetBytes(table));
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    hash.AppendData(value is byte[] bytes ? bytes : Encoding.UTF8.GetBytes($"{value}\u001F"));
                }
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
