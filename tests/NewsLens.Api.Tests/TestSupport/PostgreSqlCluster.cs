using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster for this test process: made on first use in a temporary folder and served on a
/// free loopback port, then stopped and deleted when the process ends, however it ends. Each test class asks it
/// for a fresh, empty database (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public static partial class PostgreSqlCluster
{
    /// <summary>Environment variable: <c>off</c> runs as if the server binaries were not installed.</summary>
    public const string Switch = "NEWSLENS_TEST_POSTGRESQL";

    /// <summary>initdb refuses to run as root; a root test process runs the cluster as this OS user.</summary>
    private const string OwnerWhenRoot = "postgres";

    private const string FolderPrefix = "newslens-pg-";

    private static readonly (string? BinDirectory, string? Reason) Binaries = FindBinaries();

    private static readonly Lazy<Task<Server>> Started = new(() => Task.Run(StartAsync));

    /// <summary>Whether the server binaries are installed (the cluster itself starts on first use).</summary>
    public static bool Available => Binaries.Reason is null;

    /// <summary>Why <see cref="Available"/> is false, naming what to install.</summary>
    public static string? Reason => Binaries.Reason;

    /// <summary>Where the cluster says what it does, besides stderr: the PostgreSQL assembly's xUnit diagnostics.</summary>
    public static Action<string>? Diagnostics { get; set; }

    /// <summary>The Npgsql connection string of a new, empty database with a unique name, owned by the superuser.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await Started.Value.ConfigureAwait(false);
        var name = $"newslens_{Guid.NewGuid():N}";
        await server.ExecuteAsync($"CREATE DATABASE {name}").ConfigureAwait(false);
        return server.ConnectionString(name);
    }

    /// <summary>Drops a database <see cref="CreateDatabaseAsync"/> made, closing the connections still open to it.</summary>
    public static async Task DropDatabaseAsync(string name)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"Not a test database: {name}", nameof(name));
        }

        var server = await Started.Value.ConfigureAwait(false);
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)").ConfigureAwait(false);
    }

    [GeneratedRegex("^newslens_[0-9a-f]{32}$")]
    private static partial Regex DatabaseName();

    private static (string?, string?) FindBinaries()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Switch), "off", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"{Switch}=off pretends the PostgreSQL server binaries are not installed");
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var number) ? number : -1, Bin: Path.Combine(version, "bin")))
                .Where(v => HasServer(v.Bin))
                .OrderByDescending(v => v.Version)
                .Select(v => v.Bin)
                .FirstOrDefault()
            : null;
        bin ??= PgConfigBinDirectory() is { } configured && HasServer(configured) ? configured : null;
        if (bin is null)
        {
            return (null, "no PostgreSQL server binaries (neither /usr/lib/postgresql/*/bin/postgres nor postgres in `pg_config --bindir`): " +
                "install the Debian package postgresql (version 15): apt-get install postgresql");
        }

        if (Environment.IsPrivilegedProcess && !File.ReadLines("/etc/passwd").Any(line => line.StartsWith(OwnerWhenRoot + ":", StringComparison.Ordinal)))
        {
            return (null, $"the tests run as root, initdb refuses root, and there is no OS user '{OwnerWhenRoot}' to run it as " +
                "(the Debian package postgresql creates it)");
        }

        return (bin, null);
    }

    private static bool HasServer(string bin) => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb"));

    private static string? PgConfigBinDirectory()
    {
        try
        {
            var (exitCode, output) = Run("pg_config", ["--bindir"]);
            return exitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;   // no pg_config on the PATH
        }
    }

    private static async Task<Server> StartAsync()
    {
        if (Binaries.BinDirectory is not { } bin)
        {
            throw new InvalidOperationException($"PostgreSQL is not available: {Reason}");
        }

        RemoveLeftovers();
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            // Named after this process, for RemoveLeftovers; the rest keeps it apart from a folder left by an earlier process with the same id.
            var folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            try
            {
                var server = await Server.StartAsync(bin, folder).ConfigureAwait(false);
                var version = await server.ScalarAsync("SHOW server_version").ConfigureAwait(false);
                Say($"PostgreSQL {version} test cluster on 127.0.0.1:{server.Port} ({bin}), started in {clock.ElapsedMilliseconds} ms; " +
                    $"data in {folder}, deleted when the tests end");
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                return server;
            }
            catch (PortTakenException) when (attempt < 3)
            {
                // Another process took the free port between our probe and the server's bind: another port.
            }
        }
    }

    private static void Say(string line)
    {
        Console.Error.WriteLine($"[PostgreSqlCluster] {line}");
        Diagnostics?.Invoke(line);
    }

    /// <summary>
    /// Clusters of earlier test processes that ended before their cluster could stop (killed together with it):
    /// each folder is named after the process that made it, and is removed, server and all, once that is gone.
    /// </summary>
    private static void RemoveLeftovers()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, out var pid) || IsRunning(pid))
            {
                continue;
            }

            var postmaster = Path.Combine(folder, "data", "postmaster.pid");
            if (File.Exists(postmaster) && int.TryParse(File.ReadLines(postmaster).FirstOrDefault(), out var serverPid) && IsRunning(serverPid))
            {
                using var server = Process.GetProcessById(serverPid);
                if (server.ProcessName == "postgres")   // not a process that took the id since
                {
                    server.Kill(entireProcessTree: true);
                    server.WaitForExit(5_000);
                }
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Runs a program as the cluster's owner: through runuser when this process is root.</summary>
    private static ProcessStartInfo AsOwner(string program, IEnumerable<string> arguments) =>
        Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", OwnerWhenRoot, "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);

    private static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments) => Run(new ProcessStartInfo(program, arguments));

    private static (int ExitCode, string Output) Run(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    private sealed class PortTakenException(string message) : Exception(message);

    private sealed class Server(Process keeper, string folder, int port)
    {
        // The keeper runs the server and stops it (fast shutdown), then deletes the folder, when its stdin closes:
        // this process holds the only writing end, and the system closes it when the process ends, however it ends.
        private const string KeeperScript = """
            bin=$1 folder=$2 port=$3
            shift 3
            exec 3<&0 </dev/null >>"$folder/server.log" 2>&1
            "$bin/postgres" -D "$folder/data" -p "$port" -k "$folder" "$@" 3<&- &
            server=$!
            { read -r _ <&3; touch "$folder/stopping"; kill -INT "$server"; } &
            watcher=$!
            wait "$server"
            status=$?
            if [ -e "$folder/stopping" ]; then rm -rf "$folder"; else kill "$watcher"; fi
            exit "$status"
            """;

        // Safe only because the cluster is thrown away: a crash may lose or corrupt it, and nothing else uses it.
        private static readonly string[] Settings =
        [
            "listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off",
            "wal_level=minimal", "max_wal_senders=0",
            // Every test class's factory has its own pool (up to 100 connections each, while the class runs).
            "max_connections=400",
        ];

        private readonly NpgsqlDataSource admin = NpgsqlDataSource.Create(ConnectionString(port, "postgres") + ";Maximum Pool Size=8");

        public int Port => port;

        public string ConnectionString(string database) => ConnectionString(port, database);

        private static string ConnectionString(int port, string database) =>
            $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Pooling=true";

        public static async Task<Server> StartAsync(string bin, string folder)
        {
            var (created, mkdirOutput) = Run(AsOwner("mkdir", ["-m", "700", folder]));
            if (created != 0)
            {
                throw new InvalidOperationException($"Could not make the cluster's folder {folder}: {mkdirOutput}");
            }

            var (initialized, initdbOutput) = Run(AsOwner(Path.Combine(bin, "initdb"),
                ["-D", Path.Combine(folder, "data"), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                 "--locale=C.UTF-8", "--lc-collate=C", "--no-sync", "--no-instructions"]));
            if (initialized != 0)
            {
                Delete(folder);
                throw new InvalidOperationException($"initdb failed ({initialized}): {initdbOutput}");
            }

            var port = FreePort();
            var start = AsOwner("sh", ["-c", KeeperScript, "postgres-keeper", bin, folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. Settings.SelectMany(setting => new[] { "-c", setting })]);
            start.RedirectStandardInput = true;
            var server = new Server(Process.Start(start)!, folder, port);
            try
            {
                await server.WaitUntilReadyAsync().ConfigureAwait(false);
                return server;
            }
            catch
            {
                server.Stop();
                throw;
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task WaitUntilReadyAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var probe = ConnectionString("postgres").Replace("Pooling=true", "Pooling=false;Timeout=2", StringComparison.Ordinal);
            while (true)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(probe);
                    await connection.OpenAsync().ConfigureAwait(false);
                    return;
                }
                catch (NpgsqlException) when (!keeper.HasExited && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(25).ConfigureAwait(false);
                }
                catch (NpgsqlException) when (keeper.HasExited)
                {
                    var log = Log();
                    if (log.Contains("Address already in use", StringComparison.Ordinal))
                    {
                        throw new PortTakenException(log);
                    }

                    throw new InvalidOperationException($"The PostgreSQL server stopped while starting ({keeper.ExitCode}): {log}");
                }
                catch (NpgsqlException error)
                {
                    throw new InvalidOperationException($"The PostgreSQL server was not ready within 60 s: {Log()}", error);
                }
            }
        }

        private string Log()
        {
            try
            {
                return string.Join('\n', File.ReadLines(Path.Combine(folder, "server.log")).TakeLast(30));
            }
            catch (IOException)
            {
                return "(no server.log)";
            }
        }

        public async Task ExecuteAsync(string sql)
        {
            await using var command = admin.CreateCommand(sql);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        public async Task<string?> ScalarAsync(string sql)
        {
            await using var command = admin.CreateCommand(sql);
            return (string?)await command.ExecuteScalarAsync().ConfigureAwait(false);
        }

        /// <summary>Closes the keeper's stdin, so that it stops the server and deletes the folder; forces both when it does not.</summary>
        public void Stop()
        {
            NpgsqlConnection.ClearAllPools();
            admin.Dispose();
            try
            {
                keeper.StandardInput.Close();
                if (!keeper.WaitForExit(15_000))
                {
                    keeper.Kill(entireProcessTree: true);
                    keeper.WaitForExit(5_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            Delete(folder);
        }

        private static void Delete(string folder)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
