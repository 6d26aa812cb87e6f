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

sealed record Options(string BaseUrl, string ApiKey, string Database, int Clients, int Seconds, int Seed)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
        }

        return new Options(Get("--base-url").TrimEnd('/'), Get("--api-key"), Get("--db"), int.Parse(Get("--clients", "16")), int.Parse(Get("--seconds", "20")), int.Parse(Get("--seed", "1")));
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
    private int sequence;

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
                stats.Errors.Enqueue($"client {number}: {exception.GetType().Name}: {exception.Message}");
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
            if (await WriteAsync(HttpMethod.Put, $"/v1/stories/{link.Item1}/articles/{link.Item2}", null, expectNoContent: true) is not null)
            {
                links.Add(link);
            }
        }
        else if (roll < 62 && links.Count > 0)
        {
            var link = links.ElementAt(random.Next(links.Count));
            if (await WriteAsync(HttpMethod.Delete, $"/v1/stories/{link.Story}/articles/{link.Article}", null, expectNoContent: true) is not null)
            {
                links.Remove(link);
            }
        }
        else if (roll < 70)
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            var bias = Biases[random.Next(Biases.Length)];
            if (await WriteAsync(HttpMethod.Put, $"/v1/outlets/{outletId}", new { name = $"Outlet {outlets[outletId].Domain}", domain = outlets[outletId].Domain, bias }) is not null)
            {
                outlets[outletId] = (outlets[outletId].Domain, bias);
            }
        }
        else if (roll < 73 && articles.Count > 3)
        {
            var articleId = articles.Keys.ElementAt(random.Next(articles.Count));
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
            if (await WriteAsync(HttpMethod.Delete, $"/v1/stories/{storyId}", null, expectNoContent: true) is not null)
            {
                stories.Remove(storyId);
                deletedStories.Add(storyId);
                links.RemoveWhere(l => l.Story == storyId);
            }
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

        foreach (var (id, (_, bias)) in outlets)
        {
            var outlet = JsonNode.Parse(await (await Get($"/v1/outlets/{id}")).Content.ReadAsStringAsync());
            if ((string?)outlet?["bias"] != bias) { wrong++; stats.Errors.Enqueue($"outlet {id}: bias {(string?)outlet?["bias"]}, expected {bias}"); }
        }

        foreach (var id in articles.Keys)
        {
            if ((await Get($"/v1/articles/{id}")).StatusCode != HttpStatusCode.OK) { wrong++; stats.Errors.Enqueue($"article {id} lost"); }
        }

        foreach (var id in deletedArticles.Concat(deletedStories.Select(s => -s)))
        {
            var url = id > 0 ? $"/v1/articles/{id}" : $"/v1/stories/{-id}";
            if ((await Get(url)).StatusCode != HttpStatusCode.NotFound) { wrong++; stats.Errors.Enqueue($"{url} deleted but still there"); }
        }

        foreach (var id in stories)
        {
            var page = JsonNode.Parse(await (await Get($"/v1/stories/{id}/articles?limit=200")).Content.ReadAsStringAsync());
            var linked = page?["items"]?.AsArray().Select(a => (long)a!["id"]!).ToHashSet() ?? [];
            var expected = links.Where(l => l.Story == id).Select(l => l.Article).ToHashSet();
            if (!linked.SetEquals(expected)) { wrong++; stats.Errors.Enqueue($"story {id}: links {string.Join(',', linked)}, expected {string.Join(',', expected)}"); }

            var coverage = JsonNode.Parse(await (await Get($"/v1/stories/{id}/coverage")).Content.ReadAsStringAsync());
            var sources = expected.Select(a => articles[a]).Distinct().Count();
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
