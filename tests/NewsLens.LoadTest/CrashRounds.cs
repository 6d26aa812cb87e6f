using System.Diagnostics;

namespace NewsLens.LoadTest;

/// <summary>
/// Crash consistency (issue 6, suite 2): rounds of start server → write load → SIGKILL at a random moment →
/// restart; after each restart the database must pass its engine's storage check (<see cref="ServerDatabase.CheckStorageAsync"/>),
/// be ready, hold every write the server acknowledged before the kill, and every summary must equal a recount (no
/// half-applied write is visible). On PostgreSQL only the service dies; the database server keeps running.
/// </summary>
static class CrashRounds
{
    public static async Task<int> RunAsync(LoadTestOptions options, ServerDatabase database, List<LoadClient> clients, Stats stats, HttpClient http)
    {
        var random = new Random(options.Seed);
        var failures = 0;
        // Synchronized: each server's stdout and stderr arrive on threads of their own.
        using var serverLog = options.ServerLog is null ? TextWriter.Null : TextWriter.Synchronized(new StreamWriter(options.ServerLog, append: true) { AutoFlush = true });
        for (var round = 1; round <= options.CrashRounds; round++)
        {
            using var server = Start(options, database, serverLog);
            await WaitReadyAsync(http);
            var run = TimeSpan.FromSeconds(random.Next(3, 7));
            var killAt = TimeSpan.FromMilliseconds(random.Next(800, (int)run.TotalMilliseconds - 500));
            var load = Task.WhenAll(clients.Select(c => c.RunAsync(run)));
            await Task.Delay(killAt);
            // The last round stops the server gracefully (SIGTERM): requests in flight must finish, none may
            // fail with a 5xx. The others kill it outright (SIGKILL): no shutdown, no flush.
            var graceful = round == options.CrashRounds;
            if (graceful)
            {
                using var term = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await term!.WaitForExitAsync();
            }
            else
            {
                server.Kill(entireProcessTree: true);
            }

            await server.WaitForExitAsync();
            await load;

            using var restarted = Start(options, database, serverLog);
            await WaitReadyAsync(http);
            var storage = await database.CheckStorageAsync();
            var lost = 0;
            foreach (var client in clients)
            {
                lost += await client.VerifyAsync();
            }

            var (summaries, mismatched) = await Recount.CompareAsync(database);
            Console.WriteLine($"round {round}: {(graceful ? "SIGTERM" : "SIGKILL")} after {killAt.TotalSeconds:F1} s (exit code {server.ExitCode}); {storage.Report}; {stats.Acknowledged} writes acknowledged so far, " +
                $"{lost} lost or wrong; {summaries} summaries, {mismatched} differ from a recount");
            failures += (storage.Passed ? 0 : 1) + lost + mismatched + (graceful && server.ExitCode != 0 ? 1 : 0);
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }

        Console.WriteLine($"crash ({database.StorageEngine}): {options.CrashRounds} rounds, {stats.Requests} requests, {stats.Acknowledged} writes acknowledged, " +
            $"{stats.UnansweredCount} requests unanswered (cut off or refused while the server was down), {stats.ServerErrors} 5xx, {failures} failures (lost writes, failed storage checks, summary mismatches)");
        foreach (var error in stats.Errors.Take(10))
        {
            Console.WriteLine("  " + error);
        }

        var failed = failures + stats.ServerErrors;
        Console.WriteLine($"crash ({database.StorageEngine}): {(failed == 0 ? "passed" : "FAILED")}");
        return failed == 0 ? 0 : 1;
    }

    private static Process Start(LoadTestOptions options, ServerDatabase database, TextWriter log)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{options.ServerDll}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = options.BaseUrl;
        start.Environment["Storage__Engine"] = database.StorageEngine;
        start.Environment["ConnectionStrings__NewsLens"] = database.ServerConnectionString;
        start.Environment["Auth__Keys__0__Name"] = "crash";
        start.Environment["Auth__Keys__0__Sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(options.ApiKey)));
        start.Environment["RateLimiting__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        DataReceivedEventHandler write = (_, line) =>
        {
            if (line.Data is not null)
            {
                log.WriteLine(line.Data);
            }
        };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("The server did not become ready.");
    }
}
