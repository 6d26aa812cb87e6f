namespace NewsLens.Benchmarks;

/// <summary>
/// Drives a scenario in one-second slices until the server is warm: until its processor time per request has not
/// fallen by more than <see cref="Step"/> for <see cref="SteadySlices"/> slices in a row (and at least <see cref="MinimumSlices"/>
/// have run), or <c>limit</c> has passed.
/// A fresh server runs its ReadyToRun code, slower than what tiered compilation replaces it with once the paths are
/// hot; here that took 5 to over 15 s of full load, longer for coverage than for the baseline and longer the busier
/// the machine (docs/benchmarks.md). Processor time per request, unlike throughput, barely moves with other
/// processes, so it tells when the server itself has stopped getting faster.
/// </summary>
public sealed class WarmUp(Wrk wrk, CpuMeter meter, int connections, TimeSpan limit)
{
    private const double Step = 0.05;
    private const int SteadySlices = 4;

    // On a busy machine the fall is noisy: four slices without a new best came as early as 9 s, with coverage still 15% dearer than warm.
    private const int MinimumSlices = 8;
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    /// <summary>Answers how long the warm-up ran.</summary>
    public async Task<TimeSpan> RunAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var best = double.MaxValue;
        var (slices, steady) = (0, 0);
        while ((steady < SteadySlices || slices < MinimumSlices) && Slice * slices < limit)
        {
            var run = await meter.MeasureAsync(() => wrk.RunAsync(script, connections, Slice, environment));
            slices++;
            var cost = run.Cpu.ServerUsPerRequest + run.Cpu.DatabaseUsPerRequest;
            (best, steady) = cost < best * (1 - Step) ? (cost, 0) : (Math.Min(best, cost), steady + 1);
        }

        return Slice * slices;
    }
}
