using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;

namespace NewsLens.LoadTest;

/// <summary>
/// Crash consistency (issue 6, suite 2): rounds of start server → write load → SIGKILL at a random moment →
/// restart; after each restart the database must pass integrity_check, be ready, hold every write the server
/// acknowledged before the kill, and every summary must equal a recount (no half-applied write is visible).
/// </summary>
static class CrashRounds
{
    public static async Task<int> RunAsync(LoadTestOptions options, List<LoadClient> clients, Stats stats, HttpClient http)
    {
        var random = new Random(options.Seed);
        var failures = 0;
        for (var round = 1; round <= options.CrashRounds; round++)
        {
            using var server = Start(options);
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

            using var restarted = Start(options);
            await WaitReadyAsync(http);
            var integrity = await IntegrityAsync(options.Database);
            var lost = 0;
            foreach (var client in clients)
            {
                lost += await client.VerifyAsync();
            }

            var (summaries, mismatched) = await Recount.CompareAsync(options.Database);
            Console.WriteLine($"round {round}: {(graceful ? "SIGTERM" : "SIGKILL")} after {killAt.TotalSeconds:F1} s (exit code {server.ExitCode}); integrity_check {integrity}; {stats.Acknowledged} writes acknowledged so far, " +
                $"{lost} lost or wrong; {summaries} summaries, {mismatched} differ from a recount");
            failures += (integrity == "ok" ? 0 : 1) + lost + mismatched + (graceful && server.ExitCode != 0 ? 1 : 0);
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }

        Console.WriteLine($"crash: {options.CrashRounds} rounds, {stats.Requests} requests, {stats.Acknowledged} writes acknowledged, " +
            $"{stats.UnansweredCount} requests unanswered (cut off or refused while the server was down), {stats.ServerErrors} 5xx, {failures} failures (lost writes, bad integrity, summary mismatches)");
        foreach (var error in stats.Errors.Take(10))
        {
            Console.WriteLine("  " + error);
        }

        var failed = failures + stats.ServerErrors;
        Console.WriteLine(failed == 0 ? "crash: passed" : "crash: FAILED");
        return failed == 0 ? 0 : 1;
    }

    private static Process Start(LoadTestOptions options)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{options.ServerDll}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = options.BaseUrl;
        start.Environment["ConnectionStrings__NewsLens"] = $"Data Source={options.Database}";
        start.Environment["Auth__Keys__0__Name"] = "crash";
        start.Environment["Auth__Keys__0__Sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(options.ApiKey)));
        start.Environment["RateLimiting__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
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

    private static async Task<string> IntegrityAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check") ?? "no answer";
    }
}
