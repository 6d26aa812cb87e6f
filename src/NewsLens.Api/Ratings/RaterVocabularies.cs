using System.Collections.Frozen;
using System.Globalization;
using System.Text;

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
/// Each vocabulary's bias words, matched ignoring case and punctuation ("Lean Left", "lean_left" and "lean-left" are
/// one word; see <see cref="Normalize"/>). Words that decline a rating (AllSides' "Mixed", MBFC's categories off the
/// left–right axis) read as null. Factuality is written in the same six words in every vocabulary. docs/api.md lists
/// the tables.
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
            // The 2019 AllSideR table rates sources that publish every side (AllSides itself) "allsides": no lean.
            ("allsides", null),
            // AllSides' older published tables (and the 2019 AllSideR file) wrote the leans as left-center and right-center.
            ("left center", Bias.LeanLeft), ("right center", Bias.LeanRight)),
        [RaterVocabulary.Mbfc] = Table(
            ("extreme left", Bias.FarLeft), ("far left", Bias.FarLeft), ("left", Bias.Left), ("left center", Bias.LeanLeft),
            ("least biased", Bias.Center), ("center", Bias.Center), ("right center", Bias.LeanRight), ("right", Bias.Right),
            ("extreme right", Bias.FarRight), ("far right", Bias.FarRight),
            // MBFC's categories beside the axis: no left–right rating.
            ("pro science", null), ("conspiracy pseudoscience", null), ("pseudoscience", null), ("questionable", null), ("satire", null)),
    }.ToFrozenDictionary();

    /// <summary>
    /// What the outlet import reads for the <c>newslens</c> rater, as it always has: the words on the left–right axis
    /// of the NewsLens, AllSides and MBFC vocabularies, "centre", and AllSides' "Mixed" (no rating). MBFC's categories
    /// beside the axis are refused there: a file that says "satire" is not a file of NewsLens ratings.
    /// </summary>
    private static readonly FrozenDictionary<string, Bias?> OutletImportWords = Words
        .Where(v => v.Key != RaterVocabulary.Adfontes)
        .SelectMany(v => v.Value)
        .Where(w => w.Value is not null)
        .DistinctBy(w => w.Key)
        .Append(new("centre", Bias.Center))
        .Append(new("mixed", null))
        .ToFrozenDictionary(w => w.Key, w => w.Value, StringComparer.Ordinal);

    /// <summary>Words that mean "not rated" in every vocabulary: the value is stored as null.</summary>
    private static readonly FrozenSet<string> Unrated = FrozenSet.Create(StringComparer.Ordinal, "", "unrated", "not rated", "none", "na", "n a");

    private static readonly FrozenDictionary<string, Factuality> FactualityWords = new Dictionary<string, Factuality>
    {
        ["very high"] = Factuality.VeryHigh, ["high"] = Factuality.High, ["mostly factual"] = Factuality.MostlyFactual,
        ["mixed"] = Factuality.Mixed, ["low"] = Factuality.Low, ["very low"] = Factuality.VeryLow,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Ownership> OwnershipWords =
        Enum.GetValues<Ownership>().ToFrozenDictionary(o => Normalize(EnumText<Ownership>.Name(o)), o => o, StringComparer.Ordinal);

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
        var key = Normalize(word);
        if (Unrated.Contains(key))
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

        if (vocabulary == RaterVocabulary.Mbfc && MbfcSideOfCategory(key) is { } side)
        {
            bias = side;
            return true;
        }

        error = $"'{word}' is not a bias word of the {EnumText<RaterVocabulary>.Name(vocabulary)} vocabulary ({AllowedWords(vocabulary)}).";
        return false;
    }

    /// <summary>
    /// MBFC writes the lean of a conspiracy or pseudoscience source before its category ("right conspiracy-pseudoscience",
    /// "far-right conspiracy", "left pseudoscience"; its 2024 table even spells it "pseusdoscience"). The category says
    /// how the source treats facts (that is factuality's business); the word before it is MBFC's left–right rating, so
    /// that is the bias. A category alone stays off the axis (null).
    /// </summary>
    private static Bias? MbfcSideOfCategory(string key)
    {
        var words = key.Split(' ');
        for (var take = Math.Min(2, words.Length - 1); take >= 1; take--)
        {
            if (Words[RaterVocabulary.Mbfc].GetValueOrDefault(string.Join(' ', words[..take])) is { } side
                && words[take..].All(w => w.StartsWith("conspir", StringComparison.Ordinal) || w.StartsWith("pseu", StringComparison.Ordinal)))
            {
                return side;
            }
        }

        return null;
    }

    public static string AllowedWords(RaterVocabulary vocabulary) => vocabulary == RaterVocabulary.Adfontes
        ? "a score from -42 to 42"
        : string.Join(", ", Words[vocabulary].Keys.Order(StringComparer.Ordinal));

    /// <summary>
    /// The outlet import's reading of a bias word for the <c>newslens</c> rater: any vocabulary's word on the
    /// left–right axis (null for an unrated word or "Mixed"), false for a word it does not know.
    /// </summary>
    public static bool TryParseOutletImportBias(string? word, out Bias? bias)
    {
        var key = Normalize(word);
        bias = null;
        return Unrated.Contains(key) || OutletImportWords.TryGetValue(key, out bias);
    }

    /// <summary>The factuality word (null when empty or "unrated"); "mixed" is a factuality rating here, not "no rating".</summary>
    public static bool TryParseFactuality(string? word, out Factuality? factuality) => TryParse(word, FactualityWords, out factuality);

    public static bool TryParseOwnership(string? word, out Ownership? ownership) => TryParse(word, OwnershipWords, out ownership);

    private static bool TryParse<T>(string? word, FrozenDictionary<string, T> words, out T? value) where T : struct
    {
        var key = Normalize(word);
        if (words.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = null;
        return Unrated.Contains(key);
    }

    /// <summary>Lower case; any run of punctuation, dashes, underscores or spaces becomes one space.</summary>
    public static string Normalize(string? text)
    {
        var builder = new StringBuilder();
        var space = false;
        foreach (var c in (text ?? "").Trim().ToLowerInvariant())
        {
            if (!char.IsLetterOrDigit(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(c);
            space = false;
        }

        return builder.ToString();
    }
}
