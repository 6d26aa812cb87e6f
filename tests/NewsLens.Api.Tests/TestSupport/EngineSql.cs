namespace NewsLens.Api.Tests.TestSupport;

/// <summary>The SQL that tests reading the database directly must say differently on each engine.</summary>
public static class EngineSql
{
    /// <summary>The names of the database's tables, in name order.</summary>
    public static string TableNames => TestEngine.Current == StorageEngine.Sqlite
        ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name";
}
