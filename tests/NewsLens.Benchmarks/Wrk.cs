using System.Diagnostics;
using System.Text.Json;

namespace NewsLens.Benchmarks;

/// <summary>What one wrk run measured (parsed from the WRK_JSON line of tests/load/common.lua).</summary>
public sealed record WrkResult(
    long Requests, long DurationUs, long Bytes, long ConnectErrors, long ReadErrors, long WriteErrors,
    long StatusErrors, long Timeouts, long Unexpected, long Writes, long P50Us, long P90Us, long P99Us, long MaxUs, double MeanUs)
{
    public double RequestsPerSecond => Requests / (DurationUs / 1e6);

    /// <summary>Socket errors, timeouts, 4xx/5xx and answers with another status than the scenario expects.</summary>
    public long Errors => ConnectErrors + ReadErrors + WriteErrors + Timeouts + Math.Max(StatusErrors, Unexpected);
}

/// <summary>Runs wrk with one of the Lua scenarios in tests/load.</summary>
public sealed class Wrk(string luaDirectory, string baseUrl)
{
    public async Task<WrkResult> RunAsync(string script, int connections, TimeSpan duration, IReadOnlyDictionary<string, string> environment, int threads = 2)
    {
        threads = Math.Min(threads, connections);
        var start = new ProcessStartInfo("wrk",
            ["-t", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-d", $"{Math.Max(1, (int)duration.TotalSeconds)}s", "--timeout", "10s", "-s", Path.Combine(luaDirectory, script), baseUrl])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["LUA_DIR"] = luaDirectory;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("WRK_JSON ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk {script} printed no result (exit code {process.ExitCode}):\n{await output}\n{await errors}");
        var stderr = (await errors).Trim();
        if (stderr.Length > 0)
        {
            Console.Error.WriteLine($"wrk {script}: {stderr[..Math.Min(stderr.Length, 1000)]}");
        }

        return JsonSerializer.Deserialize<WrkResult>(line["WRK_JSON ".Length..], JsonSerializerOptions.Web)!;
    }
}
