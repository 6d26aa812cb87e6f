using Dapper;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Storage;

public sealed class StorageSettings
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the default: a file beside the service) or <c>postgresql</c> (a server; any number of service processes).</summary>
    public string Engine { get; set; } = "sqlite";

    /// <summary>The engine <see cref="Engine"/> names, or null when it names none.</summary>
    public static StorageEngine? ParseEngine(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "sqlite" => StorageEngine.Sqlite,
        "postgresql" or "postgres" => StorageEngine.PostgreSql,
        _ => null,
    };

    /// <summary>
    /// SQLite: how often <c>PRAGMA quick_check</c> reads the whole database for damage; the first check runs right after
    /// start. Zero switches the check off.
    /// </summary>
    public TimeSpan IntegrityCheckInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// PostgreSQL: how long the service waits at start for its database server to accept connections (a replica that
    /// starts with, or just before, the server) before it gives up and exits.
    /// </summary>
    public TimeSpan StartupWait { get; set; } = TimeSpan.FromSeconds(60);
}
