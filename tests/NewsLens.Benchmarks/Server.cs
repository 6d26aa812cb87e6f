using System.Diagnostics;
using System.Globalization;

namespace NewsLens.Benchmarks;

/// <summary>The published NewsLens server as a child process on loopback, with its start-to-ready time and peak RSS.</summary>
public sealed class Server : IAsyncDisposable
{
    private readonly Process process;

    private Server(Process process, string baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int Pid => process.Id;

    /// <summary>From process start to the first passing <c>/health/ready</c>.</summary>
    public TimeSpan StartToReady { get; private set; }

    public static async Task<Server> StartAsync(string serverDll, BenchEngine engine, BenchDatabase database, string apiKeySha256, int port)
    {
        var baseUrl = $"http://127.0.0.1:{port}";
        // Started from its publish folder, as in the container image (WORKDIR /app): the content root is the
        // folder the configuration files are watched in, and watching the repository instead costs half a second.
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(serverDll))!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["Storage__Engine"] = engine.Name;
        start.Environment["ConnectionStrings__NewsLens"] = database.ConnectionString;
        start.Environment["Auth__Keys__0__Name"] = "benchmark";
        start.Environment["Auth__Keys__0__Sha256"] = apiKeySha256;
        // The benchmark measures the server, not the limiter protecting it from one client.
        start.Environment["RateLimiting__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // As the container image sets it (Dockerfile): fewer glibc malloc arenas, less resident memory after imports.
        start.Environment["MALLOC_ARENA_MAX"] = "2";
        start.Environment["Logging__LogLevel__NewsLens"] = "Information";
        // Plain log lines: the report quotes the server's import log.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new Server(process, baseUrl);
        process.OutputDataReceived += (_, e) => server.Log(e.Data);
        process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode} before it was ready:\n{string.Join('\n', server.lines)}");
            }

            try
            {
                using var response = await http.GetAsync($"{baseUrl}/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    server.StartToReady = clock.Elapsed;
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(5);
        }

        await server.DisposeAsync();
        throw new TimeoutException("The server was not ready within 60 s.");
    }

    private readonly List<string> lines = [];

    /// <summary>Lines the server logged that carry a measured rate (the article import's).</summary>
    public IReadOnlyList<string> ImportLogLines { get { lock (lines) { return [.. lines.Where(l => l.Contains("rows/s", StringComparison.Ordinal))]; } } }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            if (lines.Count < 10_000)
            {
                lines.Add(line);
            }
        }
    }

    /// <summary>The process's peak resident set (VmHWM) so far, in MiB.</summary>
    public double PeakRssMiB() => ReadStatusKiB("VmHWM:") / 1024.0;

    private long ReadStatusKiB(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Stops the server the way a supervisor would (SIGTERM) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
    }
}
