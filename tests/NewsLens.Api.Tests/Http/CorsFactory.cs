namespace NewsLens.Api.Tests.Http;

public sealed class CorsFactory : NewsLensFactory
{
    public const string Dashboard = "https://dashboard.example";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Cors:AllowedOrigins:0", Dashboard), new("Cors:AllowedOrigins:1", "http://localhost:3000")];
}
