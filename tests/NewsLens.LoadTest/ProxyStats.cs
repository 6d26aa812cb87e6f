using System.Diagnostics;
using System.Globalization;

namespace NewsLens.LoadTest;

/// <summary>One replica as HAProxy sees it: its check state and counters (HAProxy's stats CSV columns in brackets).</summary>
/// <param name="Status">UP, DOWN, or a transition such as "UP 1/2" (failing, still used) [status].</param>
/// <param name="Current">Requests it is serving now [scur].</param>
/// <param name="ConnectionErrors">Connections to it that failed [econ].</param>
/// <param name="ResponseErrors">Answers from it that failed: closed or aborted [eresp].</param>
/// <param name="Retries">Requests retried after a failure on it [wretr].</param>
/// <param name="Redispatches">Requests sent on to another replica after a failure on it [wredis].</param>
/// <param name="Answers5xx">5xx answers on requests given to it, its own or the proxy's [hrsp_5xx].</param>
sealed record ProxyServer(string Status, long Current, long ConnectionErrors, long ResponseErrors, long Retries, long Redispatches, long Answers5xx);

/// <summary>The proxy's view of the replicas, from HAProxy's stats page as CSV (deploy/haproxy.cfg, backend <c>replicas</c>).</summary>
sealed class ProxyStats(string url) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<IReadOnlyDictionary<string, ProxyServer>> ReadAsync()
    {
        var lines = (await http.GetStringAsync(url)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var columns = lines[0].TrimStart('#', ' ').Split(',').Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        long Number(string[] row, string column) => long.TryParse(row[columns[column]], CultureInfo.InvariantCulture, out var n) ? n : 0;
        return lines.Skip(1).Select(l => l.Split(','))
            .Where(row => row[columns["pxname"]] == "replicas" && row[columns["svname"]] is not ("BACKEND" or "FRONTEND"))
            .ToDictionary(row => row[columns["svname"]], row => new ProxyServer(row[columns["status"]], Number(row, "scur"), Number(row, "econ"),
                Number(row, "eresp"), Number(row, "wretr"), Number(row, "wredis"), Number(row, "hrsp_5xx")));
    }

    /// <summary>How long until the proxy takes the replica out (DOWN) or uses it again (UP); null when not within the time.</summary>
    public async Task<TimeSpan?> WaitAsync(string server, bool up, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            var status = (await ReadAsync())[server].Status;
            if (up ? status == "UP" : status.StartsWith("DOWN", StringComparison.Ordinal))
            {
                return clock.Elapsed;
            }

            await Task.Delay(25);
        }

        return null;
    }

    public void Dispose() => http.Dispose();
}
