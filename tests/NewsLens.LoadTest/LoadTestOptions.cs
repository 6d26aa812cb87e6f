namespace NewsLens.LoadTest;

/// <summary>What one run is told on its command line.</summary>
sealed record LoadTestOptions(string BaseUrl, string ApiKey, string Database, int Clients, int Seconds, int Seed, int CrashRounds, string? ServerDll)
{
    public static LoadTestOptions Parse(string[] args)
    {
        string Get(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
        }

        return new LoadTestOptions(Get("--base-url").TrimEnd('/'), Get("--api-key"), Get("--db"), int.Parse(Get("--clients", "16")), int.Parse(Get("--seconds", "20")),
            int.Parse(Get("--seed", "1")), int.Parse(Get("--crash-rounds", "0")), args.Contains("--server-dll") ? Get("--server-dll") : null);
    }
}
