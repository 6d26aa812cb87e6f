using Dapper;

namespace NewsLens.Api.Storage;

public static class StorageSetup
{
    /// <summary>Used when <c>ConnectionStrings:NewsLens</c> is not set; relative to the content root.</summary>
    public const string DefaultConnectionString = "Data Source=data/newslens.db";

    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddOptions<StorageSettings>().BindConfiguration(StorageSettings.Section)
            .Validate(s => StorageSettings.ParseEngine(s.Engine) is not null, "Storage:Engine must be sqlite or postgresql.")
            .ValidateOnStart();
        var engine = StorageSettings.ParseEngine(builder.Configuration[$"{StorageSettings.Section}:{nameof(StorageSettings.Engine)}"] ?? "sqlite");
        builder.Services.AddSingleton(services => Open(services.GetRequiredService<IConfiguration>(), services.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        if (engine == StorageEngine.Sqlite)
        {
            // The SQLite file's own upkeep: WAL checkpoints and integrity checks. A PostgreSQL server does both itself.
            builder.Services.AddSingleton(services => (SqliteDatabase)services.GetRequiredService<Database>());
            builder.Services.AddHostedService<WalCheckpointer>();
            builder.Services.AddHostedService<IntegrityChecker>();
        }
        else
        {
            // Other processes' writes reach this one's coverage cache.
            builder.Services.AddSingleton(services => (PostgreSqlDatabase)services.GetRequiredService<Database>());
            builder.Services.AddHostedService<PostgreSqlChangeFeed>();
        }

        return builder;
    }

    /// <summary>The configured database: a SQLite file (its path made absolute against the content root) or a PostgreSQL server.</summary>
    public static Database Open(IConfiguration configuration, IHostEnvironment environment)
    {
        var engine = StorageSettings.ParseEngine(configuration[$"{StorageSettings.Section}:{nameof(StorageSettings.Engine)}"] ?? "sqlite")
            ?? throw new InvalidOperationException("Storage:Engine must be sqlite or postgresql.");
        var configured = configuration.GetConnectionString("NewsLens");
        return engine == StorageEngine.PostgreSql
            ? new PostgreSqlDatabase(configured ?? throw new InvalidOperationException(
                "Storage:Engine is postgresql: set ConnectionStrings:NewsLens to an Npgsql connection string (Host=…;Database=…;Username=…;Password=…)."))
            : new SqliteDatabase(SqliteDatabase.ResolveConnectionString(configured ?? DefaultConnectionString, environment.ContentRootPath));
    }

    /// <summary>
    /// Brings the database to this build's schema, or, when its file cannot be written, starts read-only: reads are
    /// served, writes answer 503, and /health/ready says Degraded. False when it started read-only.
    /// </summary>
    public static async Task<bool> InitializeStorageAsync(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<Database>();
        var dataSource = database.DataSource;
        if (database is SqliteDatabase sqlite && await sqlite.IsReadOnlyOnDiskAsync())
        {
            // Serving reads beats not starting: a read-only mount or an immutable file is an operator's matter, and
            // the data can still be read. A database that still needs migrations cannot be read correctly, though.
            if (!await DatabaseMigrator.IsCurrentAsync(database))
            {
                throw new InvalidOperationException("The database file cannot be written, and it lacks migrations this build needs. " +
                    "Make it writable once so that the migrations can be applied, or run the build that wrote it.");
            }

            sqlite.EnterReadOnlyMode();
            app.Services.GetRequiredService<StorageHealth>().StartedReadOnly("the database file cannot be written (a read-only file or mount).");
            app.Logger.LogWarning("READ-ONLY MODE: the database {DataSource} cannot be opened for writing. Reads are served; every write answers 503 " +
                "and /health/ready reports Degraded until the file is writable and the service restarted.", dataSource);
            return false;
        }

        if (database.Engine == StorageEngine.PostgreSql)
        {
            await WaitForServerAsync(database, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageSettings>>().Value.StartupWait, app.Logger);
        }

        var applied = await DatabaseMigrator.MigrateAsync(database, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DbUp"));
        app.Logger.LogInformation("Database {Engine} {DataSource}: {Applied} new migration(s) applied, {Known} known to this build.",
            database.Engine, dataSource, applied, DatabaseMigrator.KnownScripts(database.Engine).Count);
        return true;
    }

    /// <summary>Waits until the database server takes a connection, logging every few seconds; throws after <paramref name="wait"/>.</summary>
    private static async Task WaitForServerAsync(Database database, TimeSpan wait, ILogger logger)
    {
        var started = TimeProvider.System.GetTimestamp();
        var nextLog = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await using var connection = await database.OpenAsync();
                return;
            }
            catch (Exception exception) when (StorageFaults.Classify(exception) is StorageFault.Unreachable or StorageFault.Busy)
            {
                var waited = TimeProvider.System.GetElapsedTime(started);
                if (waited >= wait)
                {
                    throw new InvalidOperationException(
                        $"The database {database.DataSource} did not take a connection within {wait.TotalSeconds:F0} s (Storage:StartupWait): {exception.Message}", exception);
                }

                if (waited >= nextLog)
                {
                    nextLog = waited + TimeSpan.FromSeconds(5);
                    logger.LogWarning("Waiting for the database {DataSource} to take connections ({Reason}); giving up after {Seconds:F0} s.",
                        database.DataSource, exception.Message, wait.TotalSeconds);
                }

                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
