using NewsLens.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddNewsLensDatabase();
builder.AddNewsLensApi();

var app = builder.Build();

await app.InitializeDatabaseAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit();
app.UseNoCacheByDefault();
app.UseNewsLensOpenApi();

app.MapHealth();
app.MapNewsLensApi();

app.Run();

public partial class Program;
