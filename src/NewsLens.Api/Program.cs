using NewsLens.Api.Articles;
using NewsLens.Api.Backups;
using NewsLens.Api.Coverage;
using NewsLens.Api.Dashboard;
using NewsLens.Api.Demo;
using NewsLens.Api.OpenApi;
using NewsLens.Api.Outlets;
using NewsLens.Api.Ratings;
using NewsLens.Api.Readers;
using NewsLens.Api.Stories;

// Commands that do their work and exit: `keys new [name]`, `backup <file>`.
if (KeysCommand.TryRun(args) || await BackupCommand.TryRunAsync(args))
{
    return;
}

var builder = WebApplication.CreateBuilder(HostPaths.Options(args));

builder.AddStorage();
builder.AddGracefulShutdown();
builder.AddTelemetry();
builder.AddHttpContract();
builder.AddBrowserSupport();
builder.AddApiKeys();
builder.AddRateLimits();
builder.AddCursors();
builder.AddNewsLensOpenApi();
builder.Services.AddImports().AddOutlets().AddStories().AddArticles().AddCoverage().AddRatings().AddReaderProfiles().AddBackups().AddDemo();

var app = builder.Build();

if (await app.InitializeStorageAsync())
{
    await app.ApplyBlindspotThresholdsAsync();
    await app.Services.GetRequiredService<RatingStore>().ApplyCombineRuleAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    await app.SeedDemoAsync();
}

app.LoadCursorKey();
app.UseGracefulShutdown();
app.LogDevelopmentKey();

app.UseNoContentTypeSniffing();
app.UseNoBodyForHead();
app.UseResponseCompression();
app.UseExceptionHandler();
app.UseNoKeysInQueryStrings();
app.UseStatusCodePages();
app.UseRequestBodyLimit();
app.UseSingleValuedQueryParameters();
app.UseDeclaredMediaTypes();
app.UseNoCacheByDefault();
app.UseCors();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseNewsLensOpenApi();
app.UseDashboard();

app.MapHealth();
app.MapMetrics();
var v1 = app.MapApiVersion1();
v1.MapOutlets();
v1.MapStories();
v1.MapArticles();
v1.MapCoverage();
v1.MapRatings();
v1.MapReaderProfiles();
v1.MapBackups();

app.Run();

public partial class Program;
