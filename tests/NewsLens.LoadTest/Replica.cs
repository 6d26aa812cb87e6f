using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NewsLens.LoadTest;

/// <summary>The replicas' rate limits for one start: a token bucket per key, shared through Redis when it is named.</summary>
sealed record ReplicaRateLimits(int TokenLimit, int TokensPerPeriod, TimeSpan ReplenishmentPeriod, string? Redis);

/// <summary>
/// One API process of a cluster run: the published server on its own loopback address and the run's PostgreSQL
/// database, started, killed and stopped by the run. Its output goes to the servers' log, each line marked with its name.
/// </summary>
sealed class Replica(int number, string url, LoadTestOptions options, ServerDatabase database, TextWriter log) : IDisposable
{
    private Process? process;

    /// <summary>The replica's server name in the proxy's configuration (deploy/haproxy.cfg: api1, api2, …).</summary>
    public string Name { get; } = $"api{number}";

    public string Url => url;

    /// <summary>Requests straight to this replica, past the proxy, with the run's key.</summary>
    public HttpClient Http { get; } = Client(url, options.ApiKey);

    /// <summary>The second key every replica accepts, used only by the rate-limit burst so that no other traffic shares its bucket.</summary>
    public static string BurstKey(LoadTestOptions options) => options.ApiKey + "-burst";

    public static HttpClient Client(string baseUrl, string apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    public void Start(ReplicaRateLimits? limits = null)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{options.ServerDll}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["Storage__Engine"] = database.StorageEngine;
        start.Environment["ConnectionStrings__NewsLens"] = database.ServerConnectionString;
        start.Environment["Auth__Keys__0__Name"] = "cluster";
        start.Environment["Auth__Keys__0__Sha256"] = Sha256(options.ApiKey);
        start.Environment["Auth__Keys__1__Name"] = "burst";
        start.Environment["Auth__Keys__1__Sha256"] = Sha256(BurstKey(options));
        start.Environment["RateLimiting__Enabled"] = limits is null ? "false" : "true";
        if (limits is not null)
        {
            start.Environment["RateLimiting__TokenLimit"] = limits.TokenLimit.ToString(CultureInfo.InvariantCulture);
            start.Environment["RateLimiting__TokensPerPeriod"] = limits.TokensPerPeriod.ToString(CultureInfo.InvariantCulture);
            start.Environment["RateLimiting__ReplenishmentPeriod"] = limits.ReplenishmentPeriod.ToString("c", CultureInfo.InvariantCulture);
            if (limits.Redis is not null)
            {
                start.Environment["RateLimiting__Redis"] = limits.Redis;
            }
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        process?.Dispose();
        process = Process.Start(start)!;
        DataReceivedEventHandler write = (_, line) =>
        {
            if (line.Data is not null)
            {
                log.WriteLine($"[{Name}] {line.Data}");
            }
        };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Waits until /health/ready answers 200; false when it did not within the time, or the process ended.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within && process is { HasExited: false })
        {
            if (await IsReadyAsync())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: no shutdown at all, as when the machine under it dies.</summary>
    public async Task KillAsync()
    {
        if (!process!.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stops a replica; returns the exit code once the process has ended.</summary>
    public async Task<int> StopAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", process!.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process?.Dispose();
        Http.Dispose();
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
