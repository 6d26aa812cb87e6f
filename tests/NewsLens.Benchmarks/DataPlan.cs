using System.Globalization;

namespace NewsLens.Benchmarks;

/// <summary>How big a generated database is. <see cref="Full"/> is the issue's newsroom scale.</summary>
public sealed record DataSize(int Outlets, int Stories, int Articles, int[] Giants, int Seed = 1)
{
    public static DataSize Full { get; } = new(2_000, 100_000, 1_000_000, [10_000, 50_000]);

    /// <summary>Small enough for CI (a few seconds to load), with the same shape.</summary>
    public static DataSize Quick { get; } = new(300, 2_000, 20_000, [1_000, 5_000]);

    /// <summary>The reads-under-writes scenario's database: every story's coverage fits any cache, so writes are what it measures.</summary>
    public static DataSize Small { get; } = new(60, 300, 3_000, []);

    /// <summary>A database of about <paramref name="articles"/> articles with the full shape scaled down (list scaling table).</summary>
    public static DataSize WithArticles(int articles) =>
        new(Math.Min(2_000, Math.Max(100, articles / 50)), Math.Max(100, articles / 10), articles, []);

    /// <summary>Stories of exactly these sizes are planted for the coverage-against-size table (giants add theirs).</summary>
    public static readonly int[] ScalingSizes = [10, 20, 100, 1_000];

    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Outlets:N0} outlets, {Stories:N0} stories, {Articles:N0} articles, giants {(Giants.Length == 0 ? "none" : string.Join(" and ", Giants.Select(g => g.ToString("N0", CultureInfo.InvariantCulture))))}, seed {Seed}");
}

public sealed record PlannedOutlet(string Name, string Domain, string? Bias, string? Factuality, string? Ownership, string Country);

/// <summary>One article row of the import: its URL, publication time, and the story indexes it is linked to.</summary>
public readonly record struct PlannedArticle(string Url, string Title, DateTimeOffset PublishedAt, int Story, int SecondStory);

/// <summary>
/// A deterministic data set: the same seed gives the same outlets, stories and articles on every machine.
/// About 15% of outlets are unrated and the rest cover all seven bias values with a realistic skew; outlets
/// publish with a Zipf-like skew (a few big outlets write most articles); most stories have 3–60 articles,
/// a few giants have tens of thousands, and about 5% of articles are also linked to a second story.
/// </summary>
public sealed class DataPlan
{
    private static readonly (string? Value, int Weight)[] BiasWeights =
        [(null, 15), ("far_left", 4), ("left", 12), ("lean_left", 20), ("center", 21), ("lean_right", 14), ("right", 10), ("far_right", 4)];
    private static readonly (string? Value, int Weight)[] FactualityWeights =
        [(null, 10), ("very_high", 8), ("high", 35), ("mostly_factual", 25), ("mixed", 15), ("low", 5), ("very_low", 2)];
    private static readonly (string? Value, int Weight)[] OwnershipWeights =
        [(null, 10), ("independent", 25), ("media_conglomerate", 25), ("billionaire", 8), ("private_equity", 7), ("government", 5), ("corporation", 15), ("telecom", 3), ("other", 2)];
    private static readonly string[] Countries = ["US", "US", "US", "GB", "GB", "CA", "AU", "DE", "FR", "IN"];
    private static readonly string[] Words =
        ["senate", "budget", "deal", "court", "ruling", "election", "climate", "summit", "tariffs", "strike", "border", "vote",
         "inflation", "rates", "energy", "health", "schools", "housing", "talks", "ceasefire", "report", "inquiry", "storm",
         "markets", "jobs", "tech", "privacy", "trade", "security", "reform", "protest", "merger", "drought", "satellite"];

    public const double SecondStoryShare = 0.05;
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly double[] outletCumulative;

    public DataPlan(DataSize size)
    {
        Size = size;
        var random = new Random(size.Seed);
        Outlets = [.. Enumerable.Range(0, size.Outlets).Select(i => new PlannedOutlet(
            $"Bench Outlet {i:D4}",
            $"outlet{i:D4}.bench.example",
            Pick(random, BiasWeights),
            Pick(random, FactualityWeights),
            Pick(random, OwnershipWeights),
            Countries[random.Next(Countries.Length)]))];

        // Zipf-like publishing volume: outlet i writes in proportion to 1 / (i + 10)^0.9.
        outletCumulative = new double[size.Outlets];
        var total = 0.0;
        for (var i = 0; i < size.Outlets; i++)
        {
            total += 1 / Math.Pow(i + 10, 0.9);
            outletCumulative[i] = total;
        }

        StorySizes = PlanStorySizes(size, random, out var special);
        SpecialStories = special;
    }

    public DataSize Size { get; }
    public IReadOnlyList<PlannedOutlet> Outlets { get; }

    /// <summary>Articles whose primary story is each story index.</summary>
    public int[] StorySizes { get; }

    /// <summary>Story index of each planted size (10, 20, 100, 1,000 and the giants).</summary>
    public IReadOnlyDictionary<int, int> SpecialStories { get; }

    public string StoryTitle(int story)
    {
        var random = new Random(HashCode.Combine(Size.Seed, story, 17));
        var words = Enumerable.Range(0, 6).Select(_ => Words[random.Next(Words.Length)]);
        return string.Create(CultureInfo.InvariantCulture, $"Story {story}: {string.Join(' ', words)}");
    }

    /// <summary>Every article, story by story, in a fixed order.</summary>
    public IEnumerable<PlannedArticle> Articles()
    {
        var random = new Random(Size.Seed * 7919);
        for (var story = 0; story < StorySizes.Length; story++)
        {
            var start = Epoch.AddMinutes(random.Next(600 * 24 * 60));
            var typical = !SpecialStories.Values.Contains(story);
            for (var k = 0; k < StorySizes[story]; k++)
            {
                var outlet = Outlets[PickOutlet(random)];
                var second = -1;
                if (typical && StorySizes.Length > 1 && random.NextDouble() < SecondStoryShare)
                {
                    second = random.Next(StorySizes.Length);
                    if (second == story || SpecialStories.Values.Contains(second))
                    {
                        second = -1;
                    }
                }

                yield return new PlannedArticle(
                    string.Create(CultureInfo.InvariantCulture, $"https://{outlet.Domain}/news/{story}/{k}"),
                    string.Create(CultureInfo.InvariantCulture, $"Article {k} on story {story}"),
                    start.AddMinutes(random.Next(3 * 24 * 60)),
                    story,
                    second);
            }
        }
    }

    private int PickOutlet(Random random)
    {
        var index = Array.BinarySearch(outletCumulative, random.NextDouble() * outletCumulative[^1]);
        return Math.Min(index < 0 ? ~index : index, outletCumulative.Length - 1);
    }

    private static string? Pick(Random random, (string? Value, int Weight)[] weights)
    {
        var roll = random.Next(weights.Sum(w => w.Weight));
        foreach (var (value, weight) in weights)
        {
            if ((roll -= weight) < 0)
            {
                return value;
            }
        }

        return weights[^1].Value;
    }

    /// <summary>
    /// Plants the special sizes at fixed indexes, then gives every other story 3–60 articles (3 plus an
    /// exponential tail, most of them small) and nudges single stories up or down until the total is exact.
    /// </summary>
    private static int[] PlanStorySizes(DataSize size, Random random, out IReadOnlyDictionary<int, int> special)
    {
        const int Min = 3, Max = 60;
        var sizes = new int[size.Stories];
        var planted = new Dictionary<int, int>();
        var remaining = (long)size.Articles;
        var next = 0;
        foreach (var articles in DataSize.ScalingSizes.Concat(size.Giants).Distinct().Order())
        {
            if (articles > remaining / 2 || next >= size.Stories / 2)
            {
                continue;
            }

            // Spread the planted stories through the id range rather than at the front.
            var index = (int)((long)(next + 1) * size.Stories / (DataSize.ScalingSizes.Length + size.Giants.Length + 2));
            sizes[index] = articles;
            planted[articles] = index;
            remaining -= articles;
            next++;
        }

        var typical = Enumerable.Range(0, size.Stories).Where(i => !planted.Values.Contains(i)).ToArray();
        var mean = Math.Clamp((double)remaining / typical.Length - Min, 0.5, Max - Min);
        foreach (var i in typical)
        {
            sizes[i] = Math.Min(Max, Min + (int)(-Math.Log(1 - random.NextDouble()) * mean));
        }

        var difference = remaining - typical.Sum(i => (long)sizes[i]);
        for (var guard = 0; difference != 0 && guard < 50_000_000; guard++)
        {
            var i = typical[random.Next(typical.Length)];
            if (difference > 0 && sizes[i] < Max) { sizes[i]++; difference--; }
            else if (difference < 0 && sizes[i] > Min) { sizes[i]--; difference++; }
        }

        special = planted;
        return sizes;
    }
}
