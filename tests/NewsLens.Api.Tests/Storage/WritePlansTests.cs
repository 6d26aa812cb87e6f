using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace NewsLens.Api.Tests.Storage;

/// <summary>
/// On PostgreSQL a write's statements use the generic plan (its preamble sets it for the transaction only), and reads
/// keep PostgreSQL's default, including on a connection a write has just given back to the pool.
/// </summary>
public class WritePlansTests(NewsLensFactory factory) : ApiTests(factory)
{
    [PostgreSqlFact("the plans of a write's statements")]
    public async Task AWritePlansItsStatementsOnceAndLeavesReadsToTheDefault()
    {
        _ = Factory.CreateClient();
        var database = Factory.Services.GetRequiredService<Database>();

        var inWrite = await database.WriteAsync(write =>
            write.Connection.QuerySingleAsync<string>(write.Command("SHOW plan_cache_mode", null, CancellationToken.None)), CancellationToken.None);
        Assert.Equal("force_generic_plan", inWrite);

        // The pool hands the same connection out again; SET LOCAL ended with the transaction.
        for (var read = 0; read < 3; read++)
        {
            await using var connection = await database.OpenAsync();
            Assert.Equal("auto", await connection.QuerySingleAsync<string>("SHOW plan_cache_mode"));
        }
    }
}
