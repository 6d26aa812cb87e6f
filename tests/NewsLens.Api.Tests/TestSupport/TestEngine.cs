using System.Reflection;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>Names the engine a test assembly runs the suite on; without it, SQLite.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class TestEngineAttribute(StorageEngine engine) : Attribute
{
    public StorageEngine Engine => engine;
}

/// <summary>
/// The engine this test run uses. Both test assemblies compile the same sources: NewsLens.Api.Tests runs them on
/// SQLite, NewsLens.Api.Tests.PostgreSql (marked with <see cref="TestEngineAttribute"/>) on PostgreSQL.
/// </summary>
public static class TestEngine
{
    public static StorageEngine Current { get; } =
        typeof(TestEngine).Assembly.GetCustomAttribute<TestEngineAttribute>()?.Engine ?? StorageEngine.Sqlite;

    /// <summary>The service's <c>Storage:Engine</c> setting for <see cref="Current"/>.</summary>
    public static string Setting => Current == StorageEngine.Sqlite ? "sqlite" : "postgresql";

    /// <summary>Why no test of this run can run here (PostgreSQL is not installed), or null when they can.</summary>
    public static string? Unavailable =>
        Current == StorageEngine.PostgreSql && !PostgreSqlCluster.Available ? $"PostgreSQL is not available: {PostgreSqlCluster.Reason}" : null;
}
