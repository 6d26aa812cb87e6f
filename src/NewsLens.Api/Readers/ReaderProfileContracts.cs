using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using NewsLens.Api.Coverage;

namespace NewsLens.Api.Readers;

/// <summary>One item of a reading list: an article id (a JSON number, or a string of digits) or an article URL (any other string).</summary>
[JsonConverter(typeof(ArticleReferenceConverter))]
public readonly record struct ArticleReference(long? Id, string? Url)
{
    public static ArticleReference Of(long id) => new(id, null);

    public static ArticleReference Of(string url) => new(null, url);
}

/// <summary>
/// Reads a number, or a string of digits, as an id (a whole number of 1 or more) and any other string as a URL (trimmed,
/// 1–2,048 characters). Ids as strings let clients whose generators type the list as strings send both. The messages
/// never repeat the value: what a reader sent stays out of answers' details and out of logs.
/// </summary>
public sealed class ArticleReferenceConverter : JsonConverter<ArticleReference>
{
    public override ArticleReference Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var id) && id >= 1:
                return ArticleReference.Of(id);
            case JsonTokenType.Number:
                throw new JsonValueException("An article id is a whole number of 1 or more.");
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                if (text.Length > 0 && text.All(char.IsAsciiDigit))
                {
                    return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var digits) && digits >= 1
                        ? ArticleReference.Of(digits)
                        : throw new JsonValueException("An article id is a whole number of 1 or more.");
                }

                return text.Length is 0 or > ArticleUrl.MaxLength
                    ? throw new JsonValueException($"An article URL has 1 to {ArticleUrl.MaxLength:N0} characters.")
                    : ArticleReference.Of(text);
            default:
                throw new JsonValueException($"Expected an article id (a number) or an article URL (a string), not {JsonValueException.Describe(reader.TokenType)}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, ArticleReference value, JsonSerializerOptions options)
    {
        if (value.Id is { } id)
        {
            writer.WriteNumberValue(id);
        }
        else
        {
            writer.WriteStringValue(value.Url);
        }
    }
}

/// <summary>What a reader read, to profile; nothing of it is stored or logged.</summary>
/// <param name="Articles">1 to 5,000 items, each an article id ("42"; a JSON number is accepted too) or an article URL (canonicalized as on import: tracking parameters, fragment and default port dropped).</param>
/// <param name="From">Start of the window for <c>blindspotsMissed</c> (RFC 3339). Default: 30 days before <c>to</c>.</param>
/// <param name="To">End of that window, exclusive. Default: the publication of the last article read (now when none matched).</param>
public sealed record ReaderProfileRequest(
    [property: System.ComponentModel.DataAnnotations.MinLength(1), System.ComponentModel.DataAnnotations.MaxLength(ReaderProfileRequestValidator.MaxItems)]
    IReadOnlyList<ArticleReference> Articles,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

public sealed class ReaderProfileRequestValidator : AbstractValidator<ReaderProfileRequest>
{
    public const int MaxItems = 5_000;

    public ReaderProfileRequestValidator()
    {
        RuleFor(x => x.Articles)
            .NotEmpty().WithMessage($"Give 1 to {MaxItems:N0} article ids or URLs.")
            .Must(items => items!.Count <= MaxItems).WithMessage(x => $"At most {MaxItems:N0} article ids or URLs; {x.Articles!.Count:N0} were given.");
        RuleFor(x => x.From).LessThan(x => x.To).When(x => x.From is not null && x.To is not null)
            .WithMessage("'from' must be before 'to'.");
    }
}

/// <summary>
/// A reader's own bias profile: what of the reading list matched, how what was read leans (by sources and by
/// articles, with the coverage rules), how factual it is and who owns it, and the blindspot stories the reader missed.
/// </summary>
/// <param name="Items">Items sent.</param>
/// <param name="Matched">Distinct articles the items matched (an article sent twice, by id and by URL, counts once).</param>
/// <param name="Unmatched">Items that matched no article, in the order sent, duplicates folded: URLs in canonical form, ids as text, other text as sent.</param>
/// <param name="Sources">The distinct outlets of the articles read, each once.</param>
/// <param name="Articles">The articles read, each once.</param>
/// <param name="ReadsLeast">Of left and right, the side with fewer articles read (then fewer sources); null when they are even.</param>
/// <param name="Window">The window <c>blindspotsMissed</c> looks in: stories first published at or after <c>from</c> and before <c>to</c>.</param>
/// <param name="BlindspotsMissed">
/// Blindspot stories in the window whose coverage comes from the side the reader reads least (a reader who reads the Right
/// least misses stories the Right covers and the Left barely does: <c>blindspot</c> = <c>left</c>), of which the reader
/// read nothing; newest first, at most 20. Both sides when <c>readsLeast</c> is null.
/// </param>
public sealed record ReaderProfile(
    int Items,
    int Matched,
    IReadOnlyList<string> Unmatched,
    ReadingMix Sources,
    ReadingMix Articles,
    BlindspotSide? ReadsLeast,
    ReadingWindow Window,
    IReadOnlyList<MissedStory> BlindspotsMissed);

/// <summary>The bias distribution, factuality and ownership of what was read, counted as coverage counts a story.</summary>
public sealed record ReadingMix(BiasDistribution Bias, FactualityBreakdown Factuality, OwnershipBreakdown Ownership);

public sealed record ReadingWindow(DateTime From, DateTime To);

/// <summary>A blindspot story the reader read nothing of.</summary>
/// <param name="Blindspot">The side that barely covers the story.</param>
/// <param name="Label">Its coverage label, sources basis ("80% of the sources lean Right").</param>
public sealed record MissedStory(long StoryId, string Title, BlindspotSide Blindspot, DateTime? FirstPublishedAt, int TotalSources, string Label);
