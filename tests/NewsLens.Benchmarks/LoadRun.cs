using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NewsLens.Benchmarks;

/// <summary>
/// How long each measurement runs. <see cref="Rounds"/> of <see cref="RoundDuration"/> are the alternating baseline and
/// coverage runs behind the coverage-to-baseline ratio, and the reads-under-writes rounds, each after a
/// <see cref="WarmUp"/> of at most <see cref="WarmupLimit"/>; quick mode runs the same protocol as the full run, only
/// fewer and shorter rounds and shorter single scenarios. <see cref="ListWarmup"/> warms the story list before it runs.
/// </summary>
public sealed record RunSettings(bool Quick, string ServerDll, string LuaDirectory, string WorkDirectory, int Connections,
    TimeSpan Duration, TimeSpan ScalingDuration, TimeSpan WarmupLimit, TimeSpan ListWarmup, int Rounds, TimeSpan RoundDuration)
{
    public DataSize MainSize => Quick ? DataSize.Quick : DataSize.Full;

    /// <summary>Databases of these article counts give the list-latency-against-size table (the main database is the last row).</summary>
    public int[] ListScalingArticles => Quick ? [2_000, 5_000] : [10_000, 100_000];
}

/// <summary>One load scenario's result, with how many stories each request reads (batch: 100).</summary>
public sealed record ScenarioResult(string Name, string What, int Connections, Measured Run, int StoriesPerRequest = 1)
{
    public WrkResult Result => Run.Result;
}

public sealed record ScalingRow(string Label, long Size, WrkResult Result);

/// <summary>One baseline run and the coverage run right after it.</summary>
public sealed record RatioRound(Measured Baseline, Measured Coverage)
{
    public double Ratio => Coverage.RequestsPerSecond / Baseline.RequestsPerSecond;
}

/// <summary>The alternating baseline and coverage rounds on one database, after warm-ups that took this long; the ratio is of their medians.</summary>
public sealed record CoverageRatio(IReadOnlyList<RatioRound> Rounds, TimeSpan CoverageWarmup, TimeSpan BaselineWarmup)
{
    public double BaselineRps => Median.Of(Rounds.Select(r => r.Baseline.RequestsPerSecond));

    public double CoverageRps => Median.Of(Rounds.Select(r => r.Coverage.RequestsPerSecond));

    public double Ratio => CoverageRps / BaselineRps;

    public long Errors => Rounds.Sum(r => r.Baseline.Result.Errors + r.Coverage.Result.Errors);

    /// <summary>The server's processor time per coverage request over its time per baseline request (medians): the ratio without the load generator's share.</summary>
    public double CpuRatio => Median.Of(Rounds.Select(r => r.Baseline.Cpu.ServerUsPerRequest + r.Baseline.Cpu.DatabaseUsPerRequest))
        / Median.Of(Rounds.Select(r => r.Coverage.Cpu.ServerUsPerRequest + r.Coverage.Cpu.DatabaseUsPerRequest));

    /// <summary>The median baseline run (an odd number of rounds makes it the one <see cref="BaselineRps"/> is): the scenario table's row.</summary>
    public RatioRound MedianBaseline => Rounds.OrderBy(r => r.Baseline.RequestsPerSecond).ElementAt(Rounds.Count / 2);

    public RatioRound MedianCoverage => Rounds.OrderBy(r => r.Coverage.RequestsPerSecond).ElementAt(Rounds.Count / 2);
}

/// <summary>Everything one engine's run measured; <see cref="BenchmarkReport"/> turns it into markdown.</summary>
public sealed class EngineResults
{
    public required BenchEngine Engine { get; init; }
    public BenchDatabase? MainDatabase { get; set; }
    public Manifest? Main { get; set; }
    public double GenerationPeakRssMiB { get; set; }
    public List<string> ImportLogLines { get; } = [];
    public List<TimeSpan> StartToReady { get; } = [];
    public CoverageRatio? MainRatio { get; set; }
    public CoverageRatio? SmallRatio { get; set; }
    public ReadsUnderWritesResult? ReadsUnderWrites { get; set; }
    public List<ScenarioResult> Scenarios { get; } = [];
    public List<ScalingRow> CoverageBySize { get; } = [];
    public List<ScalingRow> ListByDatabaseSize { get; } = [];
    public double ScenarioPeakRssMiB { get; set; }
    public long DatabaseBytes { get; set; }
    public string? MicroBenchmarks { get; set; }

    public long TotalErrors => Scenarios.Sum(s => s.Result.Errors) + CoverageBySize.Sum(s => s.Result.Errors) + ListByDatabaseSize.Sum(s => s.Result.Errors)
        + (MainRatio?.Errors ?? 0) + (SmallRatio?.Errors ?? 0) + (ReadsUnderWrites?.Errors ?? 0);
}

/// <summary>Every engine's results of one run.</summary>
public sealed class RunResults
{
    public required RunSettings Settings { get; init; }
    public List<EngineResults> Engines { get; } = [];

    public long TotalErrors => Engines.Sum(e => e.TotalErrors);
}

/// <summary>
/// The whole load benchmark on one engine: databases generated through the import path; on the small database the
/// coverage-to-baseline ratio and reads under writes; the server restarted on the big one (start-to-ready measured),
/// then every wrk scenario at fixed concurrency, the scaling tables, and the server's peak RSS.
/// </summary>
public sealed class LoadRun(RunSettings settings, BenchEngine engine, TextWriter log)
{
    private readonly string apiKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly int port = 20_000 + Random.Shared.Next(20_000);

    private string KeyHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    private string Files => Path.Combine(settings.WorkDirectory, engine.Name);

    private int? databasePid;

    public async Task<EngineResults> RunAsync()
    {
        var results = new EngineResults { Engine = engine };
        Directory.CreateDirectory(Files);
        log.WriteLine($"==> {engine.Title}");
        databasePid = await engine.DatabaseServerPidAsync();

        foreach (var articles in settings.ListScalingArticles)
        {
            var database = await engine.CreateAsync($"list-{articles}");
            await using var server = await StartAsync(database);
            await GenerateAsync(server, new DataPlan(DataSize.WithArticles(articles)));
            await engine.SettleAsync(database);
            results.ListByDatabaseSize.Add(await ListLatencyAsync(server, articles));
        }

        await RunSmallDatabaseAsync(results);

        var main = await engine.CreateAsync("main");
        results.MainDatabase = main;
        await using (var server = await StartAsync(main))
        {
            log.WriteLine($"==> generating the main database: {settings.MainSize.Describe()}");
            results.Main = await GenerateAsync(server, new DataPlan(settings.MainSize));
            results.GenerationPeakRssMiB = server.PeakRssMiB();
            results.ImportLogLines.AddRange(server.ImportLogLines);
        }

        await engine.SettleAsync(main);
        results.DatabaseBytes = await engine.SizeBytesAsync(main);

        // Start-to-ready on the big database, three times; the third server stays up for the scenarios.
        for (var i = 0; i < 2; i++)
        {
            await using var probe = await StartAsync(main);
            results.StartToReady.Add(probe.StartToReady);
        }

        await using (var server = await StartAsync(main))
        {
            results.StartToReady.Add(server.StartToReady);
            log.WriteLine($"==> start to ready: {string.Join(", ", results.StartToReady.Select(t => $"{t.TotalMilliseconds:F0} ms"))}");
            await RunScenariosAsync(server, results);
            results.ScenarioPeakRssMiB = server.PeakRssMiB();
        }

        return results;
    }

    /// <summary>
    /// The small database (60 outlets, 300 stories, 3,000 articles, as in issue 13): the coverage-to-baseline ratio by
    /// the same protocol as on the main database, then coverage reads alone and under writes.
    /// </summary>
    private async Task RunSmallDatabaseAsync(EngineResults results)
    {
        var database = await engine.CreateAsync("small");
        await using var server = await StartAsync(database);
        var plan = new DataPlan(DataSize.Small);
        log.WriteLine($"==> small database: {DataSize.Small.Describe()}");
        var manifest = await GenerateAsync(server, plan);
        await engine.SettleAsync(database);

        var stories = manifest.TypicalStories.Concat(manifest.SpecialStories.Values).Order().ToArray();
        var ids = Path.Combine(Files, "ids-small.txt");
        await File.WriteAllLinesAsync(ids, stories.Select(Text));
        var wrk = new Wrk(settings.LuaDirectory, server.BaseUrl);
        results.SmallRatio = await CoverageRatioAsync(server, wrk, ids, "small database");

        using var http = Client(server);
        results.ReadsUnderWrites = await new ReadsUnderWrites(wrk, Meter(server), http, settings.Connections, log)
            .RunAsync(stories, [.. plan.Outlets.Select(o => o.Domain)], ids, settings.Rounds, settings.RoundDuration, settings.WarmupLimit);
    }

    /// <summary>
    /// Both endpoints warmed up, then baseline and coverage alternately, <see cref="RunSettings.Rounds"/> times: the
    /// protocol behind the coverage-to-baseline target, the same in quick and full runs (docs/benchmarks.md explains why).
    /// </summary>
    private async Task<CoverageRatio> CoverageRatioAsync(Server server, Wrk wrk, string idsFile, string where)
    {
        var meter = Meter(server);
        var ids = new Dictionary<string, string> { ["IDS_FILE"] = idsFile, ["EXPECT_STATUS"] = "200" };
        var none = new Dictionary<string, string>();
        var c = settings.Connections;
        var warmUp = new WarmUp(wrk, meter, c, settings.WarmupLimit);
        var coverageWarmup = await warmUp.RunAsync("coverage.lua", ids);
        var baselineWarmup = await warmUp.RunAsync("live.lua", none);
        log.WriteLine($"warm after {coverageWarmup.TotalSeconds:F0} s of coverage and {baselineWarmup.TotalSeconds:F0} s of baseline");

        var rounds = new List<RatioRound>();
        for (var i = 0; i < settings.Rounds; i++)
        {
            var round = new RatioRound(
                await meter.MeasureAsync(() => wrk.RunAsync("live.lua", c, settings.RoundDuration, none)),
                await meter.MeasureAsync(() => wrk.RunAsync("coverage.lua", c, settings.RoundDuration, ids)));
            rounds.Add(round);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"coverage ÷ baseline, {where}, round {i + 1}: {round.Coverage.RequestsPerSecond:N0} ÷ {round.Baseline.RequestsPerSecond:N0} req/s = {round.Ratio:F2}; server {round.Coverage.Cpu.ServerUsPerRequest:F1} and {round.Baseline.Cpu.ServerUsPerRequest:F1} µs/request; other processes {round.Coverage.Cpu.OtherCores:F2} cores"));
        }

        return new CoverageRatio(rounds, coverageWarmup, baselineWarmup);
    }

    private CpuMeter Meter(Server server) => new(server.Pid, databasePid);

    private Task<Server> StartAsync(BenchDatabase database) => Server.StartAsync(settings.ServerDll, engine, database, KeyHash, port);

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
        await wrk.RunAsync("list.lua", 1, settings.ListWarmup, new Dictionary<string, string>(), threads: 1);
        var result = await wrk.RunAsync("list.lua", 1, settings.ScalingDuration, new Dictionary<string, string>(), threads: 1);
        log.WriteLine($"list on {articles:N0} articles: p50 {result.P50Us / 1000.0:F2} ms, p99 {result.P99Us / 1000.0:F2} ms, {result.Errors} errors");
        return new ScalingRow($"{articles:N0} articles", articles, result);
    }

    private async Task RunScenariosAsync(Server server, EngineResults results)
    {
        var manifest = results.Main!;
        var typical = Path.Combine(Files, "ids-typical.txt");
        await File.WriteAllLinesAsync(typical, manifest.TypicalStories.Select(Text));
        await File.WriteAllLinesAsync(Path.Combine(Files, "outlets.txt"), manifest.OutletIds.Select(Text));
        foreach (var (size, id) in manifest.SpecialStories)
        {
            await File.WriteAllTextAsync(Path.Combine(Files, $"ids-{size}.txt"), Text(id) + "\n");
        }

        await File.WriteAllLinesAsync(Path.Combine(Files, "etags.txt"), await ETagsAsync(server, manifest.TypicalStories.Take(1_000)));

        var wrk = new Wrk(settings.LuaDirectory, server.BaseUrl);
        var c = settings.Connections;
        Dictionary<string, string> Ids(string file, int expect = 200) => new() { ["IDS_FILE"] = Path.Combine(Files, file), ["EXPECT_STATUS"] = Text(expect) };

        const string baseline = "GET /health/live (no database)", coverage = "GET /v1/stories/{id}/coverage, random typical story (3–60 articles)";
        var scenarios = new List<(string Name, string What, string Script, Dictionary<string, string> Env, int PerRequest)>();
        if (settings.Quick)
        {
            // The quick run's ratio is the small database's, measured as in the full run; warming this second server
            // up as well would add half a minute to CI for a figure the small database already gives.
            scenarios.Add(("baseline", baseline, "live.lua", new(), 1));
            scenarios.Add(("coverage", coverage, "coverage.lua", Ids("ids-typical.txt"), 1));
        }
        else
        {
            log.WriteLine($"==> coverage ÷ baseline on the main database, {settings.Rounds} rounds of {settings.RoundDuration.TotalSeconds:F0} s after a warm-up of each");
            results.MainRatio = await CoverageRatioAsync(server, wrk, typical, "main database");
            results.Scenarios.Add(new("baseline", baseline, c, results.MainRatio.MedianBaseline.Baseline));
            results.Scenarios.Add(new("coverage", coverage, c, results.MainRatio.MedianCoverage.Coverage));
        }

        await wrk.RunAsync("list.lua", c, settings.ListWarmup, new Dictionary<string, string>());
        var giants = manifest.SpecialStories.Keys.Select(int.Parse).Where(s => s >= 5_000).Order().ToList();
        scenarios.AddRange(giants.Select(g => ($"coverage-{g / 1000}k", $"GET /v1/stories/{{id}}/coverage of the {g:N0}-article story", "coverage.lua", Ids($"ids-{g}.txt"), 1)));
        scenarios.Add(("batch-100", "GET /v1/coverage?storyIds= 100 random typical stories", "batch.lua", Ids("ids-typical.txt"), 100));
        scenarios.Add(("list", "GET /v1/stories with a filter, a sort and include=coverage (20 per page)", "list.lua", new(), 20));
        scenarios.Add(("not-modified", "GET coverage with If-None-Match → 304", "notmodified.lua", Ids("etags.txt", 304), 1));
        var mixed = Ids("ids-typical.txt");
        mixed["OUTLETS_FILE"] = Path.Combine(Files, "outlets.txt");
        mixed["API_KEY"] = apiKey;
        mixed["RUN_ID"] = DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        scenarios.Add(("mixed", "90% coverage reads, 10% writes (an article imported and linked to a random story)", "mixed.lua", mixed, 1));

        var meter = Meter(server);
        foreach (var (name, what, script, env, perRequest) in scenarios)
        {
            var run = await meter.MeasureAsync(() => wrk.RunAsync(script, c, settings.Duration, env));
            results.Scenarios.Add(new ScenarioResult(name, what, c, run, perRequest));
            var result = run.Result;
            log.WriteLine($"{name,-14} {result.RequestsPerSecond,9:N0} req/s  p50 {result.P50Us / 1000.0,7:F2} ms  p99 {result.P99Us / 1000.0,7:F2} ms  max {result.MaxUs / 1000.0,8:F2} ms  errors {result.Errors}  other processes {run.Cpu.OtherCores:F2} cores");
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
