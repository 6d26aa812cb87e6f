using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace NewsLens.LoadTest;

/// <summary>The server's SQLite file: read beside the server, and checked page by page with integrity_check.</summary>
sealed class SqliteServerDatabase(string path) : ServerDatabase
{
    public override string StorageEngine => "sqlite";

    public override string ServerConnectionString => $"Data Source={path}";

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<(bool Passed, string Report)> CheckStorageAsync()
    {
        await using var connection = await OpenAsync();
        var result = await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check") ?? "no answer";
        return (result == "ok", $"integrity_check {result}");
    }
}
