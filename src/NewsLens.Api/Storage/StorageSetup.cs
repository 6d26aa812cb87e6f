using Dapper;

namespace NewsLens.Api.Storage;

public static class StorageSetup
{
    /// <summary>Used when <c>ConnectionStrings:NewsLens</c> is not set; relative to the content root.</summary>
    public const string DefaultConnectionString = "Data Source=data/newslens.db";

    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddSingleton(services => Open(services.GetRequiredService<IConfiguration>(), services.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<WalCheckpointer>();
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHostedService<IntegrityChecker>();
        builder.Services.AddOptions<StorageSettings>().BindConfiguration(StorageSettings.Section);
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The configured database, its file path made absolute against the content root.</summary>
    public static Database Open(IConfiguration configuration, IHostEnvironment environment) =>
        new(Database.ResolveConnectionString(configuration.GetConnectionString("NewsLens") ?? DefaultConnectionString, environment.ContentRootPath));

    /// <summary>
    /// Brings the database to this build's schema, or, when its file cannot be written, starts read-only: reads are
    /// served, writes answer 503, and /health/ready says Degraded. False when it started read-only.
    /// </summary>
    public static async Task<bool> InitializeStorageAsync(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<Database>();
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        if (await database.IsReadOnlyOnDiskAsync())
        {
            // Serving reads beats not starting: a read-only mount or an immutable file is an operator's matter, and
            // the data can still be read. A database that still needs migrations cannot be read correctly, though.
            if (!DatabaseMigrator.IsCurrent(database.ConnectionString))
            {
                throw new InvalidOperationException("The database file cannot be written, and it lacks migrations this build needs. " +
                    "Make it writable once so that the migrations can be applied, or run the build that wrote it.");
            }

            database.EnterReadOnlyMode();
            app.Services.GetRequiredService<StorageHealth>().StartedReadOnly("the database file cannot be written (a read-only file or mount).");
            app.Logger.LogWarning("READ-ONLY MODE: the database {DataSource} cannot be opened for writing. Reads are served; every write answers 503 " +
                "and /health/ready reports Degraded until the file is writable and the service restarted.", dataSource);
            return false;
        }

        var applied = DatabaseMigrator.Migrate(database.ConnectionString, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DbUp"));
        app.Logger.LogInformation("Database {DataSource}: {Applied} new migration(s) applied, {Known} known to this build.",
            dataSource, applied, DatabaseMigrator.KnownScripts.Count);
        return true;
    }
}
