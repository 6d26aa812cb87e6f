// Concurrent load against a running NewsLens server (issue 6, suite 1): N clients for a bounded time,
// each creating, linking, unlinking, re-rating and deleting its own data and reading coverage and lists,
// logging every write the server acknowledged. Afterwards every acknowledged write must be there with its
// final value, no answer may be a 5xx, and every story's summary must equal a recount from its links.
//
// With --crash-rounds, it starts the server itself and kills it mid-load instead (issue 6, suite 2: CrashRounds.cs).
//
//   dotnet run --project tests/NewsLens.LoadTest -- --base-url http://127.0.0.1:5000 --api-key KEY --db /path/newslens.db [--clients 16] [--seconds 20]
//   dotnet run --project tests/NewsLens.LoadTest -- --base-url URL --api-key KEY --db PATH --crash-rounds 5 --server-dll PATH [--clients 16] [--seed 1]
using NewsLens.LoadTest;

var options = LoadTestOptions.Parse(args);
var stats = new Stats();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 }) { BaseAddress = new Uri(options.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);

var clients = Enumerable.Range(0, options.Clients).Select(i => new LoadClient(i, http, stats, options.Seed + i)).ToList();
return options.CrashRounds > 0
    ? await CrashRounds.RunAsync(options, clients, stats, http)
    : await LoadRun.RunAsync(options, clients, stats);
