using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NewsLens.Api.Backups;

namespace NewsLens.Api.Tests.Backups;

/// <summary>
/// The server's free-space probe for tests: the real drive's figure unless told otherwise, and it can hold the
/// next backup at the probe (the backup has its name and turn by then) until the test lets it go on.
/// </summary>
public sealed class TestDisk
{
    private readonly Lock gate = new();
    private Hold? next;

    /// <summary>What the probe reports; null for the real drive's free space.</summary>
    public long? FreeBytes { get; set; }

    public Hold HoldNextBackup()
    {
        var hold = new Hold();
        lock (gate)
        {
            next = hold;
        }

        return hold;
    }

    public long Free(string directory)
    {
        Hold? hold;
        lock (gate)
        {
            (hold, next) = (next, null);
        }

        if (hold is not null)
        {
            hold.Reached.TrySetResult();
            hold.Released.Wait(TimeSpan.FromSeconds(30));
        }

        return FreeBytes ?? ServerBackups.FreeBytesOnDrive(directory);
    }

    public sealed class Hold : IDisposable
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Released { get; } = new();

        public void Release() => Released.Set();

        public void Dispose() => Released.Set();
    }
}

/// <summary>A clock the test sets, so that it knows the name the next backup gets.</summary>
public sealed class TestClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

public sealed class BackupFactory : NewsLensFactory
{
    /// <summary>A key with only the admin scope: it may take backups, but not read or write.</summary>
    public const string OperatorKey = "operator-key-abcdefghijklmnop";

    public string BackupDirectory { get; } = Path.Combine(Path.GetTempPath(), "newslens-tests", "backups-" + Guid.NewGuid().ToString("N"));

    public const int Keep = 3;

    public TestDisk Disk { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Backups:Directory", BackupDirectory), new("Backups:Keep", Keep.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Auth:Keys:0:Scopes:0", "read"), new("Auth:Keys:0:Scopes:1", "write"), new("Auth:Keys:0:Scopes:2", "admin"),
        new("Auth:Keys:1:Name", "operator"), new("Auth:Keys:1:Sha256", NewsLens.Api.Security.ApiKeys.Hash(OperatorKey)), new("Auth:Keys:1:Scopes:0", "admin"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<FreeDiskSpace>(Disk.Free));
    }

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
    [SqliteFact("SQLite backup files, read with SQLite")]
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

    [SqliteFact("server backups, which copy the SQLite file (PostgreSQL is backed up with pg_dump)")]
    public async Task AKeyWithOnlyTheAdminScopeTakesBackupsButCannotWrite()
    {
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(NewsLens.Api.Security.ApiKeys.Header, BackupFactory.OperatorKey);

        var backup = await (await client.PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);
        var refused = await (await client.PostAsJsonAsync("/v1/stories", new { title = "By the operator" })).ReadProblemAsync(HttpStatusCode.Forbidden);

        Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, (string)backup["file"]!)));
        Assert.Equal("This API key lacks the 'write' scope.", (string?)refused["detail"]);
    }

    [SqliteFact("SQLite backup files, read with SQLite")]
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

    [SqliteFact("SQLite backup files, their header's journal mode")]
    public async Task ABackupIsOneSelfContainedFileWithNothingLeftBeside()
    {
        var backup = await (await factory.CreateClient().PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);

        var file = Path.Combine(factory.BackupDirectory, (string)backup["file"]!);
        // Bytes 18 and 19 of the header: 1 for a rollback journal, 2 for WAL (which would need a -wal beside it).
        var header = new byte[20];
        await using (var stream = File.OpenRead(file))
        {
            await stream.ReadExactlyAsync(header);
        }

        Assert.Equal([1, 1], header[18..20]);
        Assert.Empty(Leftovers());
    }

    [SqliteFact("server backups, which copy the SQLite file (PostgreSQL is backed up with pg_dump)")]
    public async Task ConcurrentBackupsRunOneAtATimeAndTheOthersAre409NamingIt()
    {
        var client = factory.CreateClient();
        Task<HttpResponseMessage> first;
        HttpResponseMessage[] others;
        using (var hold = factory.Disk.HoldNextBackup())
        {
            first = client.PostAsync("/v1/admin/backups", null);
            await hold.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            others = await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => client.PostAsync("/v1/admin/backups", null)));
        }

        var backup = await (await first).ReadJsonAsync(HttpStatusCode.OK);
        var running = (string)backup["file"]!;
        foreach (var other in others)
        {
            var problem = await other.ReadProblemAsync(HttpStatusCode.Conflict);
            Assert.Equal(running, (string?)problem["running"]);
            Assert.Contains(running, (string?)problem["detail"]);
        }

        Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, running)));
        Assert.Empty(Leftovers());
        // The turn is given back: the next backup runs.
        await (await client.PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);
    }

    [SqliteFact("server backups, which copy the SQLite file (PostgreSQL is backed up with pg_dump)")]
    public async Task TheNewestKeepBackupsAreKeptAndOnlyFilesTheServerNamedAreDeleted()
    {
        Directory.CreateDirectory(factory.BackupDirectory);
        string[] foreign = ["notes.txt", "newslens-latest.db", "newslens-20200101T000000000Z.db.bak", "20200101T000000000Z.db", "mine.db"];
        foreach (var name in foreign)
        {
            await File.WriteAllTextAsync(Path.Combine(factory.BackupDirectory, name), "not the server's");
        }

        Directory.CreateDirectory(Path.Combine(factory.BackupDirectory, "newslens-20200101T000000001Z.db"));
        var oldest = Path.Combine(factory.BackupDirectory, "newslens-20200101T000000000Z.db");
        await File.WriteAllTextAsync(oldest, "an old backup of the server's");

        var taken = new List<string>();
        for (var i = 0; i < BackupFactory.Keep + 2; i++)
        {
            var backup = await (await factory.CreateClient().PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);
            taken.Add((string)backup["file"]!);
        }

        var serverNamed = Directory.GetFiles(factory.BackupDirectory, "newslens-*.db").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(taken.TakeLast(BackupFactory.Keep).Order(), serverNamed.Where(n => n != "newslens-latest.db"));
        Assert.False(File.Exists(oldest));
        Assert.All(foreign, name => Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, name)), name));
        Assert.True(Directory.Exists(Path.Combine(factory.BackupDirectory, "newslens-20200101T000000001Z.db")));
    }

    [SqliteFact("SQLite backup files, needing more than the database file's size")]
    public async Task ABackupThatTheDiskHasNoRoomForIs507AndWritesNothing()
    {
        var client = factory.CreateClient();
        await client.PostAsync("/v1/admin/backups", null);
        var before = Directory.GetFileSystemEntries(factory.BackupDirectory).Order().ToList();
        HttpResponseMessage response;
        try
        {
            factory.Disk.FreeBytes = 10;
            response = await client.PostAsync("/v1/admin/backups", null);
        }
        finally
        {
            factory.Disk.FreeBytes = null;
        }

        var problem = await response.ReadProblemAsync(HttpStatusCode.InsufficientStorage);
        Assert.Equal("Insufficient Storage", (string?)problem["title"]);
        Assert.Equal("https://tools.ietf.org/html/rfc4918#section-11.5", (string?)problem["type"]);
        Assert.Contains("nothing was written", (string?)problem["detail"]);
        Assert.Equal(10, (long)problem["freeBytes"]!);
        Assert.True((long)problem["neededBytes"]! > new FileInfo(factory.DatabasePath).Length);
        Assert.Equal(before, Directory.GetFileSystemEntries(factory.BackupDirectory).Order());
    }

    [SqliteFact("SQLite backup files, copied by DatabaseBackup.CopyAsync")]
    public async Task TheBackupCommandLeavesNoPartialCopyWhenItCannotFinish()
    {
        // A directory where the copy should go: the copy is made, but cannot take the name.
        var destination = Path.Combine(factory.BackupDirectory, "in-the-way");
        Directory.CreateDirectory(destination);
        var database = factory.Services.GetRequiredService<NewsLens.Api.Storage.SqliteDatabase>();

        await Assert.ThrowsAnyAsync<IOException>(() => DatabaseBackup.CopyAsync(database, destination));

        Assert.Empty(Directory.GetFiles(factory.BackupDirectory, "in-the-way*"));
        Assert.Empty(Leftovers());
    }

    private IEnumerable<string> Leftovers() =>
        Directory.GetFiles(factory.BackupDirectory)
            .Where(path => path.EndsWith(".partial", StringComparison.Ordinal) || path.EndsWith("-wal", StringComparison.Ordinal) ||
                path.EndsWith("-shm", StringComparison.Ordinal) || path.EndsWith("-journal", StringComparison.Ordinal));
}

/// <summary>The API on a clock the test sets, so that a test knows the name of the next backup.</summary>
public sealed class ClockedBackupFactory : NewsLensFactory
{
    public string BackupDirectory { get; } = Path.Combine(Path.GetTempPath(), "newslens-tests", "backups-" + Guid.NewGuid().ToString("N"));

    public TestClock Clock { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Backups:Directory", BackupDirectory),
        new("Auth:Keys:0:Scopes:0", "read"), new("Auth:Keys:0:Scopes:1", "write"), new("Auth:Keys:0:Scopes:2", "admin"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(BackupDirectory))
        {
            Directory.Delete(BackupDirectory, recursive: true);
        }
    }
}

public class BackupFailureTests(ClockedBackupFactory factory) : IClassFixture<ClockedBackupFactory>
{
    [SqliteFact("server backups, which copy the SQLite file (PostgreSQL is backed up with pg_dump)")]
    public async Task BackupsInTheSameMillisecondGetTheirOwnNamesAndNeverReplaceOne()
    {
        factory.Clock.Now = new DateTimeOffset(2031, 5, 6, 7, 8, 9, 10, TimeSpan.Zero);
        var client = factory.CreateClient();

        var first = await (await client.PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);
        var second = await (await client.PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("newslens-20310506T070809010Z.db", (string?)first["file"]);
        Assert.Equal("newslens-20310506T070809010Z-2.db", (string?)second["file"]);
        Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, "newslens-20310506T070809010Z.db")));
        Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, "newslens-20310506T070809010Z-2.db")));
    }

    [SqliteFact("SQLite backup files, whose copy's journal is in the way")]
    public async Task ABackupThatFailsHalfWayIs503WithRetryAfterAndLeavesNoPartialFile()
    {
        factory.Clock.Now = new DateTimeOffset(2032, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var client = factory.CreateClient();
        await new ApiDriver(client).CreateStoryAsync("Written before the backup");
        // A directory where the copy's journal goes: the copy file is made, then writing it fails.
        var inTheWay = Path.Combine(factory.BackupDirectory, "newslens-20320101T000000000Z.db.partial-journal");
        Directory.CreateDirectory(inTheWay);
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync("/v1/admin/backups", null);
        }
        finally
        {
            Directory.Delete(inTheWay);
        }

        var problem = await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
        Assert.Contains("The backup failed", (string?)problem["detail"]);
        Assert.Contains("nothing was kept", (string?)problem["detail"]);
        Assert.DoesNotContain("nothing was changed", (string?)problem["detail"]);
        Assert.Empty(Directory.GetFiles(factory.BackupDirectory, "newslens-20320101T000000000Z*"));
        // The turn is given back: the next backup runs.
        await (await client.PostAsync("/v1/admin/backups", null)).ReadJsonAsync(HttpStatusCode.OK);
    }

    [SqliteTheory("SQLite error codes")]
    [InlineData(13, true)]    // SQLITE_FULL
    [InlineData(10, false)]   // SQLITE_IOERR
    [InlineData(14, false)]   // SQLITE_CANTOPEN
    [InlineData(5, false)]    // SQLITE_BUSY
    public void SqliteFailuresAreStorageFailuresAndAFullDiskIsTold(int code, bool diskFull)
    {
        Assert.Equal(diskFull, ServerBackups.Failure(new SqliteException("failed", code))?.DiskFull);
    }

    [Fact]
    public void AFullDiskInFileOperationsIsTold()
    {
        var noSpace = OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28;

        Assert.True(ServerBackups.Failure(new IOException("No space left on device", noSpace))?.DiskFull);
        Assert.False(ServerBackups.Failure(new IOException("Input/output error", 5))?.DiskFull);
        Assert.False(ServerBackups.Failure(new UnauthorizedAccessException())?.DiskFull);
        Assert.Null(ServerBackups.Failure(new InvalidOperationException()));
    }
}

public class BackupSettingsTests
{
    [Fact]
    public void KeepingFewerThanOneBackupStopsTheStart()
    {
        using var factory = new KeepNoneFactory();

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        Assert.Contains(messages, m => m.Contains("Backups:Keep must be 1 or more.", StringComparison.Ordinal));
    }

    private sealed class KeepNoneFactory : NewsLensFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Backups:Keep", "0")];
    }
}
