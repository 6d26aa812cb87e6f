using System.Text.Json.Serialization;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>A story's coverage: who covered it, how they lean, how factual they are and who owns them.</summary>
/// <param name="Ratings">Whose ratings the answer counts by, as of when.</param>
/// <param name="Disagreement">How many units' outlets the combining raters rate, and disagree on.</param>
public sealed record StoryCoverage(
    long StoryId,
    CoverageBasis Basis,
    int TotalArticles,
    int TotalSources,
    BiasDistribution Bias,
    BlindspotSide? Blindspot,
    FactualityBreakdown Factuality,
    OwnershipBreakdown Ownership,
    DateTime? FirstPublishedAt,
    DateTime? LastPublishedAt,
    CoverageRatings Ratings,
    Disagreement Disagreement);

/// <summary>The ratings a coverage answer counts by.</summary>
/// <param name="Rater"><c>combined</c> (the combined rating, the default) or the id of the one rater asked for.</param>
/// <param name="Method">The combination rule (Ratings:Combine:Method); null with one rater.</param>
/// <param name="AsOf">The instant whose ratings in force were used; null: the ratings in force now.</param>
public sealed record CoverageRatings(string Rater, CombineMethod? Method, DateTime? AsOf)
{
    public const string Combined = "combined";
}

/// <param name="MultiRated">Units whose outlet has bias ratings in force from two or more of the combining raters.</param>
/// <param name="Contested">Those of them whose raters put the outlet in different leans (left, center, right). Both 0 with <c>rater=</c>.</param>
public sealed record Disagreement(int MultiRated, int Contested);

/// <summary>The bias bar: rated units per lean, their percentages over <c>rated</c>, the majority and its label.</summary>
public sealed record BiasDistribution(
    int Rated,
    int Unrated,
    LeanShare Left,
    LeanShare Center,
    LeanShare Right,
    Lean? Majority,
    string Label);

/// <summary>Units in one lean; <c>percent</c> is null when no unit is rated.</summary>
/// <param name="Low">The lower end of the 95% Wilson score interval of the lean's share of rated units, in whole percents
/// rounded down; null when no unit is rated.</param>
/// <param name="High">The upper end, rounded up. Left with 2 of 3 rated sources: 67%, 20–94.</param>
public sealed record LeanShare(int Count, int? Percent, int? Low, int? High)
{
    public static LeanShare Of(int count, int rated, int? percent) =>
        BiasDistributionRule.WilsonInterval(count, rated) is { } interval
            ? new(count, percent, interval.Low, interval.High)
            : new(count, percent, null, null);
}

/// <summary>Units per factuality rating of their outlet.</summary>
public sealed record FactualityBreakdown(
    [property: JsonPropertyName("very_high")] int VeryHigh,
    [property: JsonPropertyName("high")] int High,
    [property: JsonPropertyName("mostly_factual")] int MostlyFactual,
    [property: JsonPropertyName("mixed")] int Mixed,
    [property: JsonPropertyName("low")] int Low,
    [property: JsonPropertyName("very_low")] int VeryLow,
    [property: JsonPropertyName("unrated")] int Unrated);

/// <summary>Units per ownership type of their outlet.</summary>
public sealed record OwnershipBreakdown(
    [property: JsonPropertyName("independent")] int Independent,
    [property: JsonPropertyName("media_conglomerate")] int MediaConglomerate,
    [property: JsonPropertyName("billionaire")] int Billionaire,
    [property: JsonPropertyName("private_equity")] int PrivateEquity,
    [property: JsonPropertyName("government")] int Government,
    [property: JsonPropertyName("corporation")] int Corporation,
    [property: JsonPropertyName("telecom")] int Telecom,
    [property: JsonPropertyName("other")] int Other,
    [property: JsonPropertyName("unrated")] int Unrated);

/// <summary>
/// One group of a story's linked articles that share their outlet's ratings: how many distinct outlets
/// and how many articles it holds, and when they were published. The coverage query returns these.
/// </summary>
public sealed record CoverageGroup(
    Bias? Bias,
    Factuality? Factuality,
    Ownership? Ownership,
    int Sources,
    int Articles,
    DateTime? FirstPublishedAt,
    DateTime? LastPublishedAt,
    bool MultiRated = false,
    bool Contested = false);

/// <summary>Folds the coverage groups into the coverage object. Pure; the rules live in <see cref="BiasDistributionRule"/>.</summary>
public static class CoverageReport
{
    public static StoryCoverage Build(long storyId, CoverageBasis basis, IReadOnlyCollection<CoverageGroup> groups, BlindspotOptions blindspot,
        CoverageRatings ratings)
    {
        int Units(CoverageGroup g) => basis == CoverageBasis.Sources ? g.Sources : g.Articles;
        int Sum(Func<CoverageGroup, bool> where) => groups.Where(where).Sum(Units);

        var leans = new LeanCounts(
            Sum(g => g.Bias?.ToLean() == Lean.Left),
            Sum(g => g.Bias?.ToLean() == Lean.Center),
            Sum(g => g.Bias?.ToLean() == Lean.Right));
        var percents = BiasDistributionRule.Percentages(leans);

        var bias = new BiasDistribution(
            leans.Rated,
            Sum(g => g.Bias is null),
            LeanShare.Of(leans.Left, leans.Rated, percents.Left),
            LeanShare.Of(leans.Center, leans.Rated, percents.Center),
            LeanShare.Of(leans.Right, leans.Rated, percents.Right),
            BiasDistributionRule.Majority(leans),
            BiasDistributionRule.Label(basis, leans, percents));

        int F(Factuality? f) => Sum(g => g.Factuality == f);
        var factuality = new FactualityBreakdown(
            F(Ratings.Factuality.VeryHigh), F(Ratings.Factuality.High), F(Ratings.Factuality.MostlyFactual),
            F(Ratings.Factuality.Mixed), F(Ratings.Factuality.Low), F(Ratings.Factuality.VeryLow), F(null));

        int O(Ownership? o) => Sum(g => g.Ownership == o);
        var ownership = new OwnershipBreakdown(
            O(Ratings.Ownership.Independent), O(Ratings.Ownership.MediaConglomerate), O(Ratings.Ownership.Billionaire),
            O(Ratings.Ownership.PrivateEquity), O(Ratings.Ownership.Government), O(Ratings.Ownership.Corporation),
            O(Ratings.Ownership.Telecom), O(Ratings.Ownership.Other), O(null));

        return new StoryCoverage(
            storyId,
            basis,
            groups.Sum(g => g.Articles),
            groups.Sum(g => g.Sources),
            bias,
            BiasDistributionRule.Blindspot(leans, blindspot),
            factuality,
            ownership,
            groups.Min(g => g.FirstPublishedAt),
            groups.Max(g => g.LastPublishedAt),
            ratings,
            new Disagreement(Sum(g => g.MultiRated), Sum(g => g.Contested)));
    }
}
