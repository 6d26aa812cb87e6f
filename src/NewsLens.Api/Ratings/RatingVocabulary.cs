using System.Collections.Frozen;
using System.Text;

namespace NewsLens.Api.Ratings;

/// <summary>
/// Rating words as other raters write them, mapped to NewsLens values. Matching ignores case and
/// punctuation ("Lean Left", "lean_left" and "lean-left" are one word). docs/partners.md lists the table.
/// </summary>
public static class RatingVocabulary
{
    /// <summary>Words that mean "not rated": the value is stored as null.</summary>
    private static readonly FrozenSet<string> Unrated = FrozenSet.Create(StringComparer.Ordinal, "", "unrated", "not rated", "none", "na", "n a", "mixed");

    private static readonly FrozenDictionary<string, Bias> BiasWords = new Dictionary<string, Bias>
    {
        // NewsLens
        ["far left"] = Bias.FarLeft, ["left"] = Bias.Left, ["lean left"] = Bias.LeanLeft, ["center"] = Bias.Center,
        ["lean right"] = Bias.LeanRight, ["right"] = Bias.Right, ["far right"] = Bias.FarRight,
        // Media Bias/Fact Check
        ["extreme left"] = Bias.FarLeft, ["left center"] = Bias.LeanLeft, ["least biased"] = Bias.Center,
        ["right center"] = Bias.LeanRight, ["extreme right"] = Bias.FarRight,
        // AllSides uses Left, Lean Left, Center, Lean Right, Right (above); its "Mixed" is unrated.
        ["centre"] = Bias.Center,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Factuality> FactualityWords = new Dictionary<string, Factuality>
    {
        ["very high"] = Factuality.VeryHigh, ["high"] = Factuality.High, ["mostly factual"] = Factuality.MostlyFactual,
        ["mixed"] = Factuality.Mixed, ["low"] = Factuality.Low, ["very low"] = Factuality.VeryLow,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Ownership> OwnershipWords =
        Enum.GetValues<Ownership>().ToFrozenDictionary(o => Normalize(EnumText<Ownership>.Name(o)), o => o, StringComparer.Ordinal);

    /// <summary>Lower case; any run of punctuation, dashes, underscores or spaces becomes one space.</summary>
    public static string Normalize(string? text)
    {
        var builder = new StringBuilder();
        var space = false;
        foreach (var c in (text ?? "").Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
            {
                if (space && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                builder.Append(c);
                space = false;
            }
            else
            {
                space = true;
            }
        }

        return builder.ToString();
    }

    /// <summary>True with the bias (null for an unrated word), false for a word this table does not know.</summary>
    public static bool TryParseBias(string? text, out Bias? bias) => TryParse(text, BiasWords, unratedAlso: true, out bias);

    // "mixed" is a factuality rating, not "unrated", here.
    public static bool TryParseFactuality(string? text, out Factuality? factuality) => TryParse(text, FactualityWords, unratedAlso: false, out factuality);

    public static bool TryParseOwnership(string? text, out Ownership? ownership) => TryParse(text, OwnershipWords, unratedAlso: true, out ownership);

    private static bool TryParse<T>(string? text, FrozenDictionary<string, T> words, bool unratedAlso, out T? value) where T : struct
    {
        var key = Normalize(text);
        if (words.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = null;
        return Unrated.Contains(key) && (unratedAlso || key != "mixed");
    }
}
