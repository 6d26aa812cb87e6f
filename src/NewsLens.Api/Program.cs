using NewsLens.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddNewsLensDatabase();
builder.AddNewsLensApi();
builder.AddFrontendSupport();

var app = builder.Build();

await app.InitializeDatabaseAsync();

app.UseResponseCompression();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit();
app.UseNoCacheByDefault();
app.UseCors();
app.UseNewsLensOpenApi();

app.MapHealth();
app.MapNewsLensApi();

app.Run();

public partial class Program;
