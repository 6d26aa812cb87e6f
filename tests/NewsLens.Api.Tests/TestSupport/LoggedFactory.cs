using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>The API with its log lines captured.</summary>
public class LoggedFactory : NewsLensFactory
{
    public LoggedFactory()
    {
    }

    protected LoggedFactory(string databasePath, params (string Key, string? Value)[] settings) : base(databasePath)
    {
        extra = settings;
    }

    private readonly (string Key, string? Value)[] extra = [];

    public CapturedLogs Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => extra.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(Logs)));
    }
}
