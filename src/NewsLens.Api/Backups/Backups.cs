using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace NewsLens.Api.Backups;

public sealed class BackupSettings
{
    public const string Section = "Backups";

    /// <summary>Where <c>POST /v1/admin/backups</c> writes; relative to the content root.</summary>
    public string Directory { get; set; } = "data/backups";

    /// <summary>How many of the server's backups to keep there; older ones are deleted after each new one.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Backups:Keep must be 1 or more.")]
    public int Keep { get; set; } = 7;
}

/// <summary>A backup the server wrote: its file name (in Backups:Directory), size and time.</summary>
public sealed record BackupResponse(string File, long Bytes, DateTime CreatedAt);

/// <summary>
/// Online backups with SQLite's backup API: the copy is one consistent snapshot of the database while
/// the service goes on taking writes (in WAL mode readers and the backup never block the writer).
/// </summary>
public static class DatabaseBackup
{
    /// <summary>Retry-After on a backup that failed for a reason other than a full disk.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>
    /// Copies the live database to <paramref name="destination"/> and checks the copy. An existing destination is
    /// replaced when <paramref name="overwrite"/> is true and is an <see cref="IOException"/> otherwise. The copy is one
    /// self-contained file; on any failure nothing is left behind, not even a partial copy or its journals.
    /// </summary>
    public static async Task<long> CopyAsync(SqliteDatabase database, string destination, bool overwrite = true, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = destination + ".partial";
        DeleteWithJournals(temporary);
        try
        {
            await using (var source = (SqliteConnection)await database.OpenAsync(ct))
            await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
            {
                await target.OpenAsync(ct);
                source.BackupDatabase(target);
                // The copy carries the live database's WAL flag; back in rollback-journal mode it is one file, with no
                // -wal or -shm beside it to lose or to mix up with another copy's (the service turns WAL on at start).
                var mode = await target.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = DELETE", cancellationToken: ct));
                if (mode != "delete")
                {
                    throw new IOException($"The backup copy stayed in journal mode '{mode}'.");
                }

                var result = await target.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA integrity_check", cancellationToken: ct));
                if (result != "ok")
                {
                    throw new IOException($"The backup copy failed its integrity check: {result}");
                }
            }

            // The finished copy takes its name in one rename, so a reader never sees half a file.
            File.Move(temporary, destination, overwrite);
        }
        catch
        {
            DeleteWithJournals(temporary);
            throw;
        }

        return new FileInfo(destination).Length;
    }

    /// <summary>The database's size in bytes (its pages, as a copy made now would hold them).</summary>
    public static async Task<long> SizeAsync(SqliteDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", cancellationToken: ct));
    }

    private static void DeleteWithJournals(string path)
    {
        foreach (var file in new[] { path, path + "-journal", path + "-wal", path + "-shm" })
        {
            try
            {
                if (File.Exists(file))
                {
                    File.Delete(file);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done here; the server's next backup deletes what is left.
            }
        }
    }

    /// <summary>Why a server on PostgreSQL takes no backups of its own.</summary>
    public const string NotThisEngine =
        "This server keeps its data in PostgreSQL, which backs itself up: use pg_dump, or base backups with WAL archiving (docs/operations.md). " +
        "The backup endpoint copies SQLite databases only.";

    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddOptions<BackupSettings>().BindConfiguration(BackupSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FreeDiskSpace>(ServerBackups.FreeBytesOnDrive);
        services.AddSingleton<ServerBackups>();
        return services;
    }

    public static RouteGroupBuilder MapBackups(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/admin").WithTags("Admin").RequireAuthorization(ApiKeys.AdminPolicy);
        group.MapPost("/backups", CreateBackup)
            .WithName("createBackup")
            .WithSummary("Take an online backup")
            .WithDescription("Writes a consistent copy of the database into the server's Backups:Directory while the service keeps " +
                "taking writes, checks it with PRAGMA integrity_check, and answers its file name. One backup runs at a time; the newest " +
                "Backups:Keep are kept and older ones deleted. Needs an API key with the admin scope.");
        return group;
    }

    public static async Task<Results<Ok<BackupResponse>, Conflict<ProblemDetails>, InsufficientStorage, BackupUnavailable>> CreateBackup(
        ServerBackups backups, Database database, CancellationToken ct) =>
        database.Engine != StorageEngine.Sqlite
        ? ApiProblems.Conflict(NotThisEngine, new Dictionary<string, object?> { ["engine"] = "postgresql" })
        : await backups.TakeAsync(ct) switch
        {
            BackupOutcome.Taken taken => TypedResults.Ok(taken.Backup),
            BackupOutcome.AlreadyRunning running => ApiProblems.Conflict(
                $"The backup {running.File} is being written; one backup runs at a time. Retry when it has finished.",
                new Dictionary<string, object?> { ["running"] = running.File }),
            BackupOutcome.NoRoom noRoom => new InsufficientStorage(ApiProblems.Create(StatusCodes.Status507InsufficientStorage,
                string.Create(CultureInfo.InvariantCulture, $"The backup needs {noRoom.NeededBytes:N0} bytes free in Backups:Directory ") +
                string.Create(CultureInfo.InvariantCulture, $"(the database's size and a margin), but its drive has {noRoom.FreeBytes:N0}; nothing was written."),
                new Dictionary<string, object?> { ["neededBytes"] = noRoom.NeededBytes, ["freeBytes"] = noRoom.FreeBytes })),
            BackupOutcome.Failed { DiskFull: true } => new InsufficientStorage(ApiProblems.Create(StatusCodes.Status507InsufficientStorage,
                "The drive of Backups:Directory filled up while the backup was written; nothing was kept.")),
            BackupOutcome.Failed => new BackupUnavailable(ApiProblems.Create(StatusCodes.Status503ServiceUnavailable,
                "The backup failed: the backup directory or the database could not be read or written (the server's log says why); " +
                "nothing was kept. Retry after the Retry-After seconds."), RetryAfterSeconds),
            _ => throw new InvalidOperationException("Unknown backup outcome."),
        };
}

/// <summary><c>backup &lt;file&gt;</c>: copies the configured SQLite database to a file and exits.</summary>
public static class BackupCommand
{
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args is not ["backup", ..])
        {
            return false;
        }

        if (args is not ["backup", var destination, ..])
        {
            Console.Error.WriteLine("Usage: backup <file> [configuration overrides such as --ConnectionStrings:NewsLens=...]");
            Environment.ExitCode = 2;
            return true;
        }

        var builder = WebApplication.CreateBuilder(HostPaths.Options(args[2..]));
        if (StorageSetup.Open(builder.Configuration, builder.Environment) is not SqliteDatabase database)
        {
            Console.Error.WriteLine(DatabaseBackup.NotThisEngine);
            Environment.ExitCode = 2;
            return true;
        }

        var bytes = await DatabaseBackup.CopyAsync(database, destination);
        Console.WriteLine($"Backed up {new SqliteConnectionStringBuilder(database.ConnectionString).DataSource} to {Path.GetFullPath(destination)} ({bytes:N0} bytes, integrity_check ok).");
        return true;
    }
}
