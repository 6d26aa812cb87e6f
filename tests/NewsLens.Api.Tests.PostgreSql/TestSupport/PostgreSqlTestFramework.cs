using Xunit.Abstractions;
using Xunit.Sdk;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// xUnit's own framework, which also says in the run's output (as a diagnostic message, shown at the default
/// verbosity) why the PostgreSQL run is skipped, or which server it runs on.
/// </summary>
public sealed class PostgreSqlTestFramework : XunitTestFramework
{
    private static int toldWhySkipped;

    public PostgreSqlTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        PostgreSqlCluster.Diagnostics = line => messageSink.OnMessage(new DiagnosticMessage(line));
        if (TestEngine.Unavailable is { } reason && Interlocked.Exchange(ref toldWhySkipped, 1) == 0)
        {
            messageSink.OnMessage(new DiagnosticMessage($"Every test of this assembly is skipped. {reason}"));
        }
    }
}
