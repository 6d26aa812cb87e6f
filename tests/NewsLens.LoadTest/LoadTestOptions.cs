namespace NewsLens.LoadTest;

/// <summary>What one run is told on its command line (<see cref="LoadTestCommand"/>).</summary>
sealed record LoadTestOptions(string BaseUrl, string ApiKey, Engine Engine, string Database, int Clients, int Seconds, int Seed, int CrashRounds, string? ServerDll, string? ServerLog)
{
    /// <summary>A cluster run (<see cref="ClusterRun"/>) when not empty: the replicas' own addresses, behind <see cref="BaseUrl"/>, a proxy.</summary>
    public IReadOnlyList<string> Replicas { get; init; } = [];

    /// <summary>The proxy's stats page as CSV (HAProxy's <c>/stats;csv</c>): which replicas it sends requests to.</summary>
    public string? ProxyStats { get; init; }

    /// <summary>Redis (<c>host:port</c>) for the replicas' shared rate limits (<c>RateLimiting:Redis</c>).</summary>
    public string? Redis { get; init; }

    /// <summary>A shell command that restarts the PostgreSQL server mid-load.</summary>
    public string? PostgresRestart { get; init; }
}

/// <summary>The server's storage engine (its <c>Storage:Engine</c>), which says what <c>--db</c> names.</summary>
enum Engine
{
    Sqlite,
    PostgreSql,
}
