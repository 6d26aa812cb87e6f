using NewsLens.Api.OpenApi;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using FluentValidation;
using Microsoft.Extensions.Options;
using NewsLens.Api.Articles;
using NewsLens.Api.Backups;
using NewsLens.Api.Coverage;
using NewsLens.Api.Demo;
using NewsLens.Api.Outlets;
using NewsLens.Api.Stories;

namespace NewsLens.Api;

public static class ServiceSetup
{
    /// <summary>Used when <c>ConnectionStrings:NewsLens</c> is not set; relative to the content root.</summary>
    public const string DefaultConnectionString = "Data Source=data/newslens.db";

    public static WebApplicationBuilder AddNewsLensDatabase(this WebApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddSingleton(services =>
        {
            var configured = services.GetRequiredService<IConfiguration>().GetConnectionString("NewsLens") ?? DefaultConnectionString;
            return new Database(Database.ResolveConnectionString(configured, services.GetRequiredService<IHostEnvironment>().ContentRootPath));
        });
        builder.Services.AddHostedService<WalCheckpointer>();
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHostedService<IntegrityChecker>();
        builder.Services.AddOptions<StorageSettings>().BindConfiguration(StorageSettings.Section);
        builder.Services.AddSingleton<OutletStore>();
        builder.Services.AddSingleton<StoryStore>();
        builder.Services.AddSingleton<ArticleStore>();
        builder.Services.AddSingleton(services => new CoverageCache(services.GetRequiredService<IOptions<CoverageOptions>>().Value.CacheGroups));
        builder.Services.AddSingleton<CoverageStore>();
        builder.Services.AddSingleton<ArticleImporter>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddOptions<CoverageOptions>()
            .BindConfiguration(CoverageOptions.Section)
            .Validate(o => o.Blindspot.MinRated >= 1, "Coverage:Blindspot:MinRated must be at least 1.")
            .Validate(o => o.Blindspot.MaxNeglectingPercent is >= 0 and <= 100 && o.Blindspot.MinDominantPercent is >= 0 and <= 100,
                "Coverage:Blindspot percentages must lie between 0 and 100.")
            .Validate(o => o.Blindspot.MaxNeglectingPercent < o.Blindspot.MinDominantPercent,
                "Coverage:Blindspot:MaxNeglectingPercent must be below MinDominantPercent.")
            .Validate(o => o.CacheGroups >= 0, "Coverage:CacheGroups must be 0 (off) or more.")
            .ValidateOnStart();
        builder.Services.AddBackups();
        builder.Services.AddOptions<ImportSettings>().BindConfiguration(ImportSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<HttpCachingOptions>().BindConfiguration(HttpCachingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    public static WebApplicationBuilder AddNewsLensApi(this WebApplicationBuilder builder)
    {
        // Answers must not depend on the host's locale (number formats, FluentValidation's message language):
        // ICU is loaded for host-name mapping, not for cultures.
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Stated rather than left to defaults: bodies (raised per endpoint for imports), headers, and
            // clients that send too slowly to hold a connection open.
            kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(10));
        });
        // The hosting layer's per-request lines carry the whole URL, query string included; they stay off whatever
        // the configuration says, so nothing a client puts in a URL reaches the log.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            var json = options.SerializerOptions;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.Converters.Add(new SnakeCaseEnumConverterFactory());
            json.Converters.Add(new Rfc3339DateTimeOffsetConverter());
            json.Converters.Add(new TrimmingStringConverter());
        });
        // Failures to read a request become exceptions, so ApiExceptionHandler can name the field.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context => ApiProblems.Complete(context.ProblemDetails, context.HttpContext));
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddHttpContextAccessor();

        // One message per field: the first rule it breaks.
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        builder.Services.AddValidatorsFromAssemblyContaining<OutletRequestValidator>(ServiceLifetime.Singleton);

        builder.Services.AddNewsLensOpenApi();
        return builder;
    }

    /// <summary>Migrates the database and, when enabled and the database is empty, seeds the demo.</summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<Database>();
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
                "and /health/ready reports Degraded until the file is writable and the service restarted.",
                new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource);
            app.Services.GetRequiredService<CursorProtector>();
            return;
        }

        var applied = DatabaseMigrator.Migrate(database.ConnectionString, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DbUp"));
        app.Logger.LogInformation("Database {DataSource}: {Applied} new migration(s) applied, {Known} known to this build.",
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource, applied, DatabaseMigrator.KnownScripts.Count);
        // The cursor key is read (or made) now, on the migrated database: a bad Cursors:Key fails start, not the first list.
        app.Services.GetRequiredService<CursorProtector>();
        var blindspot = app.Services.GetRequiredService<IOptions<CoverageOptions>>().Value.Blindspot;
        if (await app.Services.GetRequiredService<CoverageStore>().ApplyBlindspotThresholdsAsync(blindspot))
        {
            app.Logger.LogInformation("Blindspot thresholds changed to {MinRated} rated, ≤{MaxNeglecting}% / ≥{MinDominant}%: stored blindspot flags recomputed.",
                blindspot.MinRated, blindspot.MaxNeglectingPercent, blindspot.MinDominantPercent);
        }

        if (app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Seed &&
            await DemoSeeder.SeedIfEmptyAsync(database, app.Services.GetRequiredService<TimeProvider>()))
        {
            app.Logger.LogInformation("Seeded the demo data set (fictional outlets on .example domains).");
        }
    }

    public static IEndpointRouteBuilder MapNewsLensApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1")
            .AddEndpointFilter<ProblemResultFilter>()
            .AddEndpointFilterFactory(ValidationFilter.Factory)
            .RequireApiKeyForWrites()
            .AnswerHeadLikeGet();
        v1.MapOutlets();
        v1.MapStories();
        v1.MapArticles();
        v1.MapCoverage();
        v1.MapBackups();
        return routes;
    }
}
