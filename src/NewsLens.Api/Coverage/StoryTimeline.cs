using System.Text.Json.Serialization;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>The width of a timeline's buckets, whole UTC hours or days.</summary>
public enum TimelineBucket
{
    Hour,
    Day,
}

/// <summary>How a story's coverage grew: its buckets from the first publication to the last, and each lean's first article.</summary>
/// <param name="Buckets">Every bucket from the one holding the first publication to the one holding the last, empty ones included; none without links.</param>
/// <param name="FirstBySide">Each lean's earliest article (ties: the lower article id); a lean with none is absent.</param>
public sealed record StoryTimeline(
    long StoryId,
    CoverageBasis Basis,
    TimelineBucket Bucket,
    CoverageRatings Ratings,
    DateTime? FirstPublishedAt,
    DateTime? LastPublishedAt,
    IReadOnlyList<TimelinePoint> Buckets,
    FirstBySide FirstBySide);

/// <summary>One bucket: the units first seen in it, by lean, and the coverage counted up to its end.</summary>
/// <param name="Start">The bucket's first instant (UTC, on the hour or at midnight); it lasts one hour or one day.</param>
/// <param name="Left">Units first seen in this bucket whose outlet leans left (sources: outlets whose first article of the story is in it; articles: articles published in it).</param>
/// <param name="Unrated">Units first seen in this bucket whose outlet has no bias rating.</param>
/// <param name="Cumulative">The coverage of every unit seen up to the end of this bucket, by the rules of coverage.</param>
public sealed record TimelinePoint(DateTime Start, int Left, int Center, int Right, int Unrated, CumulativeCoverage Cumulative);

/// <summary>Coverage after a bucket: rated and unrated units so far, their percentages (null while nothing is rated) and the label.</summary>
public sealed record CumulativeCoverage(int Rated, int Unrated, int? Left, int? Center, int? Right, string Label);

/// <summary>The earliest article of each lean; a lean without articles is absent.</summary>
public sealed record FirstBySide(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FirstArticle? Left,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FirstArticle? Center,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FirstArticle? Right);

public sealed record FirstArticle(long ArticleId, long OutletId, DateTime PublishedAt);

/// <summary>One link of a story as the timeline counts it: the article, its outlet, when it was published and the outlet's lean (null: unrated).</summary>
public readonly record struct TimelineLink(long ArticleId, long OutletId, long PublishedAtMs, Lean? Lean);

/// <summary>Builds a story's timeline from its links. Pure; percentages and labels are <see cref="BiasDistributionRule"/>'s.</summary>
public static class StoryTimelines
{
    /// <summary>More buckets than this is a 400 that asks for a larger bucket.</summary>
    public const int MaxBuckets = 2_000;

    public static long BucketMs(TimelineBucket bucket) => bucket == TimelineBucket.Day ? 86_400_000 : 3_600_000;

    /// <summary>The bucket holding an instant, numbered from the Unix epoch (floor, so instants before 1970 fall right too).</summary>
    public static long BucketOf(long ms, TimelineBucket bucket) => Math.DivRem(ms, BucketMs(bucket)) is var (q, r) && r < 0 ? q - 1 : q;

    /// <summary>How many buckets span the first to the last publication; 0 without any.</summary>
    public static long BucketCount(long? firstMs, long? lastMs, TimelineBucket bucket) =>
        firstMs is { } first && lastMs is { } last ? BucketOf(last, bucket) - BucketOf(first, bucket) + 1 : 0;

    public static StoryTimeline Build(long storyId, CoverageBasis basis, TimelineBucket bucket, CoverageRatings ratings, IEnumerable<TimelineLink> links)
    {
        var ordered = links.OrderBy(l => l.PublishedAtMs).ThenBy(l => l.ArticleId).ToList();
        if (ordered.Count == 0)
        {
            return new StoryTimeline(storyId, basis, bucket, ratings, null, null, [], new FirstBySide(null, null, null));
        }

        var first = BucketOf(ordered[0].PublishedAtMs, bucket);
        var count = BucketOf(ordered[^1].PublishedAtMs, bucket) - first + 1;
        if (count > MaxBuckets)
        {
            throw new ArgumentException($"{count} buckets; at most {MaxBuckets}.", nameof(bucket));
        }

        // Per bucket: left, center, right, unrated. A source counts once, in the bucket of its first article.
        var counts = new int[count, 4];
        var units = basis == CoverageBasis.Sources ? ordered.DistinctBy(l => l.OutletId) : ordered;
        foreach (var unit in units)
        {
            counts[BucketOf(unit.PublishedAtMs, bucket) - first, unit.Lean is { } lean ? (int)lean : 3]++;
        }

        var points = new List<TimelinePoint>((int)count);
        var (left, center, right, unrated) = (0, 0, 0, 0);
        for (var i = 0; i < count; i++)
        {
            (left, center, right, unrated) = (left + counts[i, 0], center + counts[i, 1], right + counts[i, 2], unrated + counts[i, 3]);
            var leans = new LeanCounts(left, center, right);
            var percents = BiasDistributionRule.Percentages(leans);
            points.Add(new TimelinePoint(
                UnixTime.FromMs((first + i) * BucketMs(bucket)),
                counts[i, 0], counts[i, 1], counts[i, 2], counts[i, 3],
                new CumulativeCoverage(leans.Rated, unrated, percents.Left, percents.Center, percents.Right, BiasDistributionRule.Label(basis, leans, percents))));
        }

        FirstArticle? FirstOf(Lean lean) => ordered.FirstOrDefault(l => l.Lean == lean) is { Lean: not null } l
            ? new FirstArticle(l.ArticleId, l.OutletId, UnixTime.FromMs(l.PublishedAtMs))
            : null;

        return new StoryTimeline(storyId, basis, bucket, ratings,
            UnixTime.FromMs(ordered[0].PublishedAtMs), UnixTime.FromMs(ordered[^1].PublishedAtMs),
            points, new FirstBySide(FirstOf(Lean.Left), FirstOf(Lean.Center), FirstOf(Lean.Right)));
    }
}
