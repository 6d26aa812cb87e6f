using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Readers;

/// <summary>An article a reading list matched, with its outlet's ratings.</summary>
public sealed record ReadArticle(long ArticleId, string Url, long OutletId, long PublishedAtMs, Bias? Bias, Factuality? Factuality, Ownership? Ownership);

/// <summary>
/// The rules of the reader profile. Pure: what was read is folded exactly as a story's linked articles are
/// (<see cref="CoverageReport"/>), so the percentages, labels and breakdowns follow the coverage rules.
/// </summary>
public static class ReaderProfiles
{
    public const int MaxMissed = 20;

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);

    /// <summary>The articles read, grouped as coverage groups: one per combination of ratings, with its outlets and articles.</summary>
    public static IReadOnlyList<CoverageGroup> Groups(IEnumerable<ReadArticle> read) =>
        [.. read.DistinctBy(a => a.ArticleId)
            .GroupBy(a => (a.Bias, a.Factuality, a.Ownership))
            .Select(g => new CoverageGroup(g.Key.Bias, g.Key.Factuality, g.Key.Ownership,
                g.Select(a => a.OutletId).Distinct().Count(), g.Count(),
                UnixTime.FromMs(g.Min(a => a.PublishedAtMs)), UnixTime.FromMs(g.Max(a => a.PublishedAtMs))))];

    public static ReadingMix Mix(IReadOnlyList<CoverageGroup> groups, CoverageBasis basis, CoverageRatings ratings)
    {
        var coverage = CoverageReport.Build(0, basis, groups, new BlindspotOptions(), ratings);
        return new ReadingMix(coverage.Bias, coverage.Factuality, coverage.Ownership);
    }

    /// <summary>Of left and right, the side read less: by articles, then by sources; null when both are even.</summary>
    public static BlindspotSide? ReadsLeast(BiasDistribution articles, BiasDistribution sources) =>
        articles.Left.Count != articles.Right.Count ? (articles.Left.Count < articles.Right.Count ? BlindspotSide.Left : BlindspotSide.Right)
        : sources.Left.Count != sources.Right.Count ? (sources.Left.Count < sources.Right.Count ? BlindspotSide.Left : BlindspotSide.Right)
        : null;

    /// <summary>
    /// The blindspot flags of the stories a reader misses: those the side read least covers and the other side barely
    /// does. Reading the Right least, a reader misses what only the Right covers, the blindspots of the Left.
    /// </summary>
    public static IReadOnlyList<BlindspotSide> MissedBlindspots(BlindspotSide? readsLeast) => readsLeast switch
    {
        BlindspotSide.Right => [BlindspotSide.Left],
        BlindspotSide.Left => [BlindspotSide.Right],
        _ => [BlindspotSide.Left, BlindspotSide.Right],
    };

    /// <summary><c>to</c>: as given, else the last publication read, else now; <c>from</c>: as given, else 30 days before <c>to</c>.</summary>
    public static ReadingWindow Window(DateTimeOffset? from, DateTimeOffset? to, IEnumerable<ReadArticle> read, DateTimeOffset now)
    {
        var end = to?.UtcDateTime ?? (read.Any() ? UnixTime.FromMs(read.Max(a => a.PublishedAtMs)) : now.UtcDateTime);
        return new ReadingWindow(from?.UtcDateTime ?? end - DefaultWindow, end);
    }

    /// <summary>
    /// The items that matched no article, in the order sent, duplicates folded: a URL in its canonical form (as sent
    /// when it is not one), an id as its decimal text.
    /// </summary>
    public static IReadOnlyList<string> Unmatched(IEnumerable<ArticleReference> items, IEnumerable<ReadArticle> read)
    {
        var ids = read.Select(a => a.ArticleId).ToHashSet();
        var urls = read.Select(a => a.Url).ToHashSet(StringComparer.Ordinal);
        var unmatched = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var text = item.Id is { } id ? (ids.Contains(id) ? null : id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : Canonical(item.Url!) is var url && urls.Contains(url) ? null : url;
            if (text is not null && seen.Add(text))
            {
                unmatched.Add(text);
            }
        }

        return unmatched;
    }

    /// <summary>The URL as article imports store it; text that is no article URL stays as it is.</summary>
    public static string Canonical(string url) => ArticleUrl.TryCanonicalize(url, out var canonical, out _) ? canonical : url;
}
