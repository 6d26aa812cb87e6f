namespace NewsLens.Api.Ratings;

/// <summary>How the ratings of several raters become an outlet's one bias and factuality.</summary>
public enum CombineMethod
{
    /// <summary>The mean of their positions, rounded to the nearest position, exact halves toward the middle (Ground News' method).</summary>
    Mean,

    /// <summary>The median of their positions; between two middle ones, their mean, rounded as <see cref="Mean"/>.</summary>
    Median,

    /// <summary>The first rater of the list that has a rating.</summary>
    Priority,
}

/// <summary><c>Ratings:Combine</c>: the rule, and the raters it combines (in order; empty: every rater, built-in ones first).</summary>
public sealed class CombineSettings
{
    public CombineMethod Method { get; set; } = CombineMethod.Mean;

    public List<string> Raters { get; set; } = [];

    /// <summary>What the stored combined ratings were computed with; a different one recomputes them at start.</summary>
    public string Fingerprint => $"{EnumText<CombineMethod>.Name(Method)}:{(Raters.Count == 0 ? "*" : string.Join(',', Raters))}";
}

public sealed class RatingsSettings
{
    public const string Section = "Ratings";

    public CombineSettings Combine { get; set; } = new();
}

/// <summary>One rater's rating in force: what the combination reads.</summary>
public sealed record RaterRating(string Rater, Bias? Bias, Factuality? Factuality);

/// <summary>
/// An outlet's ratings as coverage reads them: bias and factuality, and whether two or more raters rate its bias
/// (<see cref="MultiRated"/>) and put it in different leans (<see cref="Contested"/>).
/// </summary>
public sealed record Combination(Bias? Bias, Factuality? Factuality, bool MultiRated, bool Contested)
{
    public static readonly Combination Unrated = new(null, null, false, false);

    /// <summary>One rater's rating taken alone: nobody to disagree with.</summary>
    public static Combination Single(RaterRating? rating) => rating is null ? Unrated : new(rating.Bias, rating.Factuality, false, false);
}

/// <summary>
/// The combined rating, defined once (README: "The combined rating"). Bias positions run far_left −3 … far_right +3,
/// factuality very_high 0 … very_low 5. A rater whose bias is null (withdrawn, declined) takes no part in the bias,
/// and likewise for factuality.
/// </summary>
public static class CombinedRating
{
    public static Combination Combine(CombineMethod method, IReadOnlyList<RaterRating> ratingsInOrder)
    {
        var biases = ratingsInOrder.Where(r => r.Bias is not null).Select(r => (int)r.Bias!.Value).ToList();
        var factualities = ratingsInOrder.Where(r => r.Factuality is not null).Select(r => (int)r.Factuality!.Value).ToList();
        var multiRated = biases.Count >= 2;
        var contested = ratingsInOrder.Where(r => r.Bias is not null).Select(r => r.Bias!.Value.ToLean()).Distinct().Count() > 1;
        var bias = Combine(method, biases, BiasMiddleTimesTwo);
        var factuality = Combine(method, factualities, FactualityMiddleTimesTwo);
        return new(bias is { } b ? (Bias)b : null, factuality is { } f ? (Factuality)f : null, multiRated, contested);
    }

    // Twice the middle of each scale, so halves stay whole numbers: center (3 of 0..6), between mostly_factual and mixed (2.5 of 0..5).
    private const int BiasMiddleTimesTwo = 6;
    private const int FactualityMiddleTimesTwo = 5;

    private static int? Combine(CombineMethod method, List<int> positions, int middleTimesTwo)
    {
        if (positions.Count == 0)
        {
            return null;
        }

        switch (method)
        {
            case CombineMethod.Priority:
                return positions[0];
            case CombineMethod.Median:
                positions.Sort();
                var half = positions.Count / 2;
                return positions.Count % 2 == 1 ? positions[half] : Round(positions[half - 1] + positions[half], 2, middleTimesTwo);
            default:
                return Round(positions.Sum(), positions.Count, middleTimesTwo);
        }
    }

    /// <summary>
    /// <paramref name="sum"/> / <paramref name="count"/> to the nearest whole position, in integers so that an exact half
    /// is known to be one; a half goes to the neighbour nearer the scale's middle, and on the middle itself (factuality's
    /// 2.5) to the higher position (mixed: the cautious side).
    /// </summary>
    public static int Round(int sum, int count, int middleTimesTwo)
    {
        var low = (int)Math.Floor((double)sum / count);
        var twiceRemainder = 2 * (sum - low * count);
        if (twiceRemainder != count)
        {
            return twiceRemainder < count ? low : low + 1;
        }

        // Exactly low + ½: the neighbour nearer the middle; on the middle, the higher.
        var lowDistance = Math.Abs(2 * low - middleTimesTwo);
        var highDistance = Math.Abs(2 * (low + 1) - middleTimesTwo);
        return lowDistance < highDistance ? low : low + 1;
    }
}
