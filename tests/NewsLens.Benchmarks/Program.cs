// NewsLens benchmarks (issue 5). Usually started by tests/load/run.sh, which publishes the server first.
//
//   run   --server-dll PATH --lua DIR --work DIR [--report docs/benchmark-report.md] [--quick]
//         generate the databases through the API, drive every wrk scenario, run the micro-benchmarks, write the report
//   generate --base-url URL --api-key KEY [--articles N] [--seed N]
//         only the data generator, against a running server with an empty database (1,000,000 articles by default)
//   micro --db PATH --stories 10=ID,100=ID,...
//         only the BenchmarkDotNet micro-benchmarks against an existing generated database
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NewsLens.Benchmarks;

string Option(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
}

var command = args.FirstOrDefault() ?? "";
switch (command)
{
    case "run":
    {
        var quick = args.Contains("--quick");
        var settings = new RunSettings(
            quick,
            Path.GetFullPath(Option("--server-dll")),
            Path.GetFullPath(Option("--lua")),
            Path.GetFullPath(Option("--work")),
            Connections: 32,
            Duration: TimeSpan.FromSeconds(quick ? 2 : 15),
            ScalingDuration: TimeSpan.FromSeconds(quick ? 1 : 5),
            Warmup: TimeSpan.FromSeconds(quick ? 2 : 10));
        var results = await new LoadRun(settings, Console.Out).RunAsync();

        var stories = string.Join(',', results.Main!.SpecialStories.Select(s => $"{s.Key}={s.Value}"));
        var database = Path.Combine(settings.WorkDirectory, "main.db");
        results.MicroBenchmarks = quick ? MicroSmoke(database, stories) : Micro(database, stories);

        var report = BenchmarkReport.Markdown(results);
        Console.WriteLine();
        Console.WriteLine(report);
        if (args.Contains("--report"))
        {
            await File.WriteAllTextAsync(Option("--report"), report);
            Console.WriteLine($"report written to {Option("--report")}");
        }

        Console.WriteLine(results.TotalErrors == 0 ? "benchmark: every scenario ran with 0 errors" : $"benchmark: FAILED, {results.TotalErrors} errors");
        return results.TotalErrors == 0 ? 0 : 1;
    }

    case "generate":
    {
        var articles = int.Parse(Option("--articles", "1000000"), CultureInfo.InvariantCulture);
        var size = articles == DataSize.Full.Articles ? DataSize.Full : DataSize.WithArticles(articles);
        size = size with { Seed = int.Parse(Option("--seed", "1"), CultureInfo.InvariantCulture) };
        using var http = new HttpClient(new RetryAfterHandler()) { BaseAddress = new Uri(Option("--base-url")), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Option("--api-key"));
        Console.WriteLine($"generate: {size.Describe()}");
        await new DataGenerator(http, Console.Out).GenerateAsync(new DataPlan(size));
        return 0;
    }

    case "micro":
        Console.WriteLine(Micro(Path.GetFullPath(Option("--db")), Option("--stories")));
        return 0;

    default:
        Console.Error.WriteLine("usage: NewsLens.Benchmarks run --server-dll PATH --lua DIR --work DIR [--report FILE] [--quick]\n" +
            "     | generate --base-url URL --api-key KEY [--articles N] [--seed N]\n     | micro --db PATH --stories 10=ID,...");
        return 2;
}

// BenchmarkDotNet in this process (no generated project to build): a short but real job per benchmark.
static string Micro(string database, string stories)
{
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_DB", database);
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_STORIES", stories);
    var config = ManualConfig.CreateMinimumViable()
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
        .WithOption(ConfigOptions.DisableLogFile, true)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "newslens-bdn"));
    var logger = new AccumulationLogger();
    foreach (var summary in BenchmarkRunner.Run([typeof(BiasRuleBenchmarks), typeof(CoverageBenchmarks)], config))
    {
        MarkdownExporter.GitHub.ExportToLog(summary, logger);
    }

    // BenchmarkDotNet's exporter writes an apostrophe in a description as &#39;, which markdown shows as is.
    return logger.GetLog().Replace("&#39;", "'", StringComparison.Ordinal);
}

// Quick mode: every micro-benchmark body once, so the harness cannot rot; no timing.
static string MicroSmoke(string database, string stories)
{
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_DB", database);
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_STORIES", stories);
    _ = new BiasRuleBenchmarks().Rules();
    foreach (var size in CoverageBenchmarks.Sizes())
    {
        var benchmark = new CoverageBenchmarks { Articles = size };
        benchmark.Setup();
        var coverage = benchmark.Coverage().GetAwaiter().GetResult();
        if (coverage.TotalArticles != size)
        {
            throw new InvalidOperationException($"The {size}-article story has {coverage.TotalArticles} articles in its coverage.");
        }
    }

    return string.Create(CultureInfo.InvariantCulture, $"Quick mode: each micro-benchmark ran once, untimed ({CoverageBenchmarks.Sizes().Count()} story sizes checked: each story's coverage counts exactly its planted articles).");
}
