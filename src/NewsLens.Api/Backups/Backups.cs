using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using NewsLens.Api.Infrastructure;

namespace NewsLens.Api.Backups;

public sealed class BackupSettings
{
    public const string Section = "Backups";

    /// <summary>Where <c>POST /v1/admin/backups</c> writes; relative to the content root.</summary>
    public string Directory { get; set; } = "data/backups";
}

/// <summary>A backup the server wrote: its file name (in Backups:Directory), size and time.</summary>
public sealed record BackupResponse(string File, long Bytes, DateTime CreatedAt);

/// <summary>
/// Online backups with SQLite's backup API: the copy is one consistent snapshot of the database while
/// the service goes on taking writes (in WAL mode readers and the backup never block the writer).
/// </summary>
public static class DatabaseBackup
{
    /// <summary>Copies the live database to <paramref name="destination"/> (replaced if it exists) and checks the copy.</summary>
    public static async Task<long> CopyAsync(Database database, string destination, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = destination + ".partial";
        File.Delete(temporary);
        await using (var source = await database.OpenAsync(ct))
        await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            await target.OpenAsync(ct);
            source.BackupDatabase(target);
            await using var check = target.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            var result = (string?)await check.ExecuteScalarAsync(ct);
            if (result != "ok")
            {
                throw new InvalidOperationException($"The backup copy failed its integrity check: {result}");
            }
        }

        // The finished copy replaces the destination in one rename, so a reader never sees half a file.
        File.Move(temporary, destination, overwrite: true);
        return new FileInfo(destination).Length;
    }

    public static RouteGroupBuilder MapBackups(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/admin").WithTags("Admin").RequireAuthorization(ApiKeys.AdminPolicy);
        group.MapPost("/backups", CreateBackup)
            .WithName("createBackup")
            .WithSummary("Take an online backup")
            .WithDescription("Writes a consistent copy of the database into the server's Backups:Directory while the service keeps " +
                "taking writes, checks it with PRAGMA integrity_check, and answers its file name. Needs an API key with the admin scope.");
        return group;
    }

    public static async Task<Ok<BackupResponse>> CreateBackup(
        Database database, IOptions<BackupSettings> settings, IHostEnvironment environment, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var file = $"newslens-{now.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}.db";
        var directory = Path.GetFullPath(settings.Value.Directory, environment.ContentRootPath);
        var bytes = await CopyAsync(database, Path.Combine(directory, file), ct);
        loggers.CreateLogger("NewsLens.Api.Backups").LogInformation("Backup {File} written: {Bytes} bytes", file, bytes);
        return TypedResults.Ok(new BackupResponse(file, bytes, now.UtcDateTime));
    }
}

/// <summary><c>backup &lt;file&gt;</c>: copies the configured database to a file and exits.</summary>
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

        var builder = WebApplication.CreateBuilder(args[2..]);
        var configured = builder.Configuration.GetConnectionString("NewsLens") ?? ServiceSetup.DefaultConnectionString;
        var database = new Database(Database.ResolveConnectionString(configured, builder.Environment.ContentRootPath));
        var bytes = await DatabaseBackup.CopyAsync(database, destination);
        Console.WriteLine($"Backed up {new SqliteConnectionStringBuilder(database.ConnectionString).DataSource} to {Path.GetFullPath(destination)} ({bytes:N0} bytes, integrity_check ok).");
        return true;
    }
}
