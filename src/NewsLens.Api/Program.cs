using NewsLens.Api;
using NewsLens.Api.OpenApi;
using NewsLens.Api.Backups;

if (KeysCommand.TryRun(args) || await BackupCommand.TryRunAsync(args))
{
    return;
}

var builder = WebApplication.CreateBuilder(HostPaths.Options(args));

builder.AddNewsLensDatabase();
builder.AddNewsLensApi();
builder.AddFrontendSupport();
builder.AddApiKeys();
builder.AddRateLimits();
builder.AddCursors();

var app = builder.Build();

await app.InitializeDatabaseAsync();
app.LogDevelopmentKey();

app.Use((context, next) =>
{
    // Clients must not guess a content type other than the one sent.
    context.Response.Headers.XContentTypeOptions = "nosniff";
    return next(context);
});
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

app.MapHealth();
app.MapNewsLensApi();

app.Run();

public partial class Program;
