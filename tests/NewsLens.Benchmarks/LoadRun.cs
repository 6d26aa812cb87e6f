using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace NewsLens.Benchmarks;

public sealed record RunSettings(bool Quick, string ServerDll, string LuaDirectory, string WorkDirectory, int Connections, TimeSpan Duration, TimeSpan ScalingDuration, TimeSpan Warmup)
{
    public DataSize MainSize => Quick ? DataSize.Quick : DataSize.Full;

    /// <summary>Databases of these article counts give the list-latency-against-size table (the main database is the last row).</summary>
    public int[] ListScalingArticles => Quick ? [2_000, 5_000] : [10_000, 100_000];
}

/// <summary>One load scenario's result, with how many stories each request reads (batch: 100).</summary>
public sealed record ScenarioResult(string Name, string What, int Connections, WrkResult Result, int StoriesPerRequest = 1);

public sealed record ScalingRow(string Label, long Size, WrkResult Result);

/// <summary>Everything one run measured; <see cref="BenchmarkReport"/> turns it into markdown.</summary>
public sealed class RunResults
{
    public required RunSettings Settings { get; init; }
    public Manifest? Main { get; set; }
    public double GenerationPeakRssMiB { get; set; }
    public List<string> ImportLogLines { get; } = [];
    public List<TimeSpan> StartToReady { get; } = [];
    public List<ScenarioResult> Scenarios { get; } = [];
    public List<ScalingRow> CoverageBySize { get; } = [];
    public List<ScalingRow> ListByDatabaseSize { get; } = [];
    public double ScenarioPeakRssMiB { get; set; }
    public long DatabaseBytes { get; set; }
    public string? MicroBenchmarks { get; set; }

    public long TotalErrors => Scenarios.Sum(s => s.Result.Errors) + CoverageBySize.Sum(s => s.Result.Errors) + ListByDatabaseSize.Sum(s => s.Result.Errors);
}

/// <summary>
/// The whole load benchmark in one run: databases generated through the import path, the server restarted
/// on the big one (start-to-ready measured), then every wrk scenario at fixed concurrency, the scaling tables,
/// and the server's peak RSS.
/// </summary>
public sealed class LoadRun(RunSettings settings, TextWriter log)
{
    private readonly string apiKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly int port = 20_000 + Random.Shared.Next(20_000);

    private string KeyHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    public async Task<RunResults> RunAsync()
    {
        var results = new RunResults { Settings = settings };
        Directory.CreateDirectory(settings.WorkDirectory);

        foreach (var articles in settings.ListScalingArticles)
        {
            var path = Path.Combine(settings.WorkDirectory, $"list-{articles}.db");
            await using var server = await Server.StartAsync(settings.ServerDll, path, KeyHash, port);
            await GenerateAsync(server, new DataPlan(DataSize.WithArticles(articles)));
            results.ListByDatabaseSize.Add(await ListLatencyAsync(server, articles));
        }

        var database = Path.Combine(settings.WorkDirectory, "main.db");
        await using (var server = await Server.StartAsync(settings.ServerDll, database, KeyHash, port))
        {
            log.WriteLine($"==> generating the main database: {settings.MainSize.Describe()}");
            results.Main = await GenerateAsync(server, new DataPlan(settings.MainSize));
            results.GenerationPeakRssMiB = server.PeakRssMiB();
            results.ImportLogLines.AddRange(server.ImportLogLines);
        }

        results.DatabaseBytes = new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);

        // Start-to-ready on the big database, three times; the third server stays up for the scenarios.
        for (var i = 0; i < 2; i++)
        {
            await using var probe = await Server.StartAsync(settings.ServerDll, database, KeyHash, port);
            results.StartToReady.Add(probe.StartToReady);
        }

        await using (var server = await Server.StartAsync(settings.ServerDll, database, KeyHash, port))
        {
            results.StartToReady.Add(server.StartToReady);
            log.WriteLine($"==> start to ready: {string.Join(", ", results.StartToReady.Select(t => $"{t.TotalMilliseconds:F0} ms"))}");
            await RunScenariosAsync(server, results);
            results.ScenarioPeakRssMiB = server.PeakRssMiB();
        }

        return results;
    }

    private async Task<Manifest> GenerateAsync(Server server, DataPlan plan)
    {
        using var http = Client(server);
        return await new DataGenerator(http, log).GenerateAsync(plan);
    }

    private HttpClient Client(Server server)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    private async Task<ScalingRow> ListLatencyAsync(Server server, long articles)
    {
        var wrk = new Wrk(settings.LuaDirectory, server.BaseUrl);
        await wrk.RunAsync("list.lua", 1, settings.Warmup / 2, new Dictionary<string, string>(), threads: 1);
        var result = await wrk.RunAsync("list.lua", 1, settings.ScalingDuration, new Dictionary<string, string>(), threads: 1);
        log.WriteLine($"list on {articles:N0} articles: p50 {result.P50Us / 1000.0:F2} ms, p99 {result.P99Us / 1000.0:F2} ms, {result.Errors} errors");
        return new ScalingRow($"{articles:N0} articles", articles, result);
    }

    private async Task RunScenariosAsync(Server server, RunResults results)
    {
        var manifest = results.Main!;
        var files = settings.WorkDirectory;
        var typical = Path.Combine(files, "ids-typical.txt");
        await File.WriteAllLinesAsync(typical, manifest.TypicalStories.Select(Text));
        await File.WriteAllLinesAsync(Path.Combine(files, "outlets.txt"), manifest.OutletIds.Select(Text));
        foreach (var (size, id) in manifest.SpecialStories)
        {
            await File.WriteAllTextAsync(Path.Combine(files, $"ids-{size}.txt"), Text(id) + "\n");
        }

        await File.WriteAllLinesAsync(Path.Combine(files, "etags.txt"), await ETagsAsync(server, manifest.TypicalStories.Take(1_000)));

        var wrk = new Wrk(settings.LuaDirectory, server.BaseUrl);
        var c = settings.Connections;
        Dictionary<string, string> Ids(string file, int expect = 200) => new() { ["IDS_FILE"] = Path.Combine(files, file), ["EXPECT_STATUS"] = Text(expect) };

        log.WriteLine($"==> warm-up {settings.Warmup.TotalSeconds:F0} s");
        await wrk.RunAsync("coverage.lua", c, settings.Warmup, Ids("ids-typical.txt"));
        await wrk.RunAsync("list.lua", c, settings.Warmup / 2, new Dictionary<string, string>());

        var giants = manifest.SpecialStories.Keys.Select(int.Parse).Where(s => s >= 5_000).Order().ToList();
        var scenarios = new List<(string Name, string What, string Script, Dictionary<string, string> Env, int PerRequest)>
        {
            ("baseline", "GET /health/live (no database)", "live.lua", new(), 1),
            ("coverage", "GET /v1/stories/{id}/coverage, random typical story (3–60 articles)", "coverage.lua", Ids("ids-typical.txt"), 1),
        };
        scenarios.AddRange(giants.Select(g => ($"coverage-{g / 1000}k", $"GET /v1/stories/{{id}}/coverage of the {g:N0}-article story", "coverage.lua", Ids($"ids-{g}.txt"), 1)));
        scenarios.Add(("batch-100", "GET /v1/coverage?storyIds= 100 random typical stories", "batch.lua", Ids("ids-typical.txt"), 100));
        scenarios.Add(("list", "GET /v1/stories with a filter, a sort and include=coverage (20 per page)", "list.lua", new(), 20));
        scenarios.Add(("not-modified", "GET coverage with If-None-Match → 304", "notmodified.lua", Ids("etags.txt", 304), 1));
        var mixed = Ids("ids-typical.txt");
        mixed["OUTLETS_FILE"] = Path.Combine(files, "outlets.txt");
        mixed["API_KEY"] = apiKey;
        mixed["RUN_ID"] = DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        scenarios.Add(("mixed", "90% coverage reads, 10% writes (an article imported and linked to a random story)", "mixed.lua", mixed, 1));

        foreach (var (name, what, script, env, perRequest) in scenarios)
        {
            var result = await wrk.RunAsync(script, c, settings.Duration, env);
            results.Scenarios.Add(new ScenarioResult(name, what, c, result, perRequest));
            log.WriteLine($"{name,-14} {result.RequestsPerSecond,9:N0} req/s  p50 {result.P50Us / 1000.0,7:F2} ms  p99 {result.P99Us / 1000.0,7:F2} ms  max {result.MaxUs / 1000.0,8:F2} ms  errors {result.Errors}");
        }

        log.WriteLine("==> coverage latency against story size (1 connection)");
        foreach (var (size, id) in manifest.SpecialStories.OrderBy(s => int.Parse(s.Key, CultureInfo.InvariantCulture)))
        {
            var result = await wrk.RunAsync("coverage.lua", 1, settings.ScalingDuration, Ids($"ids-{size}.txt"), threads: 1);
            results.CoverageBySize.Add(new ScalingRow($"{int.Parse(size, CultureInfo.InvariantCulture):N0} articles", long.Parse(size, CultureInfo.InvariantCulture), result));
            log.WriteLine($"{size,6} articles: p50 {result.P50Us / 1000.0:F3} ms  p99 {result.P99Us / 1000.0:F3} ms");
        }

        results.ListByDatabaseSize.Add(await ListLatencyAsync(server, manifest.Articles));
    }

    private async Task<IEnumerable<string>> ETagsAsync(Server server, IEnumerable<long> storyIds)
    {
        using var http = Client(server);
        var lines = new List<string>();
        foreach (var id in storyIds)
        {
            using var response = await http.GetAsync($"/v1/stories/{id}/coverage");
            response.EnsureSuccessStatusCode();
            lines.Add($"{id} {response.Headers.ETag}");
        }

        return lines;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
