using Npgsql;
using NewsLens.Api.Storage;

namespace NewsLens.Api.Tests.Storage;

/// <summary>What the PostgreSQL engine adds to the connection string it is given, and that the given string wins.</summary>
public class PostgreSqlConnectionSettingsTests
{
    [Fact]
    public async Task RepeatedStatementsArePreparedUnlessTheConnectionStringSaysOtherwise()
    {
        await using var defaults = new PostgreSqlDatabase("Host=db.invalid;Database=newslens;Username=newslens");
        var added = new NpgsqlConnectionStringBuilder(defaults.ConnectionString);
        Assert.Equal(64, added.MaxAutoPrepare);
        Assert.Equal(5, added.Timeout);
        Assert.Contains("lock_timeout=10000", added.Options);

        await using var behindPgBouncer = new PostgreSqlDatabase("Host=db.invalid;Database=newslens;Username=newslens;Max Auto Prepare=0;Timeout=30");
        var given = new NpgsqlConnectionStringBuilder(behindPgBouncer.ConnectionString);
        Assert.Equal(0, given.MaxAutoPrepare);
        Assert.Equal(30, given.Timeout);
    }
}
