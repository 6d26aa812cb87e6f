using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NewsLens.Benchmarks;

/// <summary>The markdown report of one run: machine, commit, settings, the targets per engine, and every table.</summary>
public static class BenchmarkReport
{
    public sealed record Target(string What, string Goal, string Measured, bool Met);

    public static IReadOnlyList<Target> Targets(EngineResults r, RunSettings settings)
    {
        var targets = new List<Target>();
        ScenarioResult? Scenario(string name) => r.Scenarios.FirstOrDefault(s => s.Name == name);
        if (r.MainRatio is { } main)
        {
            targets.Add(RatioTarget("Single-story coverage throughput", main));
        }

        if (Scenario("coverage") is { } coverage)
        {
            targets.Add(new($"Single-story coverage p99 at {coverage.Connections} connections", "≤ 5 ms", Ms(coverage.Result.P99Us), coverage.Result.P99Us <= 5_000));
        }

        if (r.SmallRatio is { } small)
        {
            targets.Add(RatioTarget("Single-story coverage throughput, small database", small));
        }

        var twenty = r.CoverageBySize.FirstOrDefault(s => s.Size == 20);
        var giant = r.CoverageBySize.MaxBy(s => s.Size);
        if (twenty is not null && giant is not null && giant.Size > 20)
        {
            var ratio = (double)giant.Result.P50Us / twenty.Result.P50Us;
            targets.Add(new("Coverage of the largest story against a 20-article story (p50, 1 connection)", "≤ 1.5×",
                $"{ratio:F2}× ({giant.Size:N0} articles: {Ms(giant.Result.P50Us)} vs {Ms(twenty.Result.P50Us)})", ratio <= 1.5));
        }

        if (Scenario("batch-100") is { } batch && (r.MainRatio?.CoverageRps ?? Scenario("coverage")?.Result.RequestsPerSecond) is { } single)
        {
            var stories = batch.Result.RequestsPerSecond * batch.StoriesPerRequest;
            var ratio = stories / single;
            targets.Add(new("Batch coverage stories/s against single requests", "≥ 5×", $"{ratio:F1}× ({stories:N0} vs {single:N0} stories/s)", ratio >= 5));
        }

        if (r.ReadsUnderWrites is { } underWrites)
        {
            targets.Add(new($"Coverage reads under {underWrites.WritesPerSecond} writes/s against reads alone (small database)", "≥ 0.75×",
                $"{underWrites.Ratio:F2}× ({underWrites.UnderWritesRps:N0} vs {underWrites.ReadOnlyRps:N0} req/s)", underWrites.Ratio >= 0.75));
        }

        if (r.Main is { } generated)
        {
            targets.Add(new("Ingest through the article import", "≥ 50,000 articles/s", $"{generated.ArticlesPerSecond:N0} articles/s", generated.ArticlesPerSecond >= 50_000));
            if (!settings.Quick)
            {
                targets.Add(new("1,000,000 articles imported", "≤ 20 s", $"{generated.ArticleSeconds:F1} s for {generated.Articles:N0}", generated.ArticleSeconds <= 20 * generated.Articles / 1_000_000.0));
            }
        }

        var peak = Math.Max(r.GenerationPeakRssMiB, r.ScenarioPeakRssMiB);
        targets.Add(new("Server peak RSS (import and every scenario)", "≤ 250 MB", $"{peak * 1.048576:F0} MB ({peak:F0} MiB)", peak * 1.048576 <= 250));
        if (r.StartToReady.Count > 0)
        {
            var median = r.StartToReady.Order().ElementAt(r.StartToReady.Count / 2);
            targets.Add(new("Start to ready on the generated database (median of 3)", "≤ 1 s", $"{median.TotalMilliseconds:F0} ms", median <= TimeSpan.FromSeconds(1)));
        }

        targets.Add(new("Errors in every scenario (incl. writes, and acknowledged writes missing from coverage)", "0", r.TotalErrors.ToString(CultureInfo.InvariantCulture), r.TotalErrors == 0));
        return targets;
    }

    private static Target RatioTarget(string what, CoverageRatio ratio) =>
        new($"{what} (median of {ratio.Rounds.Count} alternating rounds)", "≥ 0.6× baseline",
            $"{ratio.Ratio:F2}× ({ratio.CoverageRps:N0} vs {ratio.BaselineRps:N0} req/s)", ratio.Ratio >= 0.6);

    public static string Markdown(RunResults run)
    {
        var md = new StringBuilder();
        var s = run.Settings;
        md.AppendLine("# NewsLens benchmark report").AppendLine();
        md.AppendLine(s.Quick
            ? "**Quick mode** (CI smoke run: small databases and short runs; only the small database's ratios, coverage ÷ baseline and reads under writes, are measured as in the full run and say something about the targets)."
            : "Full run. Reproduce with `bash tests/load/run.sh` (see [Performance](benchmarks.md#performance)).").AppendLine();
        AppendMachine(md, run);
        AppendTargets(md, run);
        AppendRatios(md, run);
        AppendReadsUnderWrites(md, run);
        foreach (var engine in run.Engines)
        {
            AppendEngine(md, engine, s);
        }

        return md.ToString();
    }

    private static void AppendMachine(StringBuilder md, RunResults run)
    {
        var s = run.Settings;
        md.AppendLine("## Machine and settings").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine($"| Date (UTC) | {DateTime.UtcNow:yyyy-MM-dd HH:mm} |");
        md.AppendLine($"| Commit | `{Git("rev-parse --short HEAD")}`{(Git("status --porcelain --untracked-files=no").Length > 0 ? " (with uncommitted changes)" : "")} |");
        md.AppendLine($"| CPU | {Cpu()} ({Environment.ProcessorCount} logical cores, shared by server, database and load generator) |");
        md.AppendLine($"| Memory | {MemoryGiB():F1} GiB |");
        md.AppendLine($"| OS / runtime | {RuntimeInformation.OSDescription} / {RuntimeInformation.FrameworkDescription} |");
        md.AppendLine("| Server | published Release build (ReadyToRun), Production environment, rate limiting off, logging at Warning |");
        foreach (var engine in run.Engines)
        {
            md.AppendLine($"| {engine.Engine.Title} | {engine.Engine.Storage} |");
        }

        md.AppendLine($"| Load generator | wrk, {Math.Min(2, s.Connections)} threads, {s.Connections} connections. Coverage ÷ baseline: {s.Rounds} alternating rounds of {s.RoundDuration.TotalSeconds:F0} s each after a warm-up of both (one-second runs until the server's processor time per request stops falling, at most {s.WarmupLimit.TotalSeconds:F0} s each), medians. Other scenarios: {s.Duration.TotalSeconds:F0} s each; scaling rows: 1 connection, {s.ScalingDuration.TotalSeconds:F0} s each |");
        md.AppendLine($"| Data | main: {run.Engines.FirstOrDefault()?.Main?.Size}; small: {DataSize.Small.Describe()} |");
        md.AppendLine($"| Database size (main) | {string.Join(", ", run.Engines.Select(e => $"{e.Engine.Title} {e.DatabaseBytes / 1048576.0:N0} MiB"))} |");
        var others = run.Engines.SelectMany(OtherCores).ToList();
        if (others.Count > 0)
        {
            md.AppendLine($"| Other processes | {others.Min():F2}–{others.Max():F2} cores (median {Median.Of(others):F2}) of the 2 went to processes other than the server, its database and wrk during the measurements |");
        }

        md.AppendLine();
    }

    private static void AppendTargets(StringBuilder md, RunResults run)
    {
        md.AppendLine("## Targets").AppendLine();
        var perEngine = run.Engines.Select(e => Targets(e, run.Settings).ToDictionary(t => t.What)).ToList();
        md.AppendLine($"| Target | Goal | {string.Join(" | ", run.Engines.Select(e => e.Engine.Title + " | "))} |");
        md.AppendLine($"|---|---|{string.Concat(run.Engines.Select(_ => "---|---|"))}");
        foreach (var what in perEngine.SelectMany(t => t.Keys).Distinct())
        {
            var goal = perEngine.Select(t => t.GetValueOrDefault(what)?.Goal).First(g => g is not null);
            var cells = perEngine.Select(t => t.GetValueOrDefault(what) is { } target ? $"{target.Measured} | {(target.Met ? "met" : "**missed**")}" : "– | ");
            md.AppendLine($"| {what} | {goal} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine();
    }

    private static void AppendRatios(StringBuilder md, RunResults run)
    {
        md.AppendLine("## Coverage against the baseline").AppendLine();
        md.AppendLine($"`GET /health/live` and `GET /v1/stories/{{id}}/coverage` (random stories) through the same wrk script machinery, {run.Settings.Connections} connections, alternating on one server after a warm-up of both; the ratio is of the medians. Processor time per request is the server's (with PostgreSQL's for coverage on that engine); other processes are what the rest of the machine used meanwhile, in cores.").AppendLine();
        md.AppendLine("| Engine | Database | Round | Baseline req/s | Coverage req/s | Ratio | Baseline µs/request | Coverage µs/request | Other processes |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var engine in run.Engines)
        {
            foreach (var (database, ratio) in new[] { ("main", engine.MainRatio), ("small", engine.SmallRatio) })
            {
                if (ratio is null)
                {
                    continue;
                }

                var i = 0;
                foreach (var round in ratio.Rounds)
                {
                    md.AppendLine($"| {engine.Engine.Title} | {database} | {++i} | {round.Baseline.RequestsPerSecond:N0} | {round.Coverage.RequestsPerSecond:N0} | {round.Ratio:F2} | {CpuUs(round.Baseline.Cpu)} | {CpuUs(round.Coverage.Cpu)} | {round.Coverage.Cpu.OtherCores:F2} |");
                }

                md.AppendLine($"| {engine.Engine.Title} | {database} | **median** (warm after {ratio.CoverageWarmup.TotalSeconds:F0} s + {ratio.BaselineWarmup.TotalSeconds:F0} s) | **{ratio.BaselineRps:N0}** | **{ratio.CoverageRps:N0}** | **{ratio.Ratio:F2}** | | processor time ratio **{ratio.CpuRatio:F2}** | |");
            }
        }

        md.AppendLine();
    }

    private static void AppendReadsUnderWrites(StringBuilder md, RunResults run)
    {
        var engines = run.Engines.Where(e => e.ReadsUnderWrites is not null).ToList();
        if (engines.Count == 0)
        {
            return;
        }

        md.AppendLine("## Reads under writes").AppendLine();
        md.AppendLine($"On the small database ({DataSize.Small.Describe()}): wrk reads random stories' coverage at {run.Settings.Connections} connections for {run.Settings.RoundDuration.TotalSeconds:F0} s alone, then again while one client imports {ReadsUnderWrites.WritesPerSecond} single-article rows a second (`POST /v1/articles/import`, one NDJSON row per request, each linked to a random story of the same set; open loop, latency counted from each request's scheduled time). The ratio is of the medians. Processor time per write is the server's and its database's beyond what the reads cost alone. Afterwards the stories' article totals, read through the coverage API, must count every acknowledged write.").AppendLine();
        md.AppendLine("| Engine | Round | Reads alone req/s | Reads under writes req/s | Ratio | Writes/s achieved | Write p50 | Write p99 | Write max | Write errors | Processor time per write | Other processes |").AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var engine in engines)
        {
            var result = engine.ReadsUnderWrites!;
            var i = 0;
            foreach (var round in result.Rounds)
            {
                var w = round.Writer;
                md.AppendLine($"| {engine.Engine.Title} | {++i} | {round.ReadOnly.RequestsPerSecond:N0} | {round.UnderWrites.RequestsPerSecond:N0} | {round.Ratio:F2} | {w.WritesPerSecond:F1} | {Ms(w.P50Us)} | {Ms(w.P99Us)} | {Ms(w.MaxUs)} | {w.Errors} | {round.WriteCostMs:F1} ms | {round.UnderWrites.Cpu.OtherCores:F2} |");
            }

            md.AppendLine($"| {engine.Engine.Title} | **median** | **{result.ReadOnlyRps:N0}** | **{result.UnderWritesRps:N0}** | **{result.Ratio:F2}** | | | | | | | |");
        }

        md.AppendLine();
        md.AppendLine(string.Join(" ", engines.Select(e => $"{e.Engine.Title}: {e.ReadsUnderWrites!.Rounds.Sum(r => r.Writer.Written):N0} writes acknowledged, {e.ReadsUnderWrites.LostWrites} missing from coverage afterwards.")));
        md.AppendLine();
    }

    private static void AppendEngine(StringBuilder md, EngineResults r, RunSettings s)
    {
        md.AppendLine($"## {r.Engine.Title}").AppendLine();
        if (r.Main is { } m)
        {
            md.AppendLine($"### {r.Engine.Title}: data generation (through the API)").AppendLine();
            md.AppendLine("| Step | Rows | Seconds | Rows/s |").AppendLine("|---|---:|---:|---:|");
            md.AppendLine($"| Outlets (one JSON import) | {m.Outlets:N0} | {m.OutletSeconds:F2} | {m.Outlets / m.OutletSeconds:N0} |");
            md.AppendLine($"| Stories (POST, 8 at a time) | {m.Stories:N0} | {m.StorySeconds:F2} | {m.StoriesPerSecond:N0} |");
            md.AppendLine($"| Articles (NDJSON imports of {DataGenerator.ChunkRows:N0} rows, {m.Links:N0} links) | {m.Articles:N0} | {m.ArticleSeconds:F2} | {m.ArticlesPerSecond:N0} |");
            md.AppendLine();
            md.AppendLine($"Server peak RSS while importing: {r.GenerationPeakRssMiB:F0} MiB.").AppendLine();
        }

        md.AppendLine($"### {r.Engine.Title}: scenarios").AppendLine();
        md.AppendLine($"{s.Connections} connections. Baseline and coverage: the median of the rounds above. Every other scenario: one run of {s.Duration.TotalSeconds:F0} s. Latency is per request. Errors count socket errors, timeouts and any answer whose status is not the one the scenario expects (200, or 304 for the conditional GET).").AppendLine();
        md.AppendLine("| Scenario | What | Requests/s | Stories/s | p50 | p99 | Max | Errors | × baseline | µs/request | Other processes |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var baseline = r.Scenarios.FirstOrDefault(x => x.Name == "baseline")?.Result.RequestsPerSecond;
        foreach (var x in r.Scenarios)
        {
            var rps = x.Result.RequestsPerSecond;
            md.AppendLine($"| {x.Name} | {x.What} | {rps:N0} | {(x.Name == "baseline" ? "–" : (rps * x.StoriesPerRequest).ToString("N0", CultureInfo.InvariantCulture))} | {Ms(x.Result.P50Us)} | {Ms(x.Result.P99Us)} | {Ms(x.Result.MaxUs)} | {x.Result.Errors} | {(baseline is > 0 ? (rps / baseline.Value).ToString("F2", CultureInfo.InvariantCulture) : "–")} | {CpuUs(x.Run.Cpu)} | {x.Run.Cpu.OtherCores:F2} |");
        }

        if (r.Scenarios.FirstOrDefault(x => x.Name == "mixed") is { } mixed)
        {
            md.AppendLine().AppendLine($"The mixed scenario wrote {mixed.Result.Writes:N0} articles (each imported and linked in its own transaction).");
        }

        md.AppendLine().AppendLine($"### {r.Engine.Title}: coverage latency against story size").AppendLine();
        md.AppendLine("One connection, the same story every request (its ETag is not sent, so each answer is a full 200).").AppendLine();
        md.AppendLine("| Story size | Requests/s | p50 | p99 | Max |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in r.CoverageBySize)
        {
            md.AppendLine($"| {row.Label} | {row.Result.RequestsPerSecond:N0} | {Ms(row.Result.P50Us)} | {Ms(row.Result.P99Us)} | {Ms(row.Result.MaxUs)} |");
        }

        md.AppendLine().AppendLine($"### {r.Engine.Title}: story list latency against database size").AppendLine();
        md.AppendLine("The `list` scenario's five filtered queries with `include=coverage`, one connection.").AppendLine();
        md.AppendLine("| Database | Requests/s | p50 | p99 | Max |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in r.ListByDatabaseSize)
        {
            md.AppendLine($"| {row.Label} | {row.Result.RequestsPerSecond:N0} | {Ms(row.Result.P50Us)} | {Ms(row.Result.P99Us)} | {Ms(row.Result.MaxUs)} |");
        }

        md.AppendLine().AppendLine($"### {r.Engine.Title}: start to ready").AppendLine();
        md.AppendLine($"From `dotnet NewsLens.Api.dll` to the first passing `/health/ready` on the generated database: {string.Join(", ", r.StartToReady.Select(t => $"{t.TotalMilliseconds:F0} ms"))}.");
        md.AppendLine().AppendLine($"Server peak RSS through the scenarios: {r.ScenarioPeakRssMiB:F0} MiB.");
        if (r.ImportLogLines.Count > 0)
        {
            md.AppendLine().AppendLine($"### {r.Engine.Title}: the server's import log").AppendLine().AppendLine("```");
            foreach (var line in r.ImportLogLines.Take(30))
            {
                md.AppendLine(line.Trim());
            }

            md.AppendLine("```");
        }

        if (r.MicroBenchmarks is { Length: > 0 } micro)
        {
            md.AppendLine().AppendLine($"### {r.Engine.Title}: micro-benchmarks (BenchmarkDotNet, in process)").AppendLine().AppendLine(micro.Trim());
        }

        md.AppendLine();
    }

    private static IEnumerable<double> OtherCores(EngineResults e) =>
        e.Scenarios.Select(x => x.Run.Cpu.OtherCores)
            .Concat(new[] { e.MainRatio, e.SmallRatio }.SelectMany(r => r?.Rounds ?? []).SelectMany(r => new[] { r.Baseline.Cpu.OtherCores, r.Coverage.Cpu.OtherCores }))
            .Concat(e.ReadsUnderWrites?.Rounds.SelectMany(r => new[] { r.ReadOnly.Cpu.OtherCores, r.UnderWrites.Cpu.OtherCores }) ?? []);

    /// <summary>The server's processor time per request, and the database server's after a plus when it has its own processes.</summary>
    private static string CpuUs(CpuUse cpu) => cpu.DatabaseUsPerRequest > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{cpu.ServerUsPerRequest:F1} + {cpu.DatabaseUsPerRequest:F1}")
        : cpu.ServerUsPerRequest.ToString("F1", CultureInfo.InvariantCulture);

    private static string Ms(long microseconds) => (microseconds / 1000.0).ToString(microseconds < 10_000 ? "F2" : "F1", CultureInfo.InvariantCulture) + " ms";

    private static string Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string Cpu() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static double MemoryGiB() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
}
