using System.Collections.Frozen;
using System.Globalization;

namespace NewsLens.Api.Ratings;

/// <summary>The words (or numbers) a rater's ratings are written in.</summary>
public enum RaterVocabulary
{
    /// <summary>NewsLens' 7 points: far_left, left, lean_left, center, lean_right, right, far_right.</summary>
    Newslens,

    /// <summary>AllSides: Left, Lean Left, Center, Lean Right, Right; "Mixed" declines to rate.</summary>
    Allsides,

    /// <summary>Media Bias/Fact Check: Extreme Left, Left, Left-Center, Least Biased, Right-Center, Right, Extreme Right.</summary>
    Mbfc,

    /// <summary>Ad Fontes Media: a bias score from −42 to +42.</summary>
    Adfontes,
}

/// <summary>
/// Each vocabulary's bias words, matched as <see cref="RatingVocabulary.Normalize"/> does (case and punctuation
/// ignored). Words that decline a rating (AllSides' "Mixed", MBFC's categories off the left–right axis) read as
/// null. Factuality is written in the same six words in every vocabulary. docs/api.md lists the tables.
/// </summary>
public static class RaterVocabularies
{
    private static readonly FrozenDictionary<RaterVocabulary, FrozenDictionary<string, Bias?>> Words = new Dictionary<RaterVocabulary, FrozenDictionary<string, Bias?>>
    {
        [RaterVocabulary.Newslens] = Table(
            ("far left", Bias.FarLeft), ("left", Bias.Left), ("lean left", Bias.LeanLeft), ("center", Bias.Center),
            ("lean right", Bias.LeanRight), ("right", Bias.Right), ("far right", Bias.FarRight)),
        [RaterVocabulary.Allsides] = Table(
            ("left", Bias.Left), ("lean left", Bias.LeanLeft), ("center", Bias.Center), ("lean right", Bias.LeanRight),
            ("right", Bias.Right), ("mixed", null),
            // AllSides' older published tables (and the 2019 AllSideR file) wrote the leans as left-center and right-center.
            ("left center", Bias.LeanLeft), ("right center", Bias.LeanRight)),
        [RaterVocabulary.Mbfc] = Table(
            ("extreme left", Bias.FarLeft), ("far left", Bias.FarLeft), ("left", Bias.Left), ("left center", Bias.LeanLeft),
            ("least biased", Bias.Center), ("center", Bias.Center), ("right center", Bias.LeanRight), ("right", Bias.Right),
            ("extreme right", Bias.FarRight), ("far right", Bias.FarRight),
            // MBFC's categories beside the axis: no left–right rating.
            ("pro science", null), ("conspiracy pseudoscience", null), ("pseudoscience", null), ("questionable", null), ("satire", null)),
    }.ToFrozenDictionary();

    private static FrozenDictionary<string, Bias?> Table(params (string Word, Bias? Bias)[] words) =>
        words.ToFrozenDictionary(w => w.Word, w => w.Bias, StringComparer.Ordinal);

    /// <summary>Ad Fontes' published bands: |x| ≤ 6 center, ≤ 18 lean, ≤ 30 left/right, beyond far; the sign gives the side.</summary>
    public static Bias AdFontesBand(decimal score)
    {
        var size = Math.Abs(score);
        var step = size <= 6 ? 0 : size <= 18 ? 1 : size <= 30 ? 2 : 3;
        return (Bias)(3 + (score < 0 ? -step : step));
    }

    public const decimal AdFontesLimit = 42;

    /// <summary>
    /// The 7-point bias of <paramref name="word"/> in <paramref name="vocabulary"/> (null: the rater declines), or false
    /// with a message that names what the vocabulary accepts. The "unrated" words (empty, "not rated", "none") read as
    /// null in every vocabulary.
    /// </summary>
    public static bool TryParseBias(RaterVocabulary vocabulary, string? word, out Bias? bias, out string error)
    {
        bias = null;
        error = "";
        var key = RatingVocabulary.Normalize(word);
        if (key is "" or "unrated" or "not rated" or "none" or "na" or "n a")
        {
            return true;
        }

        if (vocabulary == RaterVocabulary.Adfontes)
        {
            if (decimal.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && Math.Abs(score) <= AdFontesLimit)
            {
                bias = AdFontesBand(score);
                return true;
            }

            error = $"'{word}' is not an Ad Fontes bias score: a number from -42 to 42.";
            return false;
        }

        if (Words[vocabulary].TryGetValue(key, out bias))
        {
            return true;
        }

        error = $"'{word}' is not a bias word of the {EnumText<RaterVocabulary>.Name(vocabulary)} vocabulary ({AllowedWords(vocabulary)}).";
        return false;
    }

    public static string AllowedWords(RaterVocabulary vocabulary) => vocabulary == RaterVocabulary.Adfontes
        ? "a score from -42 to 42"
        : string.Join(", ", Words[vocabulary].Keys.Order(StringComparer.Ordinal));
}
