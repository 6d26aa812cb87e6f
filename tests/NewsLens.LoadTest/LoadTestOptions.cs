namespace NewsLens.LoadTest;

/// <summary>What one run is told on its command line (<see cref="LoadTestCommand"/>).</summary>
sealed record LoadTestOptions(string BaseUrl, string ApiKey, string Database, int Clients, int Seconds, int Seed, int CrashRounds, string? ServerDll);
