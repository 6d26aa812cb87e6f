using System.Diagnostics;

namespace NewsLens.LoadTest;

/// <summary>One promise of a cluster run: whether it held, and the figures that say so.</summary>
sealed record ClusterCheck(string Name, bool Passed, string Figures);

/// <summary>
/// Replicas behind a proxy (issue 14, tests/cluster/run.sh): the run starts the replicas on one PostgreSQL database and
/// keeps the clients' mixed load on the proxy while it measures the freshness window between replicas, kills one
/// replica (SIGKILL), restarts every replica in turn (SIGTERM), and restarts PostgreSQL. Afterwards every acknowledged
/// write must be there, every replica must serve the recount of every story with the same validators, and one key's
/// burst spread over the replicas must get one bucket from the cluster.
/// </summary>
static class ClusterRun
{
    /// <summary>Limits the mixed load never reaches (it runs on one key), so that every request still takes its token from Redis.</summary>
    private static ReplicaRateLimits LoadLimits(string? redis) => new(1_000_000, 1_000_000, TimeSpan.FromSeconds(1), redis);

    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(LoadTestOptions options, ServerDatabase database, List<LoadClient> clients, Stats stats)
    {
        using var serverLog = options.ServerLog is null ? TextWriter.Null : TextWriter.Synchronized(new StreamWriter(options.ServerLog, append: true) { AutoFlush = true });
        using var proxy = new ProxyStats(options.ProxyStats!);
        var replicas = options.Replicas.Select((url, i) => new Replica(i + 1, url, options, database, serverLog)).ToList();
        var checks = new List<ClusterCheck>();
        try
        {
            var limits = LoadLimits(options.Redis);
            foreach (var replica in replicas)
            {
                replica.Start(limits);
            }

            if (!await ReadyAsync(replicas, proxy))
            {
                Console.WriteLine("cluster: the replicas were not ready, or the proxy did not take them in, within 90 s");
                return 1;
            }

            Console.WriteLine($"cluster: {replicas.Count} replicas ready behind the proxy ({string.Join(", ", replicas.Select(r => $"{r.Name} {r.Url}"))}); " +
                $"{options.Clients} clients of mixed load through {options.BaseUrl}");
            using var stopLoad = new CancellationTokenSource();
            var load = Task.WhenAll(clients.Select(c => Task.Run(() => c.RunAsync(stopLoad.Token))));
            var total = Stopwatch.StartNew();

            checks.AddRange(await SteadyAsync(options, replicas, stats));
            checks.Add(await KillAsync(options, replicas[1], proxy, stats));
            checks.Add(await RollingRestartAsync(replicas, proxy, stats, limits));
            checks.Add(await PostgresRestartAsync(options, replicas, proxy, stats));

            await stopLoad.CancelAsync();
            await load;
            Console.WriteLine($"load: {stats.Requests:N0} requests in {total.Elapsed.TotalSeconds:F0} s ({stats.Requests / total.Elapsed.TotalSeconds:F0}/s), " +
                $"{stats.Acknowledged:N0} writes acknowledged; {stats.Snapshot().Describe()}");

            checks.Add(await AcknowledgedAsync(clients, database, stats));
            checks.Add(await ReplicaAgreement.CheckAsync(replicas, database));
            checks.Add(await MetricsAsync(options, replicas));
            checks.Add(await RateLimitAsync(options, replicas, proxy, database));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                replica.Dispose();
            }
        }

        Console.WriteLine();
        foreach (var check in checks)
        {
            Console.WriteLine($"{(check.Passed ? "ok    " : "FAILED")} {check.Name}: {check.Figures}");
        }

        // The 503s of the PostgreSQL restart are expected and counted above; the rest are worth reading.
        foreach (var error in stats.Errors.Where(e => !e.Contains("→ 503 ", StringComparison.Ordinal)).Take(10))
        {
            Console.WriteLine("  " + error);
        }

        foreach (var reason in stats.UnansweredReasons)
        {
            Console.WriteLine("  unanswered: " + reason);
        }

        var passed = checks.All(c => c.Passed);
        Console.WriteLine($"cluster: {(passed ? "passed" : "FAILED")}");
        return passed ? 0 : 1;
    }

    /// <summary>The first stretch: nothing fails; the freshness probe writes through each replica and polls the others.</summary>
    private static async Task<ClusterCheck[]> SteadyAsync(LoadTestOptions options, List<Replica> replicas, Stats stats)
    {
        var before = stats.Snapshot();
        using var proxyHttp = Replica.Client(options.BaseUrl, options.ApiKey);
        var probe = new FreshnessProbe(replicas, proxyHttp);
        var clock = Stopwatch.StartNew();
        // On a machine so busy that the stretch gave too few samples to judge, once more.
        for (var stretch = 0; stretch < 2 && probe.Samples < FreshnessProbe.EnoughSamples; stretch++)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
            await probe.RunAsync(stop.Token);
        }

        var steady = stats.Snapshot() - before;
        var fresh = probe.Passed(out var figures);
        Console.WriteLine($"steady: {clock.Elapsed.TotalSeconds:F0} s, {steady.Requests:N0} requests: {steady.Describe()}; freshness: {figures}");
        return
        [
            new ClusterCheck("steady load", steady.Failed == 0, $"{steady.Requests:N0} requests in {clock.Elapsed.TotalSeconds:F0} s, {steady.Failed} failed ({steady.Describe()})"),
            new ClusterCheck("freshness window (max ≤ 1 s; same ETag and Last-Modified)", fresh, figures),
        ];
    }

    /// <summary>SIGKILL one replica mid-load: the proxy routes around it; only requests in flight on it may fail.</summary>
    private static async Task<ClusterCheck> KillAsync(LoadTestOptions options, Replica victim, ProxyStats proxy, Stats stats)
    {
        var before = stats.Snapshot();
        var proxyBefore = (await proxy.ReadAsync())[victim.Name];
        await Task.Delay(TimeSpan.FromSeconds(2));
        await victim.KillAsync();
        var down = await proxy.WaitAsync(victim.Name, up: false, TimeSpan.FromSeconds(10));
        // The load goes on two replicas for a while before the third is back.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var killed = stats.Snapshot() - before;
        var proxyAfter = (await proxy.ReadAsync())[victim.Name];
        victim.Start(LoadLimits(options.Redis));
        var back = await victim.WaitReadyAsync(StartWithin) ? await proxy.WaitAsync(victim.Name, up: true, StartWithin) : null;
        var phase = stats.Snapshot() - before;
        var figures = $"{victim.Name} killed; proxy took it out after {Seconds(down)}, back in {Seconds(back)} after its restart; " +
            $"{phase.Requests:N0} requests, {phase.Failed:N0} failed ({phase.Describe()}); {killed.Failed} of them by the time it was out; " +
            $"proxy on {victim.Name}: {proxyAfter.ResponseErrors - proxyBefore.ResponseErrors} answers cut off, " +
            $"{proxyAfter.Redispatches - proxyBefore.Redispatches} requests redispatched to another replica";
        Console.WriteLine($"kill -9: {figures}");
        // Each client has one request in flight: only those on the killed replica may fail, and no 500.
        var passed = down is not null && back is not null && phase.Failed <= options.Clients && phase.Count(a => a.Status == 500) == 0;
        return new ClusterCheck("kill -9 one replica (acknowledged writes checked below)", passed, figures);
    }

    /// <summary>SIGTERM each replica in turn, starting it again once the previous one is back in the proxy: nothing fails.</summary>
    private static async Task<ClusterCheck> RollingRestartAsync(List<Replica> replicas, ProxyStats proxy, Stats stats, ReplicaRateLimits limits)
    {
        var before = stats.Snapshot();
        var clock = Stopwatch.StartNew();
        var steps = new List<string>();
        var passed = true;
        foreach (var replica in replicas)
        {
            var stopping = replica.StopAsync();
            var down = await proxy.WaitAsync(replica.Name, up: false, TimeSpan.FromSeconds(10));
            var exitCode = await stopping;
            replica.Start(limits);
            var back = await replica.WaitReadyAsync(StartWithin) ? await proxy.WaitAsync(replica.Name, up: true, StartWithin) : null;
            steps.Add($"{replica.Name} out after {Seconds(down)}, exit code {exitCode}, back in {Seconds(back)}");
            passed &= down is not null && exitCode == 0 && back is not null;
        }

        var phase = stats.Snapshot() - before;
        var figures = $"{clock.Elapsed.TotalSeconds:F1} s ({string.Join("; ", steps)}); {phase.Requests:N0} requests, {phase.Failed:N0} failed ({phase.Describe()})";
        Console.WriteLine($"rolling restart: {figures}");
        return new ClusterCheck("rolling restart with SIGTERM (0 failed requests)", passed && phase.Failed == 0, figures);
    }

    /// <summary>
    /// PostgreSQL restarted under the replicas: while it is down the answers are 503 (the replicas', or the proxy's once
    /// every replica fails readiness), never a 500; once it is back the same processes serve again without a failure.
    /// </summary>
    private static async Task<ClusterCheck> PostgresRestartAsync(LoadTestOptions options, List<Replica> replicas, ProxyStats proxy, Stats stats)
    {
        var before = stats.Snapshot();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var began = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        using (var restart = Process.Start("bash", ["-c", options.PostgresRestart!]))
        {
            await restart.WaitForExitAsync();
            if (restart.ExitCode != 0)
            {
                return new ClusterCheck("PostgreSQL restart", false, $"'{options.PostgresRestart}' exited with {restart.ExitCode}");
            }
        }

        var restarted = clock.Elapsed;
        TimeSpan? recovered = null;
        foreach (var replica in replicas)
        {
            var up = await proxy.WaitAsync(replica.Name, up: true, TimeSpan.FromSeconds(30));
            recovered = up is null ? null : clock.Elapsed;
        }

        // Recovered means served again by the same processes: after a second for their pools to drop the connections
        // the restart broke (a request may meet one on its first use), a stretch of load must pass without a failure.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var afterRecovery = stats.Snapshot();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var tail = stats.Snapshot() - afterRecovery;
        var phase = stats.Snapshot() - before;
        var lastFailure = stats.LastFailure;
        var failingFor = lastFailure > began ? Stopwatch.GetElapsedTime(began, lastFailure) : TimeSpan.Zero;
        var figures = $"pg_ctl restart took {restarted.TotalSeconds:F1} s; every replica in the proxy {Seconds(recovered)} after it began, " +
            $"last failed request {failingFor.TotalSeconds:F1} s after it began; {phase.Requests:N0} requests, {phase.Failed:N0} failed ({phase.Describe()}); " +
            $"from 1 s after recovery, 3 s of load: {tail.Requests:N0} requests, {tail.Failed} failed";
        Console.WriteLine($"PostgreSQL restart: {figures}");
        var only503 = phase.Count(a => a.Status >= 500 && a.Status != 503) == 0 && phase.Unanswered == 0;
        return new ClusterCheck("PostgreSQL restart (503 while down, no 500, recovery without restarting replicas)",
            recovered is not null && only503 && tail.Failed == 0 && tail.Requests > 0, figures);
    }

    /// <summary>Every write acknowledged 2xx, read back through the proxy, and every story's stored summary against a recount.</summary>
    private static async Task<ClusterCheck> AcknowledgedAsync(List<LoadClient> clients, ServerDatabase database, Stats stats)
    {
        var lost = 0;
        foreach (var client in clients)
        {
            lost += await client.VerifyAsync();
        }

        var (summaries, mismatched) = await Recount.CompareAsync(database);
        return new ClusterCheck("acknowledged writes", lost == 0 && mismatched == 0,
            $"{stats.Acknowledged:N0} writes acknowledged, {clients.Sum(c => c.Checked):N0} reads checking them: {lost} lost or wrong " +
            $"(writes cut off by the kill are in doubt and not counted); {summaries:N0} story summaries, {mismatched} differ from a recount");
    }

    /// <summary>Each replica's Prometheus metrics, scraped from it directly; the proxy does not pass /metrics to the API's clients.</summary>
    private static async Task<ClusterCheck> MetricsAsync(LoadTestOptions options, List<Replica> replicas)
    {
        var scrapes = new List<string>();
        var passed = true;
        foreach (var replica in replicas)
        {
            using var response = await replica.Http.GetAsync("/metrics");
            var body = await response.Content.ReadAsStringAsync();
            var text = response.Content.Headers.ContentType?.MediaType == "text/plain";
            var series = body.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
            scrapes.Add($"{replica.Name} {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}, {series:N0} samples");
            passed &= response.IsSuccessStatusCode && text && series > 0;
        }

        using var proxyHttp = Replica.Client(options.BaseUrl, options.ApiKey);
        using var throughProxy = await proxyHttp.GetAsync("/metrics");
        passed &= throughProxy.StatusCode == System.Net.HttpStatusCode.NotFound;
        var figures = $"{string.Join("; ", scrapes)}; through the proxy {(int)throughProxy.StatusCode}";
        Console.WriteLine($"metrics: {figures}");
        return new ClusterCheck("metrics scraped from each replica, hidden by the proxy", passed, figures);
    }

    /// <summary>The replicas started again with a bucket the burst can empty, in Redis; then one key's burst over all of them.</summary>
    private static async Task<ClusterCheck> RateLimitAsync(LoadTestOptions options, List<Replica> replicas, ProxyStats proxy, ServerDatabase database)
    {
        var limits = RateLimitBurst.Limits(options.Redis);
        foreach (var replica in replicas)
        {
            await replica.KillAsync();
            await proxy.WaitAsync(replica.Name, up: false, TimeSpan.FromSeconds(10));
            replica.Start(limits);
        }

        if (!await ReadyAsync(replicas, proxy))
        {
            return new ClusterCheck("rate limit", false, "the replicas were not ready again within 90 s");
        }

        var story = (await Recount.CoverageAsync(database)).Keys.First();
        var check = await RateLimitBurst.RunAsync(options, limits, replicas.Count, story);
        Console.WriteLine($"rate limit: {check.Figures}");
        return check;
    }

    private static async Task<bool> ReadyAsync(List<Replica> replicas, ProxyStats proxy)
    {
        foreach (var replica in replicas)
        {
            if (!await replica.WaitReadyAsync(StartWithin) || await proxy.WaitAsync(replica.Name, up: true, StartWithin) is null)
            {
                return false;
            }
        }

        return true;
    }

    private static string Seconds(TimeSpan? span) => span is { } s ? $"{s.TotalSeconds:F2} s" : "never";
}
