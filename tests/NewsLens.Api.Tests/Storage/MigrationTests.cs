namespace NewsLens.Api.Tests.Storage;

public class MigrationTests
{
    [Fact]
    public async Task ADatabaseMigratedByANewerBuildRefusesToStart()
    {
        using var factory = new NewsLensFactory();
        (await factory.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        await using (var connection = await factory.OpenDatabaseAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_versions (ScriptName, Applied) VALUES ('NewsLens.Api.Migrations.9999_from_the_future.sql', '2030-01-01 00:00:00')";
            await command.ExecuteNonQueryAsync();
        }

        using var newer = new SameDatabaseFactory(factory.ConnectionString);
        var error = Assert.ThrowsAny<Exception>(() => newer.CreateClient());

        var message = Flatten(error);
        Assert.Contains("migrated by a newer NewsLens", message);
        Assert.Contains("9999_from_the_future.sql", message);
    }

    private static string Flatten(Exception? exception)
    {
        var messages = new List<string>();
        for (; exception is not null; exception = exception.InnerException)
        {
            messages.Add(exception.Message);
        }

        return string.Join(" | ", messages);
    }
}
