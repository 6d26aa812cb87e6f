using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NewsLens.Benchmarks;

/// <summary>The markdown report of one run: machine, commit, settings, every table, and each target met or missed.</summary>
public static class BenchmarkReport
{
    public sealed record Target(string What, string Goal, string Measured, bool Met);

    public static IReadOnlyList<Target> Targets(RunResults r)
    {
        var targets = new List<Target>();
        ScenarioResult? Scenario(string name) => r.Scenarios.FirstOrDefault(s => s.Name == name);
        var baseline = Scenario("baseline");
        var coverage = Scenario("coverage");
        if (baseline is not null && coverage is not null)
        {
            var ratio = coverage.Result.RequestsPerSecond / baseline.Result.RequestsPerSecond;
            targets.Add(new("Single-story coverage throughput", "≥ 0.6× baseline", $"{ratio:F2}× ({coverage.Result.RequestsPerSecond:N0} vs {baseline.Result.RequestsPerSecond:N0} req/s)", ratio >= 0.6));
            targets.Add(new($"Single-story coverage p99 at {coverage.Connections} connections", "≤ 5 ms", Ms(coverage.Result.P99Us), coverage.Result.P99Us <= 5_000));
        }

        var small = r.CoverageBySize.FirstOrDefault(s => s.Size == 20);
        var giant = r.CoverageBySize.MaxBy(s => s.Size);
        if (small is not null && giant is not null && giant.Size > 20)
        {
            var ratio = (double)giant.Result.P50Us / small.Result.P50Us;
            targets.Add(new($"Coverage of the {giant.Size:N0}-article story against a 20-article story (p50, 1 connection)", "≤ 1.5×",
                $"{ratio:F2}× ({Ms(giant.Result.P50Us)} vs {Ms(small.Result.P50Us)})", ratio <= 1.5));
        }

        var batch = Scenario("batch-100");
        if (batch is not null && coverage is not null)
        {
            var ratio = batch.Result.RequestsPerSecond * batch.StoriesPerRequest / coverage.Result.RequestsPerSecond;
            targets.Add(new("Batch coverage stories/s against single requests", "≥ 5×", $"{ratio:F1}× ({batch.Result.RequestsPerSecond * batch.StoriesPerRequest:N0} vs {coverage.Result.RequestsPerSecond:N0} stories/s)", ratio >= 5));
        }

        if (r.Main is { } main)
        {
            targets.Add(new("Ingest through the article import", "≥ 50,000 articles/s", $"{main.ArticlesPerSecond:N0} articles/s", main.ArticlesPerSecond >= 50_000));
            if (!r.Settings.Quick)
            {
                targets.Add(new("1,000,000 articles imported", "≤ 20 s", $"{main.ArticleSeconds:F1} s for {main.Articles:N0}", main.ArticleSeconds <= 20 * main.Articles / 1_000_000.0));
            }
        }

        var peak = Math.Max(r.GenerationPeakRssMiB, r.ScenarioPeakRssMiB);
        targets.Add(new("Server peak RSS (import and every scenario)", "≤ 250 MB", $"{peak * 1.048576:F0} MB ({peak:F0} MiB)", peak * 1.048576 <= 250));
        if (r.StartToReady.Count > 0)
        {
            var median = r.StartToReady.Order().ElementAt(r.StartToReady.Count / 2);
            targets.Add(new("Start to ready on the generated database (median of 3)", "≤ 1 s", $"{median.TotalMilliseconds:F0} ms", median <= TimeSpan.FromSeconds(1)));
        }

        targets.Add(new("Errors in every scenario (incl. mixed writes)", "0", r.TotalErrors.ToString(CultureInfo.InvariantCulture), r.TotalErrors == 0));
        return targets;
    }

    public static string Markdown(RunResults r)
    {
        var md = new StringBuilder();
        var s = r.Settings;
        md.AppendLine("# NewsLens benchmark report").AppendLine();
        md.AppendLine(s.Quick
            ? "**Quick mode** (CI smoke run: a small database and short runs; the numbers say nothing about the targets)."
            : "Full run. Reproduce with `bash tests/load/run.sh` (see [Performance](benchmarks.md#performance)).").AppendLine();
        md.AppendLine("## Machine and settings").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine($"| Date (UTC) | {DateTime.UtcNow:yyyy-MM-dd HH:mm} |");
        md.AppendLine($"| Commit | `{Git("rev-parse --short HEAD")}`{(Git("status --porcelain --untracked-files=no").Length > 0 ? " (with uncommitted changes)" : "")} |");
        md.AppendLine($"| CPU | {Cpu()} ({Environment.ProcessorCount} logical cores, shared by server and load generator) |");
        md.AppendLine($"| Memory | {MemoryGiB():F1} GiB |");
        md.AppendLine($"| OS / runtime | {RuntimeInformation.OSDescription} / {RuntimeInformation.FrameworkDescription} |");
        md.AppendLine($"| Server | published Release build, Production environment, SQLite file database (WAL), rate limiting off, logging at Warning |");
        md.AppendLine($"| Load generator | wrk, {Math.Min(2, s.Connections)} threads, {s.Connections} connections, {s.Duration.TotalSeconds:F0} s per scenario after a {s.Warmup.TotalSeconds:F0} s warm-up; scaling rows: 1 connection, {s.ScalingDuration.TotalSeconds:F0} s each |");
        md.AppendLine($"| Data | {r.Main?.Size} |");
        md.AppendLine($"| Database file | {r.DatabaseBytes / 1048576.0:N0} MiB |").AppendLine();

        md.AppendLine("## Targets").AppendLine();
        md.AppendLine("| Target | Goal | Measured | |").AppendLine("|---|---|---|---|");
        foreach (var t in Targets(r))
        {
            md.AppendLine($"| {t.What} | {t.Goal} | {t.Measured} | {(t.Met ? "met" : "**missed**")} |");
        }

        md.AppendLine();
        if (r.Main is { } m)
        {
            md.AppendLine("## Data generation (through the API)").AppendLine();
            md.AppendLine("| Step | Rows | Seconds | Rows/s |").AppendLine("|---|---:|---:|---:|");
            md.AppendLine($"| Outlets (one JSON import) | {m.Outlets:N0} | {m.OutletSeconds:F2} | {m.Outlets / m.OutletSeconds:N0} |");
            md.AppendLine($"| Stories (POST, 8 at a time) | {m.Stories:N0} | {m.StorySeconds:F2} | {m.StoriesPerSecond:N0} |");
            md.AppendLine($"| Articles (NDJSON imports of {DataGenerator.ChunkRows:N0} rows, {m.Links:N0} links) | {m.Articles:N0} | {m.ArticleSeconds:F2} | {m.ArticlesPerSecond:N0} |");
            md.AppendLine();
            md.AppendLine($"Server peak RSS while importing: {r.GenerationPeakRssMiB:F0} MiB.").AppendLine();
        }

        md.AppendLine("## Scenarios").AppendLine();
        md.AppendLine($"Each scenario: {s.Connections} connections for {s.Duration.TotalSeconds:F0} s. Latency is per request. Errors count socket errors, timeouts and any answer whose status is not the one the scenario expects (200, or 304 for the conditional GET).").AppendLine();
        md.AppendLine("| Scenario | What | Requests/s | Stories/s | p50 | p99 | Max | Errors | × baseline |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var baseline = r.Scenarios.FirstOrDefault(x => x.Name == "baseline")?.Result.RequestsPerSecond;
        foreach (var x in r.Scenarios)
        {
            var rps = x.Result.RequestsPerSecond;
            md.AppendLine($"| {x.Name} | {x.What} | {rps:N0} | {(x.Name == "baseline" ? "–" : (rps * x.StoriesPerRequest).ToString("N0", CultureInfo.InvariantCulture))} | {Ms(x.Result.P50Us)} | {Ms(x.Result.P99Us)} | {Ms(x.Result.MaxUs)} | {x.Result.Errors} | {(baseline is > 0 ? (rps / baseline.Value).ToString("F2", CultureInfo.InvariantCulture) : "–")} |");
        }

        var mixed = r.Scenarios.FirstOrDefault(x => x.Name == "mixed");
        if (mixed is not null)
        {
            md.AppendLine().AppendLine($"The mixed scenario wrote {mixed.Result.Writes:N0} articles (each imported and linked in its own transaction).");
        }

        md.AppendLine().AppendLine("## Coverage latency against story size").AppendLine();
        md.AppendLine("One connection, the same story every request (its ETag is not sent, so each answer is a full 200).").AppendLine();
        md.AppendLine("| Story size | Requests/s | p50 | p99 | Max |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in r.CoverageBySize)
        {
            md.AppendLine($"| {row.Label} | {row.Result.RequestsPerSecond:N0} | {Ms(row.Result.P50Us)} | {Ms(row.Result.P99Us)} | {Ms(row.Result.MaxUs)} |");
        }

        md.AppendLine().AppendLine("## Story list latency against database size").AppendLine();
        md.AppendLine("The `list` scenario's five filtered queries with `include=coverage`, one connection.").AppendLine();
        md.AppendLine("| Database | Requests/s | p50 | p99 | Max |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in r.ListByDatabaseSize)
        {
            md.AppendLine($"| {row.Label} | {row.Result.RequestsPerSecond:N0} | {Ms(row.Result.P50Us)} | {Ms(row.Result.P99Us)} | {Ms(row.Result.MaxUs)} |");
        }

        md.AppendLine().AppendLine("## Start to ready").AppendLine();
        md.AppendLine($"From `dotnet NewsLens.Api.dll` to the first passing `/health/ready` on the generated database: {string.Join(", ", r.StartToReady.Select(t => $"{t.TotalMilliseconds:F0} ms"))}.");
        md.AppendLine().AppendLine($"Server peak RSS through the scenarios: {r.ScenarioPeakRssMiB:F0} MiB.");
        if (r.ImportLogLines.Count > 0)
        {
            md.AppendLine().AppendLine("## The server's import log").AppendLine().AppendLine("```");
            foreach (var line in r.ImportLogLines.Take(30))
            {
                md.AppendLine(line.Trim());
            }

            md.AppendLine("```");
        }

        if (r.MicroBenchmarks is { Length: > 0 } micro)
        {
            md.AppendLine().AppendLine("## Micro-benchmarks (BenchmarkDotNet, in process)").AppendLine().AppendLine(micro.Trim());
        }

        return md.ToString();
    }

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
