using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Backups;

/// <summary>Bytes free for new files on the drive that holds <paramref name="directory"/>.</summary>
public delegate long FreeDiskSpace(string directory);

/// <summary>What became of a request for a backup.</summary>
public abstract record BackupOutcome
{
    public sealed record Taken(BackupResponse Backup) : BackupOutcome;

    /// <summary>Another backup, <paramref name="File"/>, is being written; one runs at a time.</summary>
    public sealed record AlreadyRunning(string File) : BackupOutcome;

    /// <summary>The drive has <paramref name="FreeBytes"/> free, fewer than the <paramref name="NeededBytes"/> the copy needs.</summary>
    public sealed record NoRoom(long NeededBytes, long FreeBytes) : BackupOutcome;

    /// <summary>The storage failed while the backup was written (the disk filled up, or another failure); nothing was kept.</summary>
    public sealed record Failed(bool DiskFull) : BackupOutcome;
}

/// <summary>
/// The backups the server writes into Backups:Directory: one at a time, each named after the time it began
/// (<c>newslens-20250601T120000123Z.db</c>), never over an existing file, only when the drive has room for it;
/// after each, the newest Backups:Keep are kept and older ones the server named are deleted.
/// </summary>
public sealed partial class ServerBackups(
    Database database, IOptions<BackupSettings> settings, IHostEnvironment environment, TimeProvider clock, FreeDiskSpace freeSpace, ILogger<ServerBackups> logger)
{
    /// <summary>Room the copy needs beyond the database's size, so that the drive is never left full: a tenth, and at least this.</summary>
    public const long MinimumHeadroomBytes = 64L * 1024 * 1024;

    [GeneratedRegex(@"^newslens-(?<time>[0-9]{8}T[0-9]{9}Z)(-(?<n>[0-9]{1,9}))?\.db\z")]
    private static partial Regex BackupName();

    // What a backup cut short by a crash or a kill leaves behind: its temporary copy and that copy's journals.
    [GeneratedRegex(@"^newslens-[0-9]{8}T[0-9]{9}Z(-[0-9]{1,9})?\.db\.partial(-wal|-shm|-journal)?\z")]
    private static partial Regex Leftover();

    private readonly Lock turn = new();
    private string? running;

    private string BackupDirectory => Path.GetFullPath(settings.Value.Directory, environment.ContentRootPath);

    public async Task<BackupOutcome> TakeAsync(CancellationToken ct)
    {
        var directory = BackupDirectory;
        var now = clock.GetUtcNow();
        string file;
        lock (turn)
        {
            if (running is not null)
            {
                return new BackupOutcome.AlreadyRunning(running);
            }

            file = running = UnusedName(directory, now);
        }

        try
        {
            Directory.CreateDirectory(directory);
            DeleteLeftovers(directory);

            var sqlite = (SqliteDatabase)database;
            var size = await DatabaseBackup.SizeAsync(sqlite, ct);
            var needed = size + Math.Max(size / 10, MinimumHeadroomBytes);
            var free = FreeBytes(directory);
            if (free < needed)
            {
                logger.LogWarning("Backup {File} refused: it needs {Needed} bytes in {Directory}, where {Free} are free", file, needed, directory, free);
                return new BackupOutcome.NoRoom(needed, free);
            }

            var bytes = await DatabaseBackup.CopyAsync(sqlite, Path.Combine(directory, file), overwrite: false, ct);
            logger.LogInformation("Backup {File} written: {Bytes} bytes", file, bytes);
            DeleteOlderThanTheNewest(directory, settings.Value.Keep);
            return new BackupOutcome.Taken(new BackupResponse(file, bytes, now.UtcDateTime));
        }
        catch (Exception exception) when (Failure(exception) is { } failure)
        {
            logger.LogWarning(exception, "Backup {File} failed; nothing was kept", file);
            return failure;
        }
        finally
        {
            lock (turn)
            {
                running = null;
            }
        }
    }

    /// <summary>The outcome of a storage failure, or null for any other exception (a bug, left to the 500 handler).</summary>
    public static BackupOutcome.Failed? Failure(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 13 } => new(DiskFull: true),   // SQLITE_FULL
        IOException io when IsDiskFull(io) => new(DiskFull: true),
        SqliteException or IOException or UnauthorizedAccessException => new(DiskFull: false),
        _ => null,
    };

    // ENOSPC on Linux and macOS (the errno becomes the HResult); ERROR_HANDLE_DISK_FULL or ERROR_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException exception) =>
        OperatingSystem.IsWindows() ? (exception.HResult & 0xFFFF) is 39 or 112 : exception.HResult == 28;

    /// <summary>The free space reported by the operating system for the drive that holds <paramref name="directory"/>.</summary>
    public static long FreeBytesOnDrive(string directory) => new DriveInfo(directory).AvailableFreeSpace;

    private long FreeBytes(string directory)
    {
        try
        {
            return freeSpace(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A drive the platform cannot measure (some network shares): the copy itself still stops at a full disk.
            logger.LogWarning(exception, "Free space in {Directory} is unknown; the backup goes ahead", directory);
            return long.MaxValue;
        }
    }

    private static string UnusedName(string directory, DateTimeOffset now)
    {
        var time = now.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        for (var n = 1; ; n++)
        {
            var file = n == 1 ? $"newslens-{time}.db" : $"newslens-{time}-{n}.db";
            if (!Path.Exists(Path.Combine(directory, file)))
            {
                return file;
            }
        }
    }

    private void DeleteLeftovers(string directory)
    {
        foreach (var path in Directory.EnumerateFiles(directory).Where(p => Leftover().IsMatch(Path.GetFileName(p))))
        {
            logger.LogInformation("Deleting {File}, left by a backup that did not finish", Path.GetFileName(path));
            File.Delete(path);
        }
    }

    private void DeleteOlderThanTheNewest(string directory, int keep)
    {
        try
        {
            var older = Directory.EnumerateFiles(directory)
                .Select(path => (path, name: BackupName().Match(Path.GetFileName(path))))
                .Where(b => b.name.Success)
                .OrderByDescending(b => b.name.Groups["time"].Value, StringComparer.Ordinal)
                .ThenByDescending(b => b.name.Groups["n"].Success ? int.Parse(b.name.Groups["n"].Value, CultureInfo.InvariantCulture) : 1)
                .Skip(keep)
                .ToList();
            foreach (var (path, _) in older)
            {
                File.Delete(path);
                logger.LogInformation("Deleted backup {File}: Backups:Keep is {Keep}", Path.GetFileName(path), keep);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The new backup is complete and kept; the next one tries again.
            logger.LogWarning(exception, "Could not delete backups older than the newest {Keep} in {Directory}", keep, directory);
        }
    }
}
