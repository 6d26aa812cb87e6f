// Concurrent load against a running NewsLens server (issue 6, suite 1): N clients for a bounded time,
// each creating, linking, unlinking, re-rating and deleting its own data and reading coverage and lists,
// logging every write the server acknowledged. Afterwards every acknowledged write must be there with its
// final value, no answer may be a 5xx, and every story's summary must equal a recount from its links.
//
// With --crash-rounds, it starts the server itself and kills it mid-load instead (issue 6, suite 2: CrashRounds.cs).
//
// --db names the server's database, for the recount: its SQLite file, or with --engine postgresql its Npgsql connection string.
//
//   dotnet run --project tests/NewsLens.LoadTest -- --base-url http://127.0.0.1:5000 --api-key KEY --db /path/newslens.db [--clients 16] [--seconds 20]
//   dotnet run --project tests/NewsLens.LoadTest -- --base-url URL --api-key KEY --engine postgresql --db 'Host=…;Database=…;Username=…;Password=…' [--seconds 20]
//   dotnet run --project tests/NewsLens.LoadTest -- --base-url URL --api-key KEY --db PATH --crash-rounds 5 --server-dll PATH [--clients 16] [--seed 1]
using System.CommandLine;
using NewsLens.LoadTest;

var parsed = LoadTestCommand.Create(RunAsync).Parse(args, LoadTestCommand.Parsing);
if (parsed.Errors.Count > 0)
{
    // 2, not 1: the scripts read 1 as a run that found lost writes, 5xx answers or summary mismatches.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("--help lists the options.");
    return 2;
}

// An exception ends the run with its stack trace, and Ctrl+C stops it at once, as without System.CommandLine.
return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });

static async Task<int> RunAsync(LoadTestOptions options)
{
    var stats = new Stats();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 }) { BaseAddress = new Uri(options.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
    http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);

    var database = ServerDatabase.For(options);
    var clients = Enumerable.Range(0, options.Clients).Select(i => new LoadClient(i, http, stats, options.Seed + i)).ToList();
    return options.CrashRounds > 0
        ? await CrashRounds.RunAsync(options, database, clients, stats, http)
        : await LoadRun.RunAsync(options, database, clients, stats);
}
