using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NewsLens.Api.Tests.Security;

/// <summary>
/// With RateLimiting:Redis a key's bucket is one for every process; while Redis cannot be reached each process
/// limits on its own, and no request fails because of it.
/// </summary>
public sealed class ClusterRateLimitTests
{
    [SkippableFact]
    public async Task TwoProcessesShareOneBucketPerKeyInRedis()
    {
        Skip.IfNot(File.Exists(RedisServer.Binary), $"{RedisServer.Binary} is not installed (Debian package redis-server)");
        using var redis = RedisServer.Start();
        using var first = new LimitedFactory($"127.0.0.1:{redis.Port}");
        using var second = new LimitedFactory($"127.0.0.1:{redis.Port}");
        var clients = new[] { first.CreateClient(), second.CreateClient() };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await clients[i % 2].GetAsync("/v1/outlets")).StatusCode);
        }

        // Three tokens for the key in all, not three in each process.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task WhileRedisCannotBeReachedEachProcessLimitsOnItsOwn()
    {
        using var factory = new LimitedFactory($"127.0.0.1:{FreePort()},connectTimeout=200");
        var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.GetAsync("/v1/outlets")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Contains(factory.Logs.Lines, line => line.Contains("Redis cannot be reached", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Three tokens a bucket, none given back during the test, kept in <paramref name="redis"/>.</summary>
    private sealed class LimitedFactory(string redis) : LoggedFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("RateLimiting:Enabled", "true"),
            new("RateLimiting:TokenLimit", "3"),
            new("RateLimiting:TokensPerPeriod", "1"),
            new("RateLimiting:ReplenishmentPeriod", "00:10:00"),
            new("RateLimiting:Redis", redis),
        ];
    }

    /// <summary>A throwaway redis-server on a free loopback port, without persistence.</summary>
    private sealed class RedisServer : IDisposable
    {
        public const string Binary = "/usr/bin/redis-server";

        private readonly Process process;

        private RedisServer(Process process, int port) => (this.process, Port) = (process, port);

        public int Port { get; }

        public static RedisServer Start()
        {
            var port = FreePort();
            var process = Process.Start(new ProcessStartInfo(Binary, ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            process.BeginOutputReadLine();
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(System.Net.IPAddress.Loopback, port);
                    return new RedisServer(process, port);
                }
                catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(10))
                {
                    Thread.Sleep(50);
                }
            }
        }

        public void Dispose()
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
        }
    }
}
