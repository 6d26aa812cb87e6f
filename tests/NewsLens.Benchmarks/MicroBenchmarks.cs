using NewsLens.Api.Storage;
using NewsLens.Api.Text;
using BenchmarkDotNet.Attributes;
using NewsLens.Api.Coverage;

namespace NewsLens.Benchmarks;

/// <summary>The pure rule component: percentages, majority, label and blindspot from lean counts.</summary>
[MemoryDiagnoser]
public class BiasRuleBenchmarks
{
    private static readonly BlindspotOptions Thresholds = new();
    private readonly LeanCounts[] counts = [new(11, 5, 4), new(1, 1, 1), new(0, 0, 0), new(300, 1, 2), new(17, 17, 0), new(2_000, 1_500, 1_200)];

    [Benchmark(Description = "Percentages + majority + label + blindspot (6 count sets)")]
    public int Rules()
    {
        var sum = 0;
        foreach (var c in counts)
        {
            var percents = BiasDistributionRule.Percentages(c);
            sum += (percents.Left ?? 0) + (int)(BiasDistributionRule.Majority(c) ?? 0)
                + BiasDistributionRule.Label(CoverageBasis.Sources, c, percents).Length + (int)(BiasDistributionRule.Blindspot(c, Thresholds) ?? 0);
        }

        return sum;
    }
}

/// <summary>
/// The coverage computation in process against the generated database, without HTTP: the store's two
/// queries (stamps, and the groups aggregated from story_outlets) and the fold into the coverage object.
/// NEWSLENS_BENCH_ENGINE names the engine (sqlite or postgresql), NEWSLENS_BENCH_DB its connection string, and
/// NEWSLENS_BENCH_STORIES maps story sizes to ids ("10=123,100=456").
/// </summary>
[MemoryDiagnoser]
public class CoverageBenchmarks
{
    private CoverageStore store = null!;
    private long storyId;

    [ParamsSource(nameof(Sizes))]
    public int Articles { get; set; }

    public static IEnumerable<int> Sizes() => StoryIds().Keys.Order();

    [GlobalSetup]
    public void Setup()
    {
        // As the API sets it at start (ServiceSetup): snake_case columns map to PascalCase properties.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        var connectionString = Environment.GetEnvironmentVariable("NEWSLENS_BENCH_DB") ?? throw new InvalidOperationException("NEWSLENS_BENCH_DB is not set");
        Database database = Environment.GetEnvironmentVariable("NEWSLENS_BENCH_ENGINE") == "postgresql"
            ? new PostgreSqlDatabase(connectionString)
            : new SqliteDatabase($"{connectionString};Mode=ReadOnly;Pooling=True");
        // No cache: this measures the computation itself, as on the first read of each coverage version.
        var summaries = new CoverageSummaries(Microsoft.Extensions.Options.Options.Create(new CoverageOptions()));
        store = new CoverageStore(database, new CoverageCache(0), summaries,
            new NewsLens.Api.Ratings.RatingStore(database, summaries, Microsoft.Extensions.Options.Options.Create(new NewsLens.Api.Ratings.RatingsSettings())), TimeProvider.System);
        storyId = StoryIds()[Articles];
    }

    [Benchmark(Description = "Read a story's coverage groups and build its coverage")]
    public async Task<StoryCoverage> Coverage()
    {
        var read = await store.ReadAsync([storyId], CancellationToken.None);
        return read.Coverage(storyId, CoverageBasis.Sources, new BlindspotOptions());
    }

    [Benchmark(Description = "Coverage by one rater as of a date, worked out on request from the story's outlets and ratings")]
    public async Task<StoryCoverage> CoverageByRaterAsOf()
    {
        var read = await store.ReadWithRatingsAsync([storyId], new RatingsChoice("newslens", DateTimeOffset.UtcNow), CancellationToken.None);
        return read.Coverage(storyId, CoverageBasis.Sources, new BlindspotOptions());
    }

    private static Dictionary<int, long> StoryIds() =>
        (Environment.GetEnvironmentVariable("NEWSLENS_BENCH_STORIES") ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('='))
        .ToDictionary(p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
}
