using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;

namespace NewsLens.Api.Ratings;

/// <summary>A rater as added by a partner.</summary>
/// <param name="Id">A lower-case slug: letters, digits and dashes, 2–40 characters, starting with a letter (<c>ground-truth</c>).</param>
/// <param name="Name">Display name, 1–200 characters.</param>
/// <param name="Url">Where the rater publishes its ratings (http or https).</param>
/// <param name="Vocabulary">The words its ratings are written in.</param>
public sealed record RaterRequest(string Id, string Name, string? Url, RaterVocabulary Vocabulary);

/// <param name="BuiltIn">One of the four raters every NewsLens has: newslens, allsides, mbfc, adfontes.</param>
public sealed record RaterResponse(string Id, string Name, string? Url, RaterVocabulary Vocabulary, bool BuiltIn, DateTime CreatedAt);

/// <summary>A rating of an outlet by the rater the path names.</summary>
/// <param name="Bias">The rater's own word for the bias (<c>Lean Left</c>, <c>left-center</c>) in its vocabulary, or for the
/// adfontes vocabulary its score from −42 to 42 (a string or a number). Null, or a word that declines to rate (AllSides'
/// <c>Mixed</c>), records that the rater has no bias rating of the outlet from then on.</param>
/// <param name="Factuality">very_high, high, mostly_factual, mixed, low or very_low (any case and punctuation); null when the rater rates none.</param>
/// <param name="EffectiveFrom">From when the rating is in force (RFC 3339); now when omitted; never in the future.</param>
/// <param name="SourceUrl">Where the rater published it (http or https).</param>
/// <param name="Note">Free text, up to 1,000 characters.</param>
public sealed record RatingRequest(
    [property: JsonConverter(typeof(StringOrNumberConverter))] string? Bias = null,
    string? Factuality = null,
    DateTimeOffset? EffectiveFrom = null,
    string? SourceUrl = null,
    string? Note = null);

/// <summary>One dated rating with its provenance.</summary>
/// <param name="Bias">The 7-point value of the rater's word; null when the rater has no bias rating.</param>
/// <param name="Lean">The 3-bucket lean of <c>bias</c>.</param>
/// <param name="RaterBias">The rater's own word or score, as it was sent.</param>
/// <param name="RecordedAt">When NewsLens recorded it.</param>
/// <param name="RecordedBy">The name of the API key that recorded it; null for ratings carried over from before raters existed.</param>
public sealed record RatingResponse(
    string Rater,
    Bias? Bias,
    Lean? Lean,
    string? RaterBias,
    Factuality? Factuality,
    DateTime EffectiveFrom,
    string? SourceUrl,
    string? Note,
    DateTime RecordedAt,
    string? RecordedBy);

/// <summary>The combined rating: the outlet's <c>bias</c> and <c>factuality</c>, and the default for coverage.</summary>
/// <param name="Method">The rule (Ratings:Combine:Method).</param>
/// <param name="Raters">The raters whose ratings in force it combined, in the rule's order.</param>
public sealed record CombinedRatingResponse(Bias? Bias, Lean? Lean, Factuality? Factuality, CombineMethod Method, IReadOnlyList<string> Raters);

/// <summary>An outlet's ratings as they stood at <c>asOf</c>.</summary>
/// <param name="AsOf">The instant the ratings are read at (now unless <c>asOf</c> was given).</param>
/// <param name="Current">Each rater's rating in force at <c>asOf</c>, in rater order.</param>
/// <param name="History">With <c>history=true</c>: every rating in force from before <c>asOf</c>, per rater, oldest first; otherwise null.</param>
public sealed record OutletRatingsResponse(
    long OutletId,
    DateTime AsOf,
    CombinedRatingResponse Combined,
    IReadOnlyList<RatingResponse> Current,
    IReadOnlyList<RatingResponse>? History);

/// <summary>Query of <c>GET /v1/outlets/{id}/ratings</c>.</summary>
/// <param name="History">Also list every dated rating with its provenance.</param>
/// <param name="AsOf">Answer as the ratings stood at this instant (RFC 3339); now when omitted; not in the future.</param>
public sealed record OutletRatingsQuery(QueryValue<bool>? History, QueryValue<DateTimeOffset>? AsOf);

/// <summary>Reads a JSON string or number as text, so a score can be sent either way.</summary>
public sealed class StringOrNumberConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetDecimal().ToString(CultureInfo.InvariantCulture),
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException("Expected a string or a number."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

public sealed partial class RaterRequestValidator : AbstractValidator<RaterRequest>
{
    public RaterRequestValidator()
    {
        RuleFor(x => x.Id).NotEqual("combined").WithMessage("'combined' names the combined rating; choose another id.");
        RuleFor(x => x.Id).NotEmpty().MaximumLength(40).Matches(Slug()).WithMessage("'id' must be a lower-case slug: a letter, then letters, digits or single dashes, 2–40 characters (such as ground-truth).");
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200).Must(n => TextRules.IsClean(n)).WithMessage($"'name' {TextRules.Message}");
        RuleFor(x => x.Url).Must(WebUrl.IsHttp).When(x => x.Url is not null).WithMessage("'url' must be an absolute http or https URL.");
        RuleFor(x => x.Vocabulary).IsInEnum();
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z](?:-?[a-z0-9])+$")]
    private static partial System.Text.RegularExpressions.Regex Slug();
}

public sealed class RatingRequestValidator : AbstractValidator<RatingRequest>
{
    public const int MaxNoteLength = 1000;

    public RatingRequestValidator(TimeProvider clock)
    {
        RuleFor(x => x.Bias).MaximumLength(100);
        RuleFor(x => x.Factuality).Must(f => RaterVocabularies.TryParseFactuality(f, out _))
            .WithMessage($"'{{PropertyValue}}' is not a factuality rating ({EnumText<Factuality>.AllowedList}).");
        RuleFor(x => x.EffectiveFrom).Must(e => e <= clock.GetUtcNow()).When(x => x.EffectiveFrom is not null)
            .WithMessage("'effectiveFrom' is in the future: a rating can only be recorded from now or from a past instant.");
        RuleFor(x => x.SourceUrl).Must(WebUrl.IsHttp).When(x => x.SourceUrl is not null).WithMessage("'sourceUrl' must be an absolute http or https URL.");
        RuleFor(x => x.Note).MaximumLength(MaxNoteLength).Must(n => TextRules.IsClean(n, allowLineBreaks: true)).When(x => x.Note is not null).WithMessage($"'note' {TextRules.Message}");
    }
}

/// <summary>Absolute http(s) URLs, for links to a rater's pages.</summary>
public static class WebUrl
{
    public static bool IsHttp(string? text) =>
        text is { Length: <= 2000 } && Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
