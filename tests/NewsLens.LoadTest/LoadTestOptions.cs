namespace NewsLens.LoadTest;

/// <summary>What one run is told on its command line (<see cref="LoadTestCommand"/>).</summary>
sealed record LoadTestOptions(string BaseUrl, string ApiKey, Engine Engine, string Database, int Clients, int Seconds, int Seed, int CrashRounds, string? ServerDll, string? ServerLog);

/// <summary>The server's storage engine (its <c>Storage:Engine</c>), which says what <c>--db</c> names.</summary>
enum Engine
{
    Sqlite,
    PostgreSql,
}
