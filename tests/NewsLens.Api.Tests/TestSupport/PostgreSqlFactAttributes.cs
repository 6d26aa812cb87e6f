namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// A test about PostgreSQL itself (its server going away, its connection pool): it runs in the PostgreSQL run only,
/// and the SQLite run reports it skipped with the feature it is about.
/// </summary>
public sealed class PostgreSqlFactAttribute : Xunit.FactAttribute
{
    public PostgreSqlFactAttribute(string feature) =>
        Skip = TestEngine.Current != StorageEngine.PostgreSql ? $"PostgreSQL-specific: {feature}" : TestEngine.Unavailable;
}
