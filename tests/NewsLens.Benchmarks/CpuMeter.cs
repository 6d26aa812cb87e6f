using System.Diagnostics;
using System.Globalization;

namespace NewsLens.Benchmarks;

/// <summary>Processor time during one measurement: per request of the server and of its database server, and what every other process used.</summary>
public sealed record CpuUse(double ServerUsPerRequest, double DatabaseUsPerRequest, double OtherCores);

/// <summary>One wrk run and the processor time it cost.</summary>
public sealed record Measured(WrkResult Result, CpuUse Cpu)
{
    public double RequestsPerSecond => Result.RequestsPerSecond;
}

/// <summary>
/// Reads processor time from /proc around a measurement. Throughput on this shared 2-core machine moves with whatever
/// else runs; the server's processor time per request barely does, and <see cref="CpuUse.OtherCores"/> says how busy
/// the rest of the machine was (the load average is a minute late and counts the benchmark itself).
/// </summary>
public sealed class CpuMeter(int serverPid, int? databasePid)
{
    // USER_HZ: Linux reports /proc times in hundredths of a second on every architecture it runs .NET on.
    private const double TicksPerSecond = 100;

    public readonly record struct Snapshot(double Machine, double Server, double Database, double Runner, long Timestamp);

    public async Task<Measured> MeasureAsync(Func<Task<WrkResult>> run)
    {
        var start = Take();
        var result = await run();
        return new Measured(result, Since(start, result.Requests));
    }

    public Snapshot Take() => new(MachineBusy(), Process(serverPid), databasePid is { } pid ? Tree(pid) : 0, Process(Environment.ProcessId, withReapedChildren: true), Stopwatch.GetTimestamp());

    /// <summary>Since <paramref name="start"/>; the runner's own time includes wrk's, which it has waited for.</summary>
    public CpuUse Since(Snapshot start, long requests)
    {
        var end = Take();
        var seconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        var (server, database) = (end.Server - start.Server, end.Database - start.Database);
        var others = end.Machine - start.Machine - server - database - (end.Runner - start.Runner);
        requests = Math.Max(1, requests);
        return new CpuUse(server * 1e6 / requests, database * 1e6 / requests, Math.Max(0, others / seconds));
    }

    /// <summary>Seconds of processor time the machine spent busy, all cores.</summary>
    private static double MachineBusy()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal ...
        return new[] { 1, 2, 3, 6, 7, 8 }.Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    private static double Process(int pid, bool withReapedChildren = false)
    {
        var fields = Stat(pid);
        if (fields is null)
        {
            return 0;
        }

        // Fields after the command: state is [0]; utime [11], stime [12], cutime [13], cstime [14].
        var seconds = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (withReapedChildren)
        {
            seconds += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return seconds / TicksPerSecond;
    }

    /// <summary>A server that forks a process per connection (PostgreSQL): itself, its living children, and the ones it reaped.</summary>
    private static double Tree(int root)
    {
        var children = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Stat(pid) is { } f && f[1] == root.ToString(CultureInfo.InvariantCulture));
        return Process(root, withReapedChildren: true) + children.Sum(pid => Process(pid));
    }

    /// <summary>The fields of /proc/PID/stat after the command name (which may hold spaces), or null once the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
