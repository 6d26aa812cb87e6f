using System.CommandLine;

namespace NewsLens.LoadTest;

/// <summary>The command line. tests/reliability/load.sh and crash.sh pass these names; keep them and their defaults.</summary>
static class LoadTestCommand
{
    /// <summary>Values are taken as written: a token that starts with '@' is a value, not a response file to read.</summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Create(Func<LoadTestOptions, Task<int>> run)
    {
        Option<string> baseUrl = new("--base-url") { Description = "The server's address, such as http://127.0.0.1:5000.", Required = true };
        Option<string> apiKey = new("--api-key") { Description = "An API key with the read and write scopes; with --crash-rounds, the one key the started server accepts.", Required = true };
        Option<Engine> engine = new("--engine") { Description = "The server's storage engine: sqlite or postgresql.", DefaultValueFactory = _ => Engine.Sqlite };
        Option<string> database = new("--db")
        {
            Description = "The server's database, read at the end to recount every story's summary: the SQLite file, or with --engine postgresql the Npgsql connection string.",
            Required = true,
        };
        Option<int> clients = new("--clients") { Description = "Clients writing and reading at once.", DefaultValueFactory = _ => 16 };
        Option<int> seconds = new("--seconds") { Description = "How long the load runs (without --crash-rounds).", DefaultValueFactory = _ => 20 };
        Option<int> seed = new("--seed") { Description = "Seed of the clients' choices and of the moments the server is killed.", DefaultValueFactory = _ => 1 };
        Option<int> crashRounds = new("--crash-rounds") { Description = "Rounds of start, load, kill and restart of the server; 0 runs load against a running server.", DefaultValueFactory = _ => 0 };
        Option<string?> serverDll = new("--server-dll") { Description = "The published NewsLens.Api.dll that --crash-rounds starts." };
        Option<string?> serverLog = new("--server-log") { Description = "A file the servers that --crash-rounds starts write their output to (appended); without it, their output is dropped." };

        var command = new RootCommand("Concurrent load, or crash rounds, against a NewsLens server. Exit code 0 when every check passed, 1 when one failed.")
        {
            baseUrl, apiKey, engine, database, clients, seconds, seed, crashRounds, serverDll, serverLog,
        };
        command.SetAction(result => run(new LoadTestOptions(
            result.GetRequiredValue(baseUrl).TrimEnd('/'),
            result.GetRequiredValue(apiKey),
            result.GetValue(engine),
            result.GetRequiredValue(database),
            result.GetValue(clients),
            result.GetValue(seconds),
            result.GetValue(seed),
            result.GetValue(crashRounds),
            result.GetValue(serverDll),
            result.GetValue(serverLog))));
        return command;
    }
}
