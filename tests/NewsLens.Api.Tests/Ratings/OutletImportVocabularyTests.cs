using NewsLens.Api.Ratings;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>The words the outlet import reads for the newslens rater (any vocabulary's word on the left–right axis), factuality and ownership.</summary>
public class OutletImportVocabularyTests
{
    [Theory]
    // NewsLens
    [InlineData("far_left", Bias.FarLeft)]
    [InlineData("lean_left", Bias.LeanLeft)]
    [InlineData("center", Bias.Center)]
    [InlineData("lean_right", Bias.LeanRight)]
    [InlineData("far_right", Bias.FarRight)]
    // AllSides
    [InlineData("Left", Bias.Left)]
    [InlineData("Lean Left", Bias.LeanLeft)]
    [InlineData("Center", Bias.Center)]
    [InlineData("Lean Right", Bias.LeanRight)]
    [InlineData("Right", Bias.Right)]
    [InlineData("Mixed", null)]
    // Media Bias/Fact Check
    [InlineData("extreme-left", Bias.FarLeft)]
    [InlineData("extreme left", Bias.FarLeft)]
    [InlineData("left", Bias.Left)]
    [InlineData("left-center", Bias.LeanLeft)]
    [InlineData("LEFT – CENTER", Bias.LeanLeft)]
    [InlineData("least biased", Bias.Center)]
    [InlineData("right-center", Bias.LeanRight)]
    [InlineData("right", Bias.Right)]
    [InlineData("extreme-right", Bias.FarRight)]
    [InlineData("far right", Bias.FarRight)]
    // Unrated
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("not rated", null)]
    [InlineData("N/A", null)]
    public void BiasWordsMapToTheSevenPointScale(string word, Bias? expected)
    {
        Assert.True(RaterVocabularies.TryParseOutletImportBias(word, out var bias));
        Assert.Equal(expected, bias);
    }

    [Theory]
    [InlineData("pro-science")]
    [InlineData("conspiracy-pseudoscience")]
    [InlineData("right conspiracy-pseudoscience")]
    [InlineData("satire")]
    [InlineData("leftish")]
    public void UnknownBiasWordsAreRejected(string word)
    {
        Assert.False(RaterVocabularies.TryParseOutletImportBias(word, out _));
    }

    [Theory]
    [InlineData("very high", Factuality.VeryHigh)]
    [InlineData("VERY_HIGH", Factuality.VeryHigh)]
    [InlineData("high", Factuality.High)]
    [InlineData("Mostly Factual", Factuality.MostlyFactual)]
    [InlineData("mixed", Factuality.Mixed)]
    [InlineData("low", Factuality.Low)]
    [InlineData("very-low", Factuality.VeryLow)]
    [InlineData("", null)]
    public void FactualityWordsMap(string word, Factuality? expected)
    {
        Assert.True(RaterVocabularies.TryParseFactuality(word, out var factuality));
        Assert.Equal(expected, factuality);
    }

    [Theory]
    [InlineData("media conglomerate", Ownership.MediaConglomerate)]
    [InlineData("private_equity", Ownership.PrivateEquity)]
    [InlineData("Government", Ownership.Government)]
    [InlineData("", null)]
    public void OwnershipWordsMap(string word, Ownership? expected)
    {
        Assert.True(RaterVocabularies.TryParseOwnership(word, out var ownership));
        Assert.Equal(expected, ownership);
    }

    [Fact]
    public void UnknownFactualityAndOwnershipAreRejected()
    {
        Assert.False(RaterVocabularies.TryParseFactuality("satire", out _));
        Assert.False(RaterVocabularies.TryParseOwnership("state", out _));
    }
}
