namespace NewsLens.Api.Tests.TestSupport;

// Tests about SQLite itself (its WAL, its write lock, its files): they run on SQLite only, and every other engine's
// run reports them skipped with the SQLite feature they are about.

public sealed class SqliteFactAttribute : Xunit.FactAttribute
{
    public SqliteFactAttribute(string feature) => Skip = SqliteOnly.Skip(feature);
}

public sealed class SqliteTheoryAttribute : Xunit.TheoryAttribute
{
    public SqliteTheoryAttribute(string feature) => Skip = SqliteOnly.Skip(feature);
}

/// <remarks>The feature is a named argument: SkippableFact's discoverer reads the first constructor argument as the exceptions that skip.</remarks>
public sealed class SqliteSkippableFactAttribute(params Type[] skippingExceptions) : Xunit.SkippableFactAttribute(skippingExceptions)
{
    public string Feature
    {
        get => field ?? "";
        set => (field, Skip) = (value, SqliteOnly.Skip(value));
    }
}

internal static class SqliteOnly
{
    public static string? Skip(string feature) => TestEngine.Current == StorageEngine.Sqlite ? null : $"SQLite-specific: {feature}";
}
