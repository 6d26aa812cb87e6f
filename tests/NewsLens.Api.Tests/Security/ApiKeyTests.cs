using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NewsLens.Api.Tests.Security;

/// <summary>The API with a second key and every log line captured.</summary>
public sealed class KeyedFactory : NewsLensFactory
{
    public const string PartnerKey = "partner-key-abcdefghijklmnop";

    /// <summary>A key with only the read scope.</summary>
    public const string ReaderKey = "reader-key-abcdefghijklmnop";

    /// <summary>A key with only the write scope.</summary>
    public const string WriterKey = "writer-key-abcdefghijklmnop";

    public ConcurrentQueue<string> Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Auth:Keys:1:Name", "partner-a"), new("Auth:Keys:1:Sha256", ApiKeys.Hash(PartnerKey).ToUpperInvariant()),
        new("Auth:Keys:2:Name", "reader"), new("Auth:Keys:2:Sha256", ApiKeys.Hash(ReaderKey)), new("Auth:Keys:2:Scopes:0", "read"),
        new("Auth:Keys:3:Name", "writer"), new("Auth:Keys:3:Sha256", ApiKeys.Hash(WriterKey)), new("Auth:Keys:3:Scopes:0", "write"),
        new("Logging:LogLevel:Default", "Debug"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs))));
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(logs);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue(formatter(state, exception) + " " + exception);
    }
}

public class ApiKeyTests(KeyedFactory factory) : IClassFixture<KeyedFactory>
{
    private readonly HttpClient anonymous = factory.CreateAnonymousClient();

    [Theory]
    [InlineData("POST", "/v1/outlets")]
    [InlineData("PUT", "/v1/outlets/1")]
    [InlineData("DELETE", "/v1/outlets/1")]
    [InlineData("POST", "/v1/stories")]
    [InlineData("PUT", "/v1/stories/1/articles/1")]
    [InlineData("DELETE", "/v1/articles/1")]
    public async Task WritesWithoutAKeyAre401WithWwwAuthenticate(string method, string url)
    {
        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { name = "x", domain = "x.example" }) });

        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("needs an API key", (string?)problem["detail"]);
    }

    [Fact]
    public async Task AWrongKeyIs401AndWritesNothing()
    {
        var domain = ApiDriver.UniqueDomain("nokey");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/outlets") { Content = JsonContent.Create(new { name = "x", domain }) };
        request.Headers.Add(ApiKeys.Header, "not-the-key");

        var problem = await (await anonymous.SendAsync(request)).ReadProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Contains("not valid", (string?)problem["detail"]);
        var page = await (await anonymous.GetAsync($"/v1/outlets?q={domain}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(page["items"]!.AsArray());
    }

    [Fact]
    public async Task EveryConfiguredKeyIsAcceptedAndReadsAreOpen()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stories") { Content = JsonContent.Create(new { title = "By partner" }) };
        request.Headers.Add(ApiKeys.Header, KeyedFactory.PartnerKey);
        var story = await (await anonymous.SendAsync(request)).ReadJsonAsync(HttpStatusCode.Created);

        await (await anonymous.GetAsync($"/v1/stories/{(long)story["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        await (await factory.CreateClient().PostAsJsonAsync("/v1/stories", new { title = "By tests" })).ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AKeyWithoutTheAdminScopeGets403OnBackups()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/backups");
        request.Headers.Add(ApiKeys.Header, KeyedFactory.PartnerKey);

        var problem = await (await anonymous.SendAsync(request)).ReadProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.4", (string?)problem["type"]);
        Assert.Equal("This API key lacks the 'admin' scope.", (string?)problem["detail"]);
        Assert.Equal("admin", (string?)problem["missingScope"]);
        // The keys of the test clients list no scopes either: read and write, not admin.
        await (await factory.CreateClient().PostAsync("/v1/admin/backups", null)).ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AReadOnlyKeyReadsButGets403OnWritesAndWritesNothing()
    {
        var domain = ApiDriver.UniqueDomain("reader");
        var write = new HttpRequestMessage(HttpMethod.Post, "/v1/outlets") { Content = JsonContent.Create(new { name = "Reader's outlet", domain }) };
        write.Headers.Add(ApiKeys.Header, KeyedFactory.ReaderKey);
        var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/outlets?q={domain}");
        read.Headers.Add(ApiKeys.Header, KeyedFactory.ReaderKey);

        var problem = await (await anonymous.SendAsync(write)).ReadProblemAsync(HttpStatusCode.Forbidden);
        var page = await (await anonymous.SendAsync(read)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("This API key lacks the 'write' scope.", (string?)problem["detail"]);
        Assert.Empty(page["items"]!.AsArray());
    }

    [Fact]
    public async Task AKeyWithoutTheReadScopeGets403OnReadsThatAreOpenWithoutAKey()
    {
        var read = new HttpRequestMessage(HttpMethod.Get, "/v1/outlets");
        read.Headers.Add(ApiKeys.Header, KeyedFactory.WriterKey);
        var write = new HttpRequestMessage(HttpMethod.Post, "/v1/stories") { Content = JsonContent.Create(new { title = "By the writer" }) };
        write.Headers.Add(ApiKeys.Header, KeyedFactory.WriterKey);

        var problem = await (await anonymous.SendAsync(read)).ReadProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal("This API key lacks the 'read' scope.", (string?)problem["detail"]);
        await (await anonymous.SendAsync(write)).ReadJsonAsync(HttpStatusCode.Created);
        await (await anonymous.GetAsync("/v1/outlets")).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnInvalidKeyOnAnOpenReadIsStill401()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/outlets");
        request.Headers.Add(ApiKeys.Header, "stale-key");

        await (await anonymous.SendAsync(request)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheDevelopmentKeyIsRefusedOutsideDevelopment()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stories") { Content = JsonContent.Create(new { title = "Dev" }) };
        request.Headers.Add(ApiKeys.Header, ApiKeys.DevelopmentKey);

        await (await anonymous.SendAsync(request)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task HealthAndDocumentationNeedNoKey()
    {
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task LogsNameTheKeyButNeverContainIt()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stories") { Content = JsonContent.Create(new { title = "Logged" }) };
        request.Headers.Add(ApiKeys.Header, KeyedFactory.PartnerKey);
        await (await anonymous.SendAsync(request)).ReadJsonAsync(HttpStatusCode.Created);
        var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/stories") { Content = JsonContent.Create(new { title = "Rejected" }) };
        wrong.Headers.Add(ApiKeys.Header, "wrong-key-value-123");
        await anonymous.SendAsync(wrong);

        var logs = string.Join("\n", factory.Logs);
        Assert.Contains("Authenticated API key partner-a", logs);
        Assert.DoesNotContain(KeyedFactory.PartnerKey, logs);
        Assert.DoesNotContain("wrong-key-value-123", logs);
        Assert.DoesNotContain(NewsLensFactory.TestKey, logs);
    }
}

public class ScopeConfigurationTests
{
    [Theory]
    [InlineData("amdin")]
    [InlineData("Admin")]
    [InlineData("")]
    public void AnUnknownScopeStopsTheStartNamingTheKeyAndTheScope(string scope)
    {
        using var factory = new UnknownScopeFactory(scope);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = string.Join(" | ", Messages(error));
        Assert.Contains($"Auth:Keys:1:Scopes holds the unknown scope '{scope}'; the scopes are read, write, admin.", message);
    }

    private static IEnumerable<string> Messages(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception.Message;
        }
    }

    private sealed class UnknownScopeFactory(string scope) : NewsLensFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [new("Auth:Keys:1:Name", "ops"), new("Auth:Keys:1:Sha256", ApiKeys.Hash("ops-key")), new("Auth:Keys:1:Scopes:0", "read"), new("Auth:Keys:1:Scopes:1", scope)];
    }
}

public sealed class ClosedReadsFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Auth:RequireKeyForReads", "true")];
}

public class ClosedReadsTests(ClosedReadsFactory factory) : IClassFixture<ClosedReadsFactory>
{
    [Fact]
    public async Task ReadsNeedAKeyWhenConfigured()
    {
        await (await factory.CreateAnonymousClient().GetAsync("/v1/outlets")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.CreateClient().GetAsync("/v1/outlets")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateAnonymousClient().GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task CoverageIsOnlyPrivatelyCacheableWhenReadsNeedAKey()
    {
        var client = factory.CreateClient();
        var story = await new ApiDriver(client).CreateStoryAsync();

        var response = await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage");

        var cacheControl = response.Headers.CacheControl!;
        Assert.True(cacheControl.Private);
        Assert.False(cacheControl.Public);
        Assert.Equal(TimeSpan.FromSeconds(30), cacheControl.MaxAge);
    }
}

public sealed class DevelopmentFactory : NewsLensFactory
{
    public string BackupDirectory { get; } = Path.Combine(Path.GetTempPath(), "newslens-tests", "backups-" + Guid.NewGuid().ToString("N"));

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Backups:Directory", BackupDirectory)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Development");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(BackupDirectory))
        {
            Directory.Delete(BackupDirectory, recursive: true);
        }
    }
}

public class DevelopmentKeyTests(DevelopmentFactory factory) : IClassFixture<DevelopmentFactory>
{
    [Fact]
    public async Task TheDocumentedDevelopmentKeyWorksInDevelopment()
    {
        var client = factory.CreateAnonymousClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stories") { Content = JsonContent.Create(new { title = "Dev" }) };
        request.Headers.Add(ApiKeys.Header, "newslens-development-key");

        await (await client.SendAsync(request)).ReadJsonAsync(HttpStatusCode.Created);
    }

    [SqliteFact("server backups, which copy the SQLite file (PostgreSQL is backed up with pg_dump)")]
    public async Task TheDevelopmentKeyHasTheAdminScope()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/backups");
        request.Headers.Add(ApiKeys.Header, ApiKeys.DevelopmentKey);

        var backup = await (await factory.CreateAnonymousClient().SendAsync(request)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(File.Exists(Path.Combine(factory.BackupDirectory, (string)backup["file"]!)));
    }
}

public class KeysCommandTests
{
    [Fact]
    public void NewKeysAreRandomAndTheirHashIsTheSha256OfTheKey()
    {
        var first = ApiKeys.NewKey();
        var second = ApiKeys.NewKey();

        Assert.NotEqual(first, second);
        Assert.StartsWith("nlk_", first);
        Assert.True(first.Length >= 40);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ApiKeys.Hash("test"));
    }

    [Fact]
    public void KeysNewPrintsTheNameTheHashAndTheKey()
    {
        var (handled, exitCode, output, error) = Run(["keys", "new", "partner-b.eu_1"]);

        Assert.True(handled);
        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Contains("Auth__Keys__N__Name=partner-b.eu_1\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("\"Name\": \"partner-b.eu_1\"", output);
        Assert.Matches("Auth__Keys__N__Sha256=[0-9a-f]{64}", output);
    }

    [Theory]
    [InlineData("evil\", \"Sha256\": \"00")]
    [InlineData("two\nlines")]
    [InlineData("trailing-newline\n")]
    [InlineData("partner a")]
    [InlineData("")]
    [InlineData("x$(id)")]
    [InlineData("ünïcode")]
    [InlineData("a0123456789012345678901234567890123456789012345678901234567890123")]
    public void KeysNewRefusesANameThatWouldNeedEscapingAndPrintsNothing(string name)
    {
        var (handled, exitCode, output, error) = Run(["keys", "new", name]);

        Assert.True(handled);
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'", error);
    }

    private static (bool Handled, int ExitCode, string Output, string Error) Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var before = Environment.ExitCode;
        try
        {
            Environment.ExitCode = 0;
            var handled = KeysCommand.TryRun(args, output, error);
            return (handled, Environment.ExitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Environment.ExitCode = before;
        }
    }
}
