namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// Another service process on a database a factory already made (<paramref name="connectionString"/>; null: a fresh
/// one), with extra settings. It makes no database of its own and leaves the one it was given alone.
/// </summary>
public sealed class SameDatabaseFactory(string? connectionString, params KeyValuePair<string, string?>[] settings) : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. connectionString is null ? [] : new KeyValuePair<string, string?>[] { new("ConnectionStrings:NewsLens", connectionString) }, .. settings];
}
