using NewsLens.Api.Ratings;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>The combination rule as the README states it, with its examples.</summary>
public sealed class CombinedRatingTests
{
    private static Bias? CombineBias(CombineMethod method, params Bias?[] biases) =>
        CombinedRating.Combine(method, [.. biases.Select((b, i) => new RaterRating($"r{i}", b, null))]).Bias;

    private static Factuality? CombineFactuality(CombineMethod method, params Factuality?[] levels) =>
        CombinedRating.Combine(method, [.. levels.Select((f, i) => new RaterRating($"r{i}", null, f))]).Factuality;

    [Theory]
    [InlineData(Bias.Left, Bias.LeanLeft, Bias.LeanLeft)]      // −2, −1 → −1.5 → toward center
    [InlineData(Bias.LeanLeft, Bias.Center, Bias.Center)]      // −1, 0 → −0.5 → center
    [InlineData(Bias.LeanRight, Bias.Center, Bias.Center)]     // +0.5 → center
    [InlineData(Bias.Right, Bias.LeanRight, Bias.LeanRight)]   // +1.5 → lean_right
    [InlineData(Bias.FarLeft, Bias.FarRight, Bias.Center)]     // 0
    [InlineData(Bias.FarLeft, Bias.Center, Bias.LeanLeft)]     // −1.5 → lean_left
    public void TheMeanOfTwoRoundsExactHalvesTowardCenter(Bias a, Bias b, Bias expected) =>
        Assert.Equal(expected, CombineBias(CombineMethod.Mean, a, b));

    [Fact]
    public void TheMeanRoundsToTheNearestPosition()
    {
        // −3, −2, 0 → −5/3 ≈ −1.67 → left (−2)
        Assert.Equal(Bias.Left, CombineBias(CombineMethod.Mean, Bias.FarLeft, Bias.Left, Bias.Center));
        // −1, 0, 0 → −1/3 → center
        Assert.Equal(Bias.Center, CombineBias(CombineMethod.Mean, Bias.LeanLeft, Bias.Center, Bias.Center));
    }

    [Fact]
    public void AWithdrawnRatingTakesNoPartAndNoRatingIsNull()
    {
        Assert.Equal(Bias.Right, CombineBias(CombineMethod.Mean, null, Bias.Right));
        Assert.Null(CombineBias(CombineMethod.Mean, null, null));
        Assert.Null(CombineBias(CombineMethod.Median));
        Assert.Null(CombineBias(CombineMethod.Priority, (Bias?)null));
    }

    [Fact]
    public void TheMedianTakesTheMiddleOrTheRoundedMeanOfTheTwoMiddles()
    {
        Assert.Equal(Bias.LeanLeft, CombineBias(CombineMethod.Median, Bias.FarRight, Bias.FarLeft, Bias.LeanLeft));
        Assert.Equal(Bias.Center, CombineBias(CombineMethod.Median, Bias.FarLeft, Bias.LeanLeft, Bias.Center, Bias.FarRight)); // −1, 0 → center
    }

    [Fact]
    public void PriorityTakesTheFirstRaterThatHasARating() =>
        Assert.Equal(Bias.Left, CombineBias(CombineMethod.Priority, null, Bias.Left, Bias.FarRight));

    [Theory]
    [InlineData(Factuality.VeryHigh, Factuality.High, Factuality.High)]         // 0.5 → toward the middle (2.5)
    [InlineData(Factuality.High, Factuality.MostlyFactual, Factuality.MostlyFactual)] // 1.5 → 2
    [InlineData(Factuality.MostlyFactual, Factuality.Mixed, Factuality.Mixed)]  // 2.5, the middle → mixed
    [InlineData(Factuality.Mixed, Factuality.Low, Factuality.Mixed)]            // 3.5 → 3
    [InlineData(Factuality.Low, Factuality.VeryLow, Factuality.Low)]            // 4.5 → 4
    [InlineData(Factuality.VeryHigh, Factuality.VeryLow, Factuality.Mixed)]     // 2.5
    public void FactualityCombinesTheSameWayOverItsSixLevels(Factuality a, Factuality b, Factuality expected) =>
        Assert.Equal(expected, CombineFactuality(CombineMethod.Mean, a, b));
}
