namespace NewsLens.Api.Tests.TestSupport;

/// <summary>A test class with its own API and database (one <see cref="NewsLensFactory"/> per class).</summary>
public abstract class ApiTests(NewsLensFactory factory) : IClassFixture<NewsLensFactory>
{
    protected NewsLensFactory Factory { get; } = factory;

    protected HttpClient Client { get; } = factory.CreateClient();

    protected ApiDriver Api => new(Client);
}
