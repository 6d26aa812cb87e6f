using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Tests.Coverage;

public class BiasDistributionRuleTests
{
    [Theory]
    [InlineData(11, 5, 4, 55, 25, 20)]
    [InlineData(1, 1, 1, 33, 34, 33)]
    [InlineData(1, 4, 1, 17, 66, 17)]
    [InlineData(3, 2, 3, 37, 26, 37)]
    [InlineData(2, 3, 2, 29, 42, 29)]
    [InlineData(1, 0, 2, 33, 0, 67)]
    [InlineData(1, 4, 3, 12, 50, 38)]
    [InlineData(1, 1, 6, 12, 13, 75)]
    [InlineData(0, 5, 0, 0, 100, 0)]
    [InlineData(1, 0, 1, 50, 0, 50)]
    [InlineData(2, 1, 0, 67, 33, 0)]
    public void PercentagesFollowThePublishedExamples(int left, int center, int right, int pl, int pc, int pr)
    {
        var percents = BiasDistributionRule.Percentages(new LeanCounts(left, center, right));

        Assert.Equal(new LeanPercents(pl, pc, pr), percents);
    }

    [Fact]
    public void NothingRatedGivesNullPercentages()
    {
        Assert.Equal(new LeanPercents(null, null, null), BiasDistributionRule.Percentages(new LeanCounts(0, 0, 0)));
    }

    [Fact]
    public void EveryDistributionUpToSixtyUnitsSumsToHundredStaysWithinOnePointAndTreatsEqualSidesEqually()
    {
        var checkedCases = 0;
        for (var left = 0; left <= 60; left++)
        {
            for (var center = 0; left + center <= 60; center++)
            {
                for (var right = 0; left + center + right <= 60; right++)
                {
                    var rated = left + center + right;
                    if (rated == 0)
                    {
                        continue;
                    }

                    var p = BiasDistributionRule.Percentages(new LeanCounts(left, center, right));
                    var shown = $"({left},{center},{right}) → {p}";
                    Assert.True(p.Left + p.Center + p.Right == 100, shown);
                    Assert.True(WithinOnePoint(p.Left!.Value, left, rated), shown);
                    Assert.True(WithinOnePoint(p.Center!.Value, center, rated), shown);
                    Assert.True(WithinOnePoint(p.Right!.Value, right, rated), shown);
                    if (left == right)
                    {
                        Assert.True(p.Left == p.Right, shown);
                    }

                    checkedCases++;
                }
            }
        }

        Assert.Equal(39710, checkedCases);
    }

    // |percent - 100·count/rated| ≤ 1, compared in whole numbers.
    private static bool WithinOnePoint(int percent, int count, int rated) => Math.Abs(percent * rated - 100 * count) <= rated;

    [Theory]
    [InlineData(11, 5, 4, Lean.Left)]
    [InlineData(1, 4, 3, Lean.Center)]
    [InlineData(1, 1, 6, Lean.Right)]
    [InlineData(3, 2, 3, null)]
    [InlineData(2, 2, 1, null)]
    [InlineData(0, 0, 0, null)]
    [InlineData(0, 1, 0, Lean.Center)]
    public void MajorityIsTheStrictlyLargestLean(int left, int center, int right, Lean? expected)
    {
        Assert.Equal(expected, BiasDistributionRule.Majority(new LeanCounts(left, center, right)));
    }

    [Theory]
    [InlineData(11, 5, 4, CoverageBasis.Sources, "55% of the sources lean Left")]
    [InlineData(11, 5, 4, CoverageBasis.Articles, "55% of the articles lean Left")]
    [InlineData(1, 1, 6, CoverageBasis.Sources, "75% of the sources lean Right")]
    [InlineData(1, 4, 3, CoverageBasis.Sources, "50% of the sources are Center")]
    [InlineData(1, 4, 3, CoverageBasis.Articles, "50% of the articles are Center")]
    [InlineData(3, 2, 3, CoverageBasis.Sources, "No majority lean")]
    [InlineData(0, 0, 0, CoverageBasis.Sources, "No rated sources")]
    [InlineData(0, 0, 0, CoverageBasis.Articles, "No rated articles")]
    public void LabelNamesTheMajorityAndItsPercent(int left, int center, int right, CoverageBasis basis, string expected)
    {
        var counts = new LeanCounts(left, center, right);

        Assert.Equal(expected, BiasDistributionRule.Label(basis, counts, BiasDistributionRule.Percentages(counts)));
    }

    [Theory]
    [InlineData(1, 2, 5, BlindspotSide.Left)]   // 12.5% left, 62.5% right
    [InlineData(1, 4, 5, BlindspotSide.Left)]   // left exactly 10%, right exactly 50%
    [InlineData(2, 3, 5, BlindspotSide.Left)]   // left exactly 20%: still a blindspot
    [InlineData(5, 2, 1, BlindspotSide.Right)]
    [InlineData(11, 5, 4, BlindspotSide.Right)] // right exactly 20%, left 55%
    [InlineData(3, 3, 5, null)]                 // left 27%
    [InlineData(1, 5, 4, null)]                 // right 40%
    [InlineData(0, 0, 4, null)]                 // only 4 rated
    [InlineData(0, 0, 0, null)]
    [InlineData(0, 5, 0, null)]
    public void BlindspotUsesExactCountsAgainstTheThresholds(int left, int center, int right, BlindspotSide? expected)
    {
        Assert.Equal(expected, BiasDistributionRule.Blindspot(new LeanCounts(left, center, right), new BlindspotOptions()));
    }

    [Fact]
    public void BlindspotThresholdsAreOptions()
    {
        var strict = new BlindspotOptions { MinRated = 10, MaxNeglectingPercent = 10, MinDominantPercent = 60 };

        Assert.Null(BiasDistributionRule.Blindspot(new LeanCounts(1, 2, 5), strict));          // 8 rated < 10
        Assert.Null(BiasDistributionRule.Blindspot(new LeanCounts(2, 2, 6), strict));          // left 20% > 10%
        Assert.Equal(BlindspotSide.Left, BiasDistributionRule.Blindspot(new LeanCounts(1, 3, 6), strict));
    }

    [Theory]
    [InlineData(2, 3, 20, 94)]    // the README's examples
    [InlineData(11, 20, 34, 75)]
    [InlineData(0, 5, 0, 44)]     // none of 5: the interval still says "up to 44%"
    [InlineData(5, 5, 56, 100)]
    [InlineData(1, 1, 20, 100)]
    [InlineData(500, 1000, 46, 54)]
    public void TheWilsonIntervalOfAShareIsInWholePercentsRoundedOutward(int count, int rated, int low, int high) =>
        Assert.Equal(new PercentInterval(low, high), BiasDistributionRule.WilsonInterval(count, rated));

    [Fact]
    public void NothingRatedHasNoInterval() => Assert.Null(BiasDistributionRule.WilsonInterval(0, 0));

    [Fact]
    public void EveryIntervalHoldsItsShareAndStaysWithinZeroAndAHundred()
    {
        for (var rated = 1; rated <= 300; rated++)
        {
            for (var count = 0; count <= rated; count++)
            {
                var interval = BiasDistributionRule.WilsonInterval(count, rated)!.Value;
                var share = 100.0 * count / rated;
                Assert.InRange(interval.Low, 0, 100);
                Assert.InRange(interval.High, 0, 100);
                Assert.True(interval.Low <= share && share <= interval.High, $"{count}/{rated}: {interval}");
            }
        }
    }
}
