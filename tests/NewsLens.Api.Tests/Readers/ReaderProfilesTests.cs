using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;
using NewsLens.Api.Readers;
using BiasRating = NewsLens.Api.Ratings.Bias;

namespace NewsLens.Api.Tests.Readers;

public class ReaderProfilesTests
{
    private static readonly CoverageRatings Combined = new(CoverageRatings.Combined, CombineMethod.Mean, null);

    private static ReadArticle Read(long id, long outlet, BiasRating? bias, string at = "2025-06-01T00:00:00Z", Factuality? factuality = null, Ownership? ownership = null) =>
        new(id, $"https://o{outlet}.example/{id}", outlet, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
            bias, factuality, ownership);

    private static BiasDistribution Distribution(int left, int right) =>
        ReaderProfiles.Mix([new CoverageGroup(BiasRating.Left, null, null, left, left, null, null), new CoverageGroup(BiasRating.Right, null, null, right, right, null, null)],
            CoverageBasis.Articles, Combined).Bias;

    [Theory]
    [InlineData(3, 1, 1, 1, "right")]
    [InlineData(1, 3, 9, 9, "left")]
    [InlineData(2, 2, 1, 2, "left")]  // even by articles: fewer left sources
    [InlineData(2, 2, 3, 1, "right")]
    [InlineData(2, 2, 2, 2, null)]
    [InlineData(0, 0, 0, 0, null)]
    public void TheSideReadLeastIsByArticlesThenBySources(int leftArticles, int rightArticles, int leftSources, int rightSources, string? expected) =>
        Assert.Equal(expected, ReaderProfiles.ReadsLeast(Distribution(leftArticles, rightArticles), Distribution(leftSources, rightSources)) switch
        {
            BlindspotSide.Left => "left",
            BlindspotSide.Right => "right",
            _ => null,
        });

    [Fact]
    public void AReaderOfTheLeftMissesTheBlindspotsOfTheLeft()
    {
        Assert.Equal([BlindspotSide.Left], ReaderProfiles.MissedBlindspots(BlindspotSide.Right));
        Assert.Equal([BlindspotSide.Right], ReaderProfiles.MissedBlindspots(BlindspotSide.Left));
        Assert.Equal([BlindspotSide.Left, BlindspotSide.Right], ReaderProfiles.MissedBlindspots(null));
    }

    [Fact]
    public void TheWindowEndsAtTheLastArticleReadAndSpans30Days()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        ReadArticle[] read = [Read(1, 1, null, "2025-06-01T10:00:00Z"), Read(2, 1, null, "2025-06-03T08:30:00+02:00")];

        Assert.Equal(new ReadingWindow(new DateTime(2025, 5, 4, 6, 30, 0, DateTimeKind.Utc), new DateTime(2025, 6, 3, 6, 30, 0, DateTimeKind.Utc)),
            ReaderProfiles.Window(null, null, read, now));
        Assert.Equal(new ReadingWindow(new DateTime(2025, 12, 2, 0, 0, 0, DateTimeKind.Utc), now.UtcDateTime), ReaderProfiles.Window(null, null, [], now));
        var to = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.FromHours(1));
        Assert.Equal(new ReadingWindow(new DateTime(2025, 1, 29, 23, 0, 0, DateTimeKind.Utc), to.UtcDateTime), ReaderProfiles.Window(null, to, read, now));
        var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(from.UtcDateTime, ReaderProfiles.Window(from, null, read, now).From);
    }

    [Fact]
    public void UnmatchedItemsAreCanonicalInTheOrderSentWithDuplicatesFolded()
    {
        ReadArticle[] read = [Read(7, 1, null)];
        ArticleReference[] items =
        [
            ArticleReference.Of(7), ArticleReference.Of("https://o1.example/7#top"), ArticleReference.Of(8),
            ArticleReference.Of("HTTP://Other.Example:80/a?utm_medium=x&b=1"), ArticleReference.Of("http://other.example/a?b=1"),
            ArticleReference.Of("mailto:someone"), ArticleReference.Of(8),
        ];

        Assert.Equal(["8", "http://other.example/a?b=1", "mailto:someone"], ReaderProfiles.Unmatched(items, read));
    }

    [Fact]
    public void WhatWasReadFoldsLikeAStorysLinks()
    {
        ReadArticle[] read =
        [
            Read(1, 10, BiasRating.FarLeft, factuality: Factuality.High, ownership: Ownership.Independent),
            Read(2, 10, BiasRating.FarLeft, factuality: Factuality.High, ownership: Ownership.Independent),
            Read(2, 10, BiasRating.FarLeft, factuality: Factuality.High, ownership: Ownership.Independent), // the same article twice
            Read(3, 11, BiasRating.LeanLeft, factuality: Factuality.Mixed),
            Read(4, 12, BiasRating.Center),
            Read(5, 13, null),
        ];

        var groups = ReaderProfiles.Groups(read);
        var sources = ReaderProfiles.Mix(groups, CoverageBasis.Sources, Combined);
        var articles = ReaderProfiles.Mix(groups, CoverageBasis.Articles, Combined);

        Assert.Equal((2, 1, 0, 1), (sources.Bias.Left.Count, sources.Bias.Center.Count, sources.Bias.Right.Count, sources.Bias.Unrated));
        Assert.Equal("67% of the sources lean Left", sources.Bias.Label);
        Assert.Equal((3, 1, 0, 1), (articles.Bias.Left.Count, articles.Bias.Center.Count, articles.Bias.Right.Count, articles.Bias.Unrated));
        Assert.Equal("75% of the articles lean Left", articles.Bias.Label);
        Assert.Equal((2, 1, 2), (articles.Factuality.High, articles.Factuality.Mixed, articles.Factuality.Unrated));
        Assert.Equal((1, 3), (sources.Ownership.Independent, sources.Ownership.Unrated));
    }
}
