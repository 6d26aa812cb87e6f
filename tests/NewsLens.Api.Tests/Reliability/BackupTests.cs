using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using NewsLens.Api.Tests.Infrastructure;

namespace NewsLens.Api.Tests.Reliability;

public sealed class BackupFactory : NewsLensFactory
{
    /// <summary>A key with only the admin scope: it may take backups, but not read or write.</summary>
    public const string OperatorKey = "operator-key-abcdefghijklmnop";

    public string BackupDirectory { get; } = Path.Combine(Path.GetTempPath(), "newslens-tests", "backups-" + Guid.NewGuid().ToString("N"));

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Backups:Directory", BackupDirectory),
        new("Auth:Keys:0:Scopes:0", "read"), new("Auth:Keys:0:Scopes:1", "write"), new("Auth:Keys:0:Scopes:2", "admin"),
        new("Auth:Keys:1:Name", "operator"), new("Auth:Keys:1:Sha256", Api.Infrastructure.ApiKeys.Hash(OperatorKey)), new("Auth:Keys:1:Scopes:0", "admin"),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(BackupDirectory))
        {
            Directory.Delete(BackupDirectory, recursive: true);
        }
    }
}

public class BackupTests(BackupFactory factory) : IClassFixture<BackupFactory>
{
    [Fact]
    public async Task ABackupTakenUnderWriteLoadIsIntactAndHoldsEveryEarlierAcknowledgedWrite()
    {
        var client = factory.CreateClient();
        var acknowledged = new ConcurrentDictionary<long, long>();   // story id → time it was acknowledged
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var writer = factory.CreateClient();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var response = await writer.PostAsJsonAsync("/v1/stories", new { title = $"Writer {w} story {i}" });
                var story = await response.ReadJsonAsync(HttpStatusCode.Created);
                acknowledged[(long)story["id"]!] = Environment.TickCount64;
            }
        })).ToList();

        // Let the writers get going: the backup must start while writes are being acknowledged.
        for (var waited = 0; acknowledged.Count < 20 && waited < 30_000; waited += 10)
        {
            await Task.Delay(10);
        }

        var startedAt = Environment.TickCount64;
        var before = acknowledged.Where(a => a.Value <= startedAt).Select(a => a.Key).ToList();
        var response = await client.PostAsync("/v1/admin/backups", null);
        await Task.Delay(200);
        stop.Cancel();
        await Task.WhenAll(writers);

        var backup = await response.ReadJsonAsync(HttpStatusCode.OK);
        var file = Path.Combine(factory.BackupDirectory, (string)backup["file"]!);
        Assert.True(File.Exists(file));
        Assert.Equal(new FileInfo(file).Length, (long)backup["bytes"]!);
        Assert.DoesNotContain(Path.DirectorySeparatorChar, (string)backup["file"]!);
        Assert.NotEmpty(before);

        await using var copy = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        await using (var check = copy.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
        }

        var inCopy = new HashSet<long>();
        await using (var read = copy.CreateCommand())
        {
            read.CommandText = "SELECT id FROM stories";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                inCopy.Add(reader.GetInt64(0));
            }
        }

        Assert.All(before, id => Assert.Contains(id, inCopy));
    }

    [Fact]
    public async Task BackupsNeedAKey()
    {
        await (await factory.CreateAnonymousClient().PostAsync("/v1/admin/backups", null)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AKeyWithOnlyTheAdminScopeTakesBackupsButCannotWrite()
    {
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(Api.Infrastructure.ApiKeys.Header, BackupFactory.OperatorKey);

        var backup = await (await client.PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);
        var refused = await (await client.PostAsJsonAsync("/v1/stories", new { title = "By the operator" })).ReadProblemAsync(HttpStatusCode.Forbidden);

        Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, (string)backup["file"]!)));
        Assert.Equal("This API key lacks the 'write' scope.", (string?)refused["detail"]);
    }

    [Fact]
    public async Task TheBackupCommandCopiesTheConfiguredDatabase()
    {
        var client = factory.CreateClient();
        var story = await new ApiDriver(client).CreateStoryAsync("Kept by the command");
        var file = Path.Combine(factory.BackupDirectory, "command.db");

        Assert.True(await NewsLens.Api.Backups.BackupCommand.TryRunAsync(["backup", file, $"--ConnectionStrings:NewsLens={factory.ConnectionString}"]));

        await using var copy = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        await using var read = copy.CreateCommand();
        read.CommandText = "SELECT title FROM stories WHERE id = $id";
        read.Parameters.AddWithValue("$id", (long)story["id"]!);
        Assert.Equal("Kept by the command", (string?)await read.ExecuteScalarAsync());
    }
}
