using System.Globalization;
using System.Text.Json.Nodes;

namespace NewsLens.Benchmarks;

/// <summary>One round: wrk's coverage reads alone, then the same reads while the paced writer imports.</summary>
public sealed record ReadsUnderWritesRound(Measured ReadOnly, Measured UnderWrites, WriterResult Writer)
{
    public double Ratio => UnderWrites.RequestsPerSecond / ReadOnly.RequestsPerSecond;

    /// <summary>
    /// Processor time of the server and its database per acknowledged write, in ms: what the round under writes cost
    /// beyond its reads at the read-only round's cost per read. It says how much of the 2 cores the writes took from the reads.
    /// </summary>
    public double WriteCostMs => Writer.Written == 0 ? 0
        : (Cost(UnderWrites) - Cost(ReadOnly)) * UnderWrites.Result.Requests / Writer.Written / 1000;

    private static double Cost(Measured run) => run.Cpu.ServerUsPerRequest + run.Cpu.DatabaseUsPerRequest;
}

/// <summary>
/// The rounds of the reads-under-writes scenario, and whether every acknowledged write showed in coverage afterwards
/// (<see cref="LostWrites"/>: acknowledged writes that the stories' article totals do not count).
/// </summary>
public sealed record ReadsUnderWritesResult(IReadOnlyList<ReadsUnderWritesRound> Rounds, int WritesPerSecond, long LostWrites)
{
    public double ReadOnlyRps => Median.Of(Rounds.Select(r => r.ReadOnly.RequestsPerSecond));

    public double UnderWritesRps => Median.Of(Rounds.Select(r => r.UnderWrites.RequestsPerSecond));

    /// <summary>Median reads under writes over median reads alone.</summary>
    public double Ratio => UnderWritesRps / ReadOnlyRps;

    public long Errors => Rounds.Sum(r => r.ReadOnly.Result.Errors + r.UnderWrites.Result.Errors + r.Writer.Errors) + Math.Abs(LostWrites);
}

/// <summary>
/// Coverage reads while writes go on (issue 13): on the small database, wrk reads random stories' coverage at 32
/// connections, first alone and then while one client imports <see cref="WritesPerSecond"/> single-article rows a
/// second, each linked to a random story of the same set. Rounds alternate the two, back to back on one server, so a
/// busy neighbour on this shared machine weighs on both sides of the ratio alike.
/// </summary>
public sealed class ReadsUnderWrites(Wrk wrk, CpuMeter meter, HttpClient http, int connections, TextWriter log)
{
    public const int WritesPerSecond = 100;

    /// <summary>The writer starts this long before wrk and stops this long after it, so wrk only sees the steady rate.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    public async Task<ReadsUnderWritesResult> RunAsync(IReadOnlyList<long> storyIds, IReadOnlyList<string> outletDomains, string idsFile,
        int rounds, TimeSpan duration, TimeSpan warmupLimit)
    {
        var reads = new Dictionary<string, string> { ["IDS_FILE"] = idsFile, ["EXPECT_STATUS"] = "200" };
        var writer = new PacedWriter(http, storyIds, outletDomains, WritesPerSecond);
        var before = await ArticleTotalAsync(storyIds);

        await new WarmUp(wrk, meter, connections, warmupLimit).RunAsync("coverage.lua", reads);
        var results = new List<ReadsUnderWritesRound>();
        for (var round = 1; round <= rounds; round++)
        {
            var readOnly = await meter.MeasureAsync(() => wrk.RunAsync("coverage.lua", connections, duration, reads));
            var writing = writer.RunAsync(duration + 2 * Margin, $"{DateTime.UtcNow.Ticks}-{round}");
            await Task.Delay(Margin);
            var underWrites = await meter.MeasureAsync(() => wrk.RunAsync("coverage.lua", connections, duration, reads));
            var written = await writing;
            results.Add(new ReadsUnderWritesRound(readOnly, underWrites, written));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reads under writes, round {round}: {readOnly.RequestsPerSecond:N0} req/s alone, {underWrites.RequestsPerSecond:N0} under {written.WritesPerSecond:F0} writes/s (p99 {written.P99Us / 1000.0:F1} ms): {underWrites.RequestsPerSecond / readOnly.RequestsPerSecond:F2}×; other processes {underWrites.Cpu.OtherCores:F2} cores"));
        }

        var acknowledged = results.Sum(r => (long)r.Writer.Written);
        var lost = before + acknowledged - await ArticleTotalAsync(storyIds);
        return new ReadsUnderWritesResult(results, WritesPerSecond, lost);
    }

    /// <summary>The stories' article totals as coverage answers them, so a write the cache hides counts as lost.</summary>
    private async Task<long> ArticleTotalAsync(IReadOnlyList<long> storyIds)
    {
        long total = 0;
        foreach (var batch in storyIds.Chunk(100))
        {
            var page = JsonNode.Parse(await http.GetStringAsync("/v1/coverage?storyIds=" + string.Join(',', batch)))!;
            total += page["items"]!.AsArray().Sum(item => (long)item!["totalArticles"]!);
        }

        return total;
    }
}
