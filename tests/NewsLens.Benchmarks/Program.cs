// NewsLens benchmarks (issues 5 and 13). Usually started by tests/load/run.sh, which publishes the server first and,
// for PostgreSQL, starts a throwaway cluster.
//
//   run   --server-dll PATH --lua DIR --work DIR [--engine sqlite|postgresql|both] [--postgres CONNECTIONSTRING]
//         [--report docs/benchmark-report.md] [--quick]
//         on each engine: generate the databases through the API, drive every wrk scenario, run the micro-benchmarks;
//         then write the report. --postgres is the cluster's superuser connection (a database per data set is made from it)
//   generate --base-url URL --api-key KEY [--articles N | --size small|quick] [--seed N]
//         only the data generator, against a running server with an empty database (1,000,000 articles by default)
//   micro --db CONNECTIONSTRING [--engine sqlite|postgresql] --stories 10=ID,100=ID,...
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
            WarmupLimit: TimeSpan.FromSeconds(30),
            ListWarmup: TimeSpan.FromSeconds(quick ? 1 : 5),
            Rounds: quick ? 3 : 5,
            RoundDuration: TimeSpan.FromSeconds(quick ? 3 : 5));
        var results = new RunResults { Settings = settings };
        foreach (var engine in BenchEngine.Parse(Option("--engine", "sqlite"), settings.WorkDirectory, args.Contains("--postgres") ? Option("--postgres") : null))
        {
            var engineResults = await new LoadRun(settings, engine, Console.Out).RunAsync();
            var stories = string.Join(',', engineResults.Main!.SpecialStories.Select(s => $"{s.Key}={s.Value}"));
            var database = engineResults.MainDatabase!.ConnectionString;
            engineResults.MicroBenchmarks = quick ? MicroSmoke(engine.Name, database, stories) : Micro(engine.Name, database, stories);
            results.Engines.Add(engineResults);
        }

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
        var size = Option("--size", "") switch
        {
            "small" => DataSize.Small,
            "quick" => DataSize.Quick,
            _ when articles == DataSize.Full.Articles => DataSize.Full,
            _ => DataSize.WithArticles(articles),
        };
        size = size with { Seed = int.Parse(Option("--seed", "1"), CultureInfo.InvariantCulture) };
        using var http = new HttpClient(new RetryAfterHandler()) { BaseAddress = new Uri(Option("--base-url")), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Option("--api-key"));
        Console.WriteLine($"generate: {size.Describe()}");
        await new DataGenerator(http, Console.Out).GenerateAsync(new DataPlan(size));
        return 0;
    }

    case "micro":
        Console.WriteLine(Micro(Option("--engine", "sqlite"), Option("--db"), Option("--stories")));
        return 0;

    default:
        Console.Error.WriteLine("usage: NewsLens.Benchmarks run --server-dll PATH --lua DIR --work DIR [--engine sqlite|postgresql|both] [--postgres CONNECTIONSTRING] [--report FILE] [--quick]\n" +
            "     | generate --base-url URL --api-key KEY [--articles N | --size small|quick] [--seed N]\n     | micro --db CONNECTIONSTRING [--engine sqlite|postgresql] --stories 10=ID,...");
        return 2;
}

// BenchmarkDotNet in this process (no generated project to build): a short but real job per benchmark.
static string Micro(string engine, string database, string stories)
{
    Target(engine, database, stories);
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
static string MicroSmoke(string engine, string database, string stories)
{
    Target(engine, database, stories);
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

        if (benchmark.CoverageByRaterAsOf().GetAwaiter().GetResult().TotalArticles != size)
        {
            throw new InvalidOperationException($"The {size}-article story's coverage by rater as of now misses articles.");
        }
    }

    return string.Create(CultureInfo.InvariantCulture, $"Quick mode: each micro-benchmark ran once, untimed ({CoverageBenchmarks.Sizes().Count()} story sizes checked: each story's coverage counts exactly its planted articles).");
}

// CoverageBenchmarks reads its database from the environment: BenchmarkDotNet creates the benchmark objects itself.
static void Target(string engine, string database, string stories)
{
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_ENGINE", engine);
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_DB", database);
    Environment.SetEnvironmentVariable("NEWSLENS_BENCH_STORIES", stories);
}
