using CsCheck;
using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Tests.Coverage;

public class StoryTimelineTests
{
    private static readonly CoverageRatings Combined = new(CoverageRatings.Combined, CombineMethod.Mean, null);

    private static long Ms(string at) => DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private static TimelineLink Link(long article, long outlet, string at, Lean? lean) => new(article, outlet, Ms(at), lean);

    [Fact]
    public void ASourceCountsInTheBucketOfItsFirstArticleAndEmptyHoursAreListed()
    {
        TimelineLink[] links =
        [
            Link(1, 10, "2025-09-04T06:23:00Z", Lean.Left),
            Link(2, 10, "2025-09-04T09:05:00Z", Lean.Left),
            Link(3, 20, "2025-09-04T08:59:59Z", Lean.Right),
            Link(4, 30, "2025-09-04T06:59:59.999Z", null),
            Link(5, 40, "2025-09-04T09:00:00Z", Lean.Center),
        ];

        var sources = StoryTimelines.Build(7, CoverageBasis.Sources, TimelineBucket.Hour, Combined, links);
        var articles = StoryTimelines.Build(7, CoverageBasis.Articles, TimelineBucket.Hour, Combined, links);

        Assert.Equal(["06:00", "07:00", "08:00", "09:00"], sources.Buckets.Select(b => b.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(sources.Buckets, b => Assert.Equal(DateTimeKind.Utc, b.Start.Kind));
        Assert.Equal([(1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 1, 0), (0, 1, 0, 0)], sources.Buckets.Select(b => (b.Left, b.Center, b.Right, b.Unrated)));
        Assert.Equal([(1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 1, 0), (1, 1, 0, 0)], articles.Buckets.Select(b => (b.Left, b.Center, b.Right, b.Unrated)));
        Assert.Equal(
            [new CumulativeCoverage(1, 1, 100, 0, 0, "100% of the sources lean Left"), new CumulativeCoverage(1, 1, 100, 0, 0, "100% of the sources lean Left"),
             new CumulativeCoverage(2, 1, 50, 0, 50, "No majority lean"), new CumulativeCoverage(3, 1, 33, 34, 33, "No majority lean")],
            sources.Buckets.Select(b => b.Cumulative));
        Assert.Equal(new CumulativeCoverage(4, 1, 50, 25, 25, "50% of the articles lean Left"), articles.Buckets[^1].Cumulative);
        Assert.Equal(new FirstBySide(
            new FirstArticle(1, 10, new DateTime(2025, 9, 4, 6, 23, 0, DateTimeKind.Utc)),
            new FirstArticle(5, 40, new DateTime(2025, 9, 4, 9, 0, 0, DateTimeKind.Utc)),
            new FirstArticle(3, 20, new DateTime(2025, 9, 4, 8, 59, 59, DateTimeKind.Utc))), sources.FirstBySide);
        Assert.Equal((new DateTime(2025, 9, 4, 6, 23, 0, DateTimeKind.Utc), new DateTime(2025, 9, 4, 9, 5, 0, DateTimeKind.Utc)),
            (sources.FirstPublishedAt, sources.LastPublishedAt));
    }

    [Fact]
    public void DaysStartAtMidnightUtcAndALeanWithoutArticlesHasNoFirst()
    {
        TimelineLink[] links =
        [
            Link(1, 10, "2025-09-04T23:30:00-02:00", Lean.Right), // 2025-09-05T01:30Z
            Link(2, 20, "2025-09-04T23:59:59Z", Lean.Right),
            Link(3, 10, "2025-09-07T00:00:00Z", Lean.Right),
        ];

        var timeline = StoryTimelines.Build(1, CoverageBasis.Sources, TimelineBucket.Day, Combined, links);

        Assert.Equal(["2025-09-04 00:00", "2025-09-05 00:00", "2025-09-06 00:00", "2025-09-07 00:00"],
            timeline.Buckets.Select(b => b.Start.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([1, 1, 0, 0], timeline.Buckets.Select(b => b.Right));
        Assert.Null(timeline.FirstBySide.Left);
        Assert.Null(timeline.FirstBySide.Center);
        Assert.Equal(2, timeline.FirstBySide.Right!.ArticleId);
    }

    [Fact]
    public void AStoryWithoutLinksHasNoBuckets()
    {
        var timeline = StoryTimelines.Build(1, CoverageBasis.Sources, TimelineBucket.Hour, Combined, []);

        Assert.Empty(timeline.Buckets);
        Assert.Equal(new FirstBySide(null, null, null), timeline.FirstBySide);
        Assert.Null(timeline.FirstPublishedAt);
    }

    [Theory]
    [InlineData("1969-12-31T23:59:59.999Z", "hour", -1)]
    [InlineData("1969-12-31T00:00:00Z", "day", -1)]
    [InlineData("1969-12-30T23:59:59Z", "day", -2)]
    [InlineData("1970-01-01T00:00:00Z", "hour", 0)]
    [InlineData("1970-01-01T00:59:59.999Z", "hour", 0)]
    [InlineData("1970-01-02T00:00:00Z", "day", 1)]
    public void BucketsAreFloorsSoInstantsBefore1970FallRightToo(string at, string bucket, long expected) =>
        Assert.Equal(expected, StoryTimelines.BucketOf(Ms(at), bucket == "day" ? TimelineBucket.Day : TimelineBucket.Hour));

    [Fact]
    public void BucketCountSpansFirstToLastBucket()
    {
        Assert.Equal(0, StoryTimelines.BucketCount(null, null, TimelineBucket.Hour));
        Assert.Equal(1, StoryTimelines.BucketCount(Ms("2025-01-01T10:00:00Z"), Ms("2025-01-01T10:59:59Z"), TimelineBucket.Hour));
        Assert.Equal(2, StoryTimelines.BucketCount(Ms("2025-01-01T10:59:59Z"), Ms("2025-01-01T11:00:00Z"), TimelineBucket.Hour));
        Assert.Equal(2_000, StoryTimelines.BucketCount(Ms("2025-01-01T00:00:00Z"), Ms("2025-01-01T00:00:00Z") + 1_999 * 3_600_000L, TimelineBucket.Hour));
        Assert.Throws<ArgumentException>(() => StoryTimelines.Build(1, CoverageBasis.Sources, TimelineBucket.Hour, Combined,
            [Link(1, 1, "2025-01-01T00:00:00Z", null), new TimelineLink(2, 1, Ms("2025-01-01T00:00:00Z") + 2_000 * 3_600_000L, null)]));
    }

    /// <summary>
    /// Random links against a recount done another way: each bucket's units are those whose first time falls in
    /// [start, start + width), counted from scratch for every bucket, and the coverage after a bucket is the
    /// coverage (by <see cref="CoverageReport"/>, the JSON coverage's own fold) of the links published up to its end.
    /// </summary>
    [Fact]
    public void EveryBucketMatchesARecountFromTheLinks()
    {
        var genLink = Gen.Select(Gen.Long[1, 40], Gen.Int[0, 4 * 24 * 60], Gen.Int[0, 3]);
        Gen.Select(genLink.Array[0, 40], Gen.Bool, Gen.Bool).Sample((raw, daily, bySources) =>
        {
            var start = Ms("2025-03-30T22:10:00Z");
            // An outlet's lean is fixed by its id, as it is in the database.
            Lean? LeanOf(long outlet) => (outlet % 4) switch { 0 => null, 1 => Lean.Left, 2 => Lean.Center, _ => Lean.Right };
            var links = raw.Select((l, i) => new TimelineLink(i + 1, l.Item1, start + l.Item2 * 60_000L, LeanOf(l.Item1))).ToArray();
            var bucket = daily ? TimelineBucket.Day : TimelineBucket.Hour;
            var basis = bySources ? CoverageBasis.Sources : CoverageBasis.Articles;
            var width = daily ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);

            var timeline = StoryTimelines.Build(3, basis, bucket, Combined, links);

            if (links.Length == 0)
            {
                Assert.Empty(timeline.Buckets);
                return;
            }

            var firstSeen = bySources
                ? links.GroupBy(l => l.OutletId).Select(g => (Time: g.Min(l => l.PublishedAtMs), LeanOf(g.Key)))
                : links.Select(l => (Time: l.PublishedAtMs, l.Lean));
            var times = links.Select(l => DateTime.UnixEpoch.AddMilliseconds(l.PublishedAtMs)).ToArray();
            var floor = daily ? times.Min().Date : times.Min().Date.AddHours(times.Min().Hour);
            var expectedStarts = new List<DateTime>();
            for (var at = floor; at <= times.Max(); at += width)
            {
                expectedStarts.Add(at);
            }

            Assert.Equal(expectedStarts, timeline.Buckets.Select(b => b.Start));
            foreach (var point in timeline.Buckets)
            {
                var end = point.Start + width;
                var inBucket = firstSeen.Where(u => DateTime.UnixEpoch.AddMilliseconds(u.Time) >= point.Start && DateTime.UnixEpoch.AddMilliseconds(u.Time) < end).ToList();
                Assert.Equal(
                    (inBucket.Count(u => u.Item2 == Lean.Left), inBucket.Count(u => u.Item2 == Lean.Center), inBucket.Count(u => u.Item2 == Lean.Right), inBucket.Count(u => u.Item2 is null)),
                    (point.Left, point.Center, point.Right, point.Unrated));

                var soFar = links.Where(l => DateTime.UnixEpoch.AddMilliseconds(l.PublishedAtMs) < end).GroupBy(l => l.OutletId)
                    .Select(g => new CoverageGroup(LeanOf(g.Key) switch { Lean.Left => Bias.Left, Lean.Center => Bias.Center, Lean.Right => Bias.Right, _ => null },
                        null, null, 1, g.Count(), null, null)).ToList();
                var coverage = CoverageReport.Build(3, basis, soFar, new BlindspotOptions(), Combined).Bias;
                Assert.Equal(new CumulativeCoverage(coverage.Rated, coverage.Unrated, coverage.Left.Percent, coverage.Center.Percent, coverage.Right.Percent, coverage.Label),
                    point.Cumulative);
            }

            foreach (var lean in Enum.GetValues<Lean>())
            {
                var first = links.Where(l => l.Lean == lean).OrderBy(l => l.PublishedAtMs).ThenBy(l => l.ArticleId).FirstOrDefault();
                var actual = lean switch { Lean.Left => timeline.FirstBySide.Left, Lean.Center => timeline.FirstBySide.Center, _ => timeline.FirstBySide.Right };
                Assert.Equal(first.Lean is null ? null : first.ArticleId, actual?.ArticleId);
            }
        }, iter: 500);
    }
}
