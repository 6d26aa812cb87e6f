// Concurrent load against a running NewsLens server (issue 6, suite 1): N clients for a bounded time,
// each creating, linking, unlinking, re-rating and deleting its own data and reading coverage and lists,
// logging every write the server acknowledged. Afterwards every acknowledged write must be there with its
// final value, no answer may be a 5xx, and every story's summary must equal a recount from its links.
//
//   dotnet run --project tests/NewsLens.LoadTest -- --base-url http://127.0.0.1:5000 --api-key KEY --db /path/newslens.db [--clients 16] [--seconds 20]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

var options = Options.Parse(args);
var stats = new Stats();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 }) { BaseAddress = new Uri(options.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);

var deadline = Stopwatch.StartNew();
var clients = Enumerable.Range(0, options.Clients).Select(i => new LoadClient(i, http, stats, options.Seed + i)).ToList();
if (options.CrashRounds > 0)
{
    return await CrashRounds.RunAsync(options, clients, stats, http);
}

await Task.WhenAll(clients.Select(c => c.RunAsync(TimeSpan.FromSeconds(options.Seconds))));
Console.WriteLine($"load: {options.Clients} clients for {deadline.Elapsed.TotalSeconds:F1} s: {stats.Requests} requests ({stats.Requests / deadline.Elapsed.TotalSeconds:F0}/s), " +
    $"{stats.Acknowledged} writes acknowledged, {stats.ServerErrors} 5xx, {stats.Locked} 'database is locked'");

var lost = 0;
foreach (var client in clients)
{
    lost += await client.VerifyAsync();
}

var (summaries, mismatched) = await Recount.CompareAsync(options.Database);
Console.WriteLine($"verify: {clients.Sum(c => c.Checked)} acknowledged writes checked, {lost} lost or wrong; {summaries} story summaries recounted, {mismatched} differ");
foreach (var error in stats.Errors.Take(10))
{
    Console.WriteLine("  " + error);
}

var failed = stats.ServerErrors + lost + mismatched + (int)stats.Locked;
Console.WriteLine(failed == 0 ? "load: passed" : "load: FAILED");
return failed == 0 ? 0 : 1;

sealed record Options(string BaseUrl, string ApiKey, string Database, int Clients, int Seconds, int Seed, int CrashRounds, string? ServerDll)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
        }

        return new Options(Get("--base-url").TrimEnd('/'), Get("--api-key"), Get("--db"), int.Parse(Get("--clients", "16")), int.Parse(Get("--seconds", "20")),
            int.Parse(Get("--seed", "1")), int.Parse(Get("--crash-rounds", "0")), args.Contains("--server-dll") ? Get("--server-dll") : null);
    }
}

sealed class Stats
{
    private long requests, acknowledged, serverErrors, locked;
    public long Requests => requests;
    public long Acknowledged => acknowledged;
    public long ServerErrors => serverErrors;
    public long Locked => locked;
    public ConcurrentQueue<string> Errors { get; } = new();

    public void Request() => Interlocked.Increment(ref requests);
    public void Ack() => Interlocked.Increment(ref acknowledged);

    private long unanswered;
    public long UnansweredCount => unanswered;
    public void Unanswered() => Interlocked.Increment(ref unanswered);

    public async Task RecordAsync(string what, HttpResponseMessage response)
    {
        if ((int)response.StatusCode >= 500)
        {
            Interlocked.Increment(ref serverErrors);
            var body = await response.Content.ReadAsStringAsync();
            if (body.Contains("locked", StringComparison.OrdinalIgnoreCase) || body.Contains("busy", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref locked);
            }

            Errors.Enqueue($"{what} → {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
        }
    }
}

/// <summary>One client: works only on its own outlets, stories and articles, so the expected end state is known.</summary>
sealed class LoadClient(int number, HttpClient http, Stats stats, int seed)
{
    private static readonly string?[] Biases = ["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null];
    private readonly Random random = new(seed);
    private readonly Dictionary<long, (string Domain, string? Bias)> outlets = [];
    private readonly HashSet<long> stories = [];
    private readonly Dictionary<long, long> articles = [];           // article → outlet
    private readonly HashSet<(long Story, long Article)> links = [];
    private readonly HashSet<long> deletedStories = [];
    private readonly HashSet<long> deletedArticles = [];
    private readonly HashSet<long> doubtfulOutlets = [];
    private readonly HashSet<long> doubtfulStories = [];
    private readonly HashSet<long> doubtfulArticles = [];
    private int sequence;

    /// <summary>Writes cut off by a crash: the server may or may not have done them, so they are not checked.</summary>
    private Action? inDoubt;

    public int Checked { get; private set; }

    public async Task RunAsync(TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            try
            {
                await StepAsync();
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                inDoubt?.Invoke();
                stats.Unanswered();
                await Task.Delay(20);
            }
            finally
            {
                inDoubt = null;
            }
        }
    }

    private async Task StepAsync()
    {
        var roll = random.Next(100);
        if (outlets.Count < 3 || roll < 8)
        {
            var domain = $"load{number}-{sequence++}-{Guid.NewGuid():N}"[..30] + ".example";
            var bias = Biases[random.Next(Biases.Length)];
            if (await WriteAsync(HttpMethod.Post, "/v1/outlets", new { name = $"Outlet {domain}", domain, bias }) is { } outlet)
            {
                outlets[(long)outlet["id"]!] = (domain, bias);
            }
        }
        else if (stories.Count < 2 || roll < 14)
        {
            if (await WriteAsync(HttpMethod.Post, "/v1/stories", new { title = $"Load story {number}-{sequence++}" }) is { } story)
            {
                stories.Add((long)story["id"]!);
            }
        }
        else if (articles.Count < 3 || roll < 32)
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            var url = $"https://{outlets[outletId].Domain}/a/{sequence++}";
            var published = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(500_000));
            if (await WriteAsync(HttpMethod.Post, "/v1/articles", new { url, title = "Load article", publishedAt = published, outletId }) is { } article)
            {
                articles[(long)article["id"]!] = outletId;
            }
        }
        else if (roll < 55)
        {
            var link = (stories.ElementAt(random.Next(stories.Count)), articles.Keys.ElementAt(random.Next(articles.Count)));
            inDoubt = () => doubtfulStories.Add(link.Item1);
            if (await WriteAsync(HttpMethod.Put, $"/v1/stories/{link.Item1}/articles/{link.Item2}", null, expectNoContent: true) is not null)
            {
                links.Add(link);
            }
        }
        else if (roll < 62 && links.Count > 0)
        {
            var link = links.ElementAt(random.Next(links.Count));
            inDoubt = () => doubtfulStories.Add(link.Story);
            if (await WriteAsync(HttpMethod.Delete, $"/v1/stories/{link.Story}/articles/{link.Article}", null, expectNoContent: true) is not null)
            {
                links.Remove(link);
            }
        }
        else if (roll < 70)
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            var bias = Biases[random.Next(Biases.Length)];
            inDoubt = () => doubtfulOutlets.Add(outletId);
            if (await WriteAsync(HttpMethod.Put, $"/v1/outlets/{outletId}", new { name = $"Outlet {outlets[outletId].Domain}", domain = outlets[outletId].Domain, bias }) is not null)
            {
                outlets[outletId] = (outlets[outletId].Domain, bias);
            }
        }
        else if (roll < 73 && articles.Count > 3)
        {
            var articleId = articles.Keys.ElementAt(random.Next(articles.Count));
            inDoubt = () =>
            {
                doubtfulArticles.Add(articleId);
                doubtfulStories.UnionWith(links.Where(l => l.Article == articleId).Select(l => l.Story));
            };
            if (await WriteAsync(HttpMethod.Delete, $"/v1/articles/{articleId}", null, expectNoContent: true) is not null)
            {
                articles.Remove(articleId);
                deletedArticles.Add(articleId);
                links.RemoveWhere(l => l.Article == articleId);
            }
        }
        else if (roll < 75 && stories.Count > 2)
        {
            var storyId = stories.ElementAt(random.Next(stories.Count));
            inDoubt = () => doubtfulStories.Add(storyId);
            if (await WriteAsync(HttpMethod.Delete, $"/v1/stories/{storyId}", null, expectNoContent: true) is not null)
            {
                stories.Remove(storyId);
                deletedStories.Add(storyId);
                links.RemoveWhere(l => l.Story == storyId);
            }
        }
        else if (roll < 79)
        {
            await ImportAsync();
        }
        else if (roll < 92)
        {
            await ReadAsync($"/v1/stories/{stories.ElementAt(random.Next(stories.Count))}/coverage");
        }
        else
        {
            await ReadAsync(random.Next(2) == 0 ? "/v1/stories?include=coverage&limit=20" : $"/v1/coverage?storyIds={string.Join(',', stories.Take(20))}");
        }
    }

    /// <summary>A bulk import of three new articles linked to one story: all or nothing, even when cut off.</summary>
    private async Task ImportAsync()
    {
        var storyId = stories.ElementAt(random.Next(stories.Count));
        var rows = Enumerable.Range(0, 3).Select(_ =>
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            return new { url = $"https://{outlets[outletId].Domain}/import/{sequence++}", title = "Imported", publishedAt = "2025-03-03T03:03:03Z", outletId, storyIds = new[] { storyId } };
        }).ToList();
        inDoubt = () =>
        {
            doubtfulStories.Add(storyId);
            doubtfulImports.Add([.. rows.Select(r => r.url)]);
        };
        if (await WriteAsync(HttpMethod.Post, "/v1/articles/import", rows) is null)
        {
            return;
        }

        // Acknowledged: the import is all there. Only the story's link set is unknown if the lookups below are
        // cut off (some article ids would be missing), so the import itself is no longer in doubt. Leaving it
        // in doubt here made a later delete of one of its (known) articles look like a half-applied import.
        inDoubt = () => doubtfulStories.Add(storyId);

        foreach (var row in rows)
        {
            stats.Request();
            var page = JsonNode.Parse(await http.GetStringAsync($"/v1/articles?url={Uri.EscapeDataString(row.url)}"));
            var id = (long)page!["items"]![0]!["id"]!;
            articles[id] = row.outletId;
            links.Add((storyId, id));
        }
    }

    private readonly List<string[]> doubtfulImports = [];

    private async Task<JsonNode?> WriteAsync(HttpMethod method, string url, object? body, bool expectNoContent = false)
    {
        stats.Request();
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        await stats.RecordAsync($"{method} {url}", response);
        if (!response.IsSuccessStatusCode)
        {
            if ((int)response.StatusCode < 500)
            {
                stats.Errors.Enqueue($"{method} {url} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return null;
        }

        stats.Ack();
        return expectNoContent ? new JsonObject() : JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task ReadAsync(string url)
    {
        stats.Request();
        using var response = await http.GetAsync(url);
        await stats.RecordAsync($"GET {url}", response);
    }

    /// <summary>Every acknowledged write, as the server answers it now; returns how many are lost or wrong.</summary>
    public async Task<int> VerifyAsync()
    {
        var wrong = 0;
        async Task<HttpResponseMessage> Get(string url) { Checked++; return await http.GetAsync(url); }

        foreach (var (id, (_, bias)) in outlets.Where(o => !doubtfulOutlets.Contains(o.Key)))
        {
            var outlet = JsonNode.Parse(await (await Get($"/v1/outlets/{id}")).Content.ReadAsStringAsync());
            if ((string?)outlet?["bias"] != bias) { wrong++; stats.Errors.Enqueue($"outlet {id}: bias {(string?)outlet?["bias"]}, expected {bias}"); }
        }

        foreach (var urls in doubtfulImports)
        {
            // An import cut off by a crash is all there or absent, never half.
            var present = 0;
            foreach (var url in urls)
            {
                var page = JsonNode.Parse(await (await Get($"/v1/articles?url={Uri.EscapeDataString(url)}")).Content.ReadAsStringAsync());
                present += page?["items"]?.AsArray().Count ?? 0;
            }

            if (present != 0 && present != urls.Length)
            {
                wrong++;
                stats.Errors.Enqueue($"half-applied import: {present} of {urls.Length} rows present");
            }
        }

        foreach (var id in articles.Keys.Where(a => !doubtfulArticles.Contains(a)))
        {
            if ((await Get($"/v1/articles/{id}")).StatusCode != HttpStatusCode.OK) { wrong++; stats.Errors.Enqueue($"article {id} lost"); }
        }

        foreach (var id in deletedArticles.Concat(deletedStories.Select(s => -s)).Where(i => !doubtfulArticles.Contains(i) && !doubtfulStories.Contains(-i)))
        {
            var url = id > 0 ? $"/v1/articles/{id}" : $"/v1/stories/{-id}";
            if ((await Get(url)).StatusCode != HttpStatusCode.NotFound) { wrong++; stats.Errors.Enqueue($"{url} deleted but still there"); }
        }

        foreach (var id in stories.Where(s => !doubtfulStories.Contains(s)))
        {
            if (links.Any(l => l.Story == id && doubtfulArticles.Contains(l.Article)))
            {
                continue;
            }

            var page = JsonNode.Parse(await (await Get($"/v1/stories/{id}/articles?limit=200")).Content.ReadAsStringAsync());
            var linked = page?["items"]?.AsArray().Select(a => (long)a!["id"]!).ToHashSet() ?? [];
            var expected = links.Where(l => l.Story == id).Select(l => l.Article).ToHashSet();
            if (!linked.SetEquals(expected)) { wrong++; stats.Errors.Enqueue($"story {id}: links {string.Join(',', linked)}, expected {string.Join(',', expected)}"); }

            var coverage = JsonNode.Parse(await (await Get($"/v1/stories/{id}/coverage")).Content.ReadAsStringAsync());
            var sources = expected.Select(a => articles.TryGetValue(a, out var outlet) ? outlet : -a).Distinct().Count();
            if ((int?)coverage?["totalArticles"] != expected.Count || (int?)coverage?["totalSources"] != sources)
            {
                wrong++;
                stats.Errors.Enqueue($"story {id}: coverage {coverage?["totalArticles"]}/{coverage?["totalSources"]}, expected {expected.Count}/{sources}");
            }
        }

        return wrong;
    }
}

/// <summary>Compares every story's maintained summary with a recount from its links.</summary>
static class Recount
{
    public static async Task<(int Stories, int Mismatched)> CompareAsync(string databasePath)
    {
        const string recount = """
            SELECT st.id,
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'left') || '/' || COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'center') || '/' ||
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'right') || '/' || COUNT(DISTINCT a.outlet_id) FILTER (WHERE a.id IS NOT NULL AND o.lean IS NULL) || '/' ||
                   COUNT(a.id) FILTER (WHERE o.lean = 'left') || '/' || COUNT(a.id) FILTER (WHERE o.lean = 'center') || '/' ||
                   COUNT(a.id) FILTER (WHERE o.lean = 'right') || '/' || COUNT(a.id) FILTER (WHERE a.id IS NOT NULL AND o.lean IS NULL) || '/' ||
                   IFNULL(MIN(a.published_at), '-') || '/' || IFNULL(MAX(a.published_at), '-')
            FROM stories st
            LEFT JOIN story_articles sa ON sa.story_id = st.id
            LEFT JOIN articles a ON a.id = sa.article_id
            LEFT JOIN outlets o ON o.id = a.outlet_id
            GROUP BY st.id
            """;
        const string stored = """
            SELECT story_id, sources_left || '/' || sources_center || '/' || sources_right || '/' || sources_unrated || '/' ||
                   articles_left || '/' || articles_center || '/' || articles_right || '/' || articles_unrated || '/' ||
                   IFNULL(first_published_at, '-') || '/' || IFNULL(last_published_at, '-')
            FROM story_summaries
            """;
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        var expected = (await connection.QueryAsync<(long, string)>(recount)).ToDictionary(r => r.Item1, r => r.Item2);
        var actual = (await connection.QueryAsync<(long, string)>(stored)).ToDictionary(r => r.Item1, r => r.Item2);
        var mismatched = expected.Count(e => !actual.TryGetValue(e.Key, out var a) || a != e.Value) + actual.Keys.Count(k => !expected.ContainsKey(k));
        return (expected.Count, mismatched);
    }
}


/// <summary>
/// Crash consistency (issue 6, suite 2): rounds of start server → write load → SIGKILL at a random moment →
/// restart; after each restart the database must pass integrity_check, be ready, hold every write the server
/// acknowledged before the kill, and every summary must equal a recount (no half-applied write is visible).
/// </summary>
static class CrashRounds
{
    public static async Task<int> RunAsync(Options options, List<LoadClient> clients, Stats stats, HttpClient http)
    {
        var random = new Random(options.Seed);
        var failures = 0;
        for (var round = 1; round <= options.CrashRounds; round++)
        {
            using var server = Start(options);
            await WaitReadyAsync(http);
            var run = TimeSpan.FromSeconds(random.Next(3, 7));
            var killAt = TimeSpan.FromMilliseconds(random.Next(800, (int)run.TotalMilliseconds - 500));
            var load = Task.WhenAll(clients.Select(c => c.RunAsync(run)));
            await Task.Delay(killAt);
            // The last round stops the server gracefully (SIGTERM): requests in flight must finish, none may
            // fail with a 5xx. The others kill it outright (SIGKILL): no shutdown, no flush.
            var graceful = round == options.CrashRounds;
            if (graceful)
            {
                using var term = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await term!.WaitForExitAsync();
            }
            else
            {
                server.Kill(entireProcessTree: true);
            }

            await server.WaitForExitAsync();
            await load;

            using var restarted = Start(options);
            await WaitReadyAsync(http);
            var integrity = await IntegrityAsync(options.Database);
            var lost = 0;
            foreach (var client in clients)
            {
                lost += await client.VerifyAsync();
            }

            var (summaries, mismatched) = await Recount.CompareAsync(options.Database);
            Console.WriteLine($"round {round}: {(graceful ? "SIGTERM" : "SIGKILL")} after {killAt.TotalSeconds:F1} s (exit code {server.ExitCode}); integrity_check {integrity}; {stats.Acknowledged} writes acknowledged so far, " +
                $"{lost} lost or wrong; {summaries} summaries, {mismatched} differ from a recount");
            failures += (integrity == "ok" ? 0 : 1) + lost + mismatched + (graceful && server.ExitCode != 0 ? 1 : 0);
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }

        Console.WriteLine($"crash: {options.CrashRounds} rounds, {stats.Requests} requests, {stats.Acknowledged} writes acknowledged, " +
            $"{stats.UnansweredCount} requests unanswered (cut off or refused while the server was down), {stats.ServerErrors} 5xx, {failures} failures (lost writes, bad integrity, summary mismatches)");
        foreach (var error in stats.Errors.Take(10))
        {
            Console.WriteLine("  " + error);
        }

        var failed = failures + stats.ServerErrors;
        Console.WriteLine(failed == 0 ? "crash: passed" : "crash: FAILED");
        return failed == 0 ? 0 : 1;
    }

    private static Process Start(Options options)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{options.ServerDll}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = options.BaseUrl;
        start.Environment["ConnectionStrings__NewsLens"] = $"Data Source={options.Database}";
        start.Environment["Auth__Keys__0__Name"] = "crash";
        start.Environment["Auth__Keys__0__Sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(options.ApiKey)));
        start.Environment["RateLimiting__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("The server did not become ready.");
    }

    private static async Task<string> IntegrityAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check") ?? "no answer";
    }
}
