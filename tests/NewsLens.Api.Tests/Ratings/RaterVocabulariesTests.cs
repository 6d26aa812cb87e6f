using NewsLens.Api.Ratings;

namespace NewsLens.Api.Tests.Ratings;

public sealed class RaterVocabulariesTests
{
    [Theory]
    [InlineData("0", Bias.Center)]
    [InlineData("6", Bias.Center)]
    [InlineData("-6", Bias.Center)]
    [InlineData("6.01", Bias.LeanRight)]
    [InlineData("-18", Bias.LeanLeft)]
    [InlineData("18.5", Bias.Right)]
    [InlineData("-30", Bias.Left)]
    [InlineData("30.1", Bias.FarRight)]
    [InlineData("-42", Bias.FarLeft)]
    public void AdFontesScoresMapByThePublishedBands(string score, Bias expected)
    {
        Assert.True(RaterVocabularies.TryParseBias(RaterVocabulary.Adfontes, score, out var bias, out _));
        Assert.Equal(expected, bias);
    }

    [Theory]
    [InlineData("42.5")]
    [InlineData("-100")]
    [InlineData("Lean Left")]
    public void AnAdFontesValueThatIsNotAScoreInRangeIsRefused(string score)
    {
        Assert.False(RaterVocabularies.TryParseBias(RaterVocabulary.Adfontes, score, out _, out var error));
        Assert.Contains("-42 to 42", error);
    }

    [Theory]
    [InlineData(RaterVocabulary.Allsides, "Lean Left", Bias.LeanLeft)]
    [InlineData(RaterVocabulary.Allsides, "left-center", Bias.LeanLeft)]
    [InlineData(RaterVocabulary.Allsides, "Mixed", null)]
    [InlineData(RaterVocabulary.Mbfc, "left-center", Bias.LeanLeft)]
    [InlineData(RaterVocabulary.Mbfc, "Least Biased", Bias.Center)]
    [InlineData(RaterVocabulary.Mbfc, "extreme-right", Bias.FarRight)]
    [InlineData(RaterVocabulary.Mbfc, "pro-science", null)]
    [InlineData(RaterVocabulary.Mbfc, "conspiracy-pseudoscience", null)]
    [InlineData(RaterVocabulary.Mbfc, "right conspiracy-pseudoscience", Bias.Right)]
    [InlineData(RaterVocabulary.Mbfc, "far-right conspiracy-pseusdoscience", Bias.FarRight)]
    [InlineData(RaterVocabulary.Mbfc, "left-pseudoscience", Bias.Left)]
    [InlineData(RaterVocabulary.Mbfc, "extreme right conspiracy", Bias.FarRight)]
    [InlineData(RaterVocabulary.Allsides, "allsides", null)]
    [InlineData(RaterVocabulary.Newslens, "far_left", Bias.FarLeft)]
    [InlineData(RaterVocabulary.Newslens, "", null)]
    public void EachVocabularyReadsItsOwnWords(RaterVocabulary vocabulary, string word, Bias? expected)
    {
        Assert.True(RaterVocabularies.TryParseBias(vocabulary, word, out var bias, out _));
        Assert.Equal(expected, bias);
    }

    [Theory]
    [InlineData(RaterVocabulary.Allsides, "least biased")]
    [InlineData(RaterVocabulary.Allsides, "far left")]
    [InlineData(RaterVocabulary.Mbfc, "lean left")]
    [InlineData(RaterVocabulary.Mbfc, "right satire")]
    [InlineData(RaterVocabulary.Mbfc, "right-center-ish conspiracy")]
    [InlineData(RaterVocabulary.Newslens, "left-center")]
    public void AWordOfAnotherVocabularyIsRefusedNamingWhatIsAccepted(RaterVocabulary vocabulary, string word)
    {
        Assert.False(RaterVocabularies.TryParseBias(vocabulary, word, out _, out var error));
        Assert.Contains($"'{word}' is not a bias word of the {EnumText<RaterVocabulary>.Name(vocabulary)} vocabulary", error);
    }
}
