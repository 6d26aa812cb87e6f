using System.Text.Json.Serialization;

namespace NewsLens.Api.Ratings;

/// <summary>One rating of a rater's import (a CSV record or a JSON array element), in the rater's vocabulary.</summary>
/// <param name="Domain">The outlet's domain (or a URL on it); the import matches the outlet by its normalized domain.</param>
/// <param name="Name">The outlet's exact name, for a row without a domain (the 2019 AllSides file has none).</param>
/// <param name="Bias">The rater's word for the bias, or for the adfontes vocabulary its score; empty: no bias rating.</param>
/// <param name="Factuality">very_high … very_low, any case and punctuation; empty: none.</param>
/// <param name="SourceUrl">Where the rater published the rating (http or https).</param>
/// <param name="Note">Free text, up to 1,000 characters.</param>
public sealed record RatingImportRow(
    string? Domain,
    string? Name,
    [property: JsonConverter(typeof(StringOrNumberConverter))] string? Bias = null,
    string? Factuality = null,
    string? SourceUrl = null,
    string? Note = null);

/// <summary>A checked row: the outlet it names (by domain or by name) and the rating as it will be stored.</summary>
public sealed record CheckedRating(long Row, string? Domain, string? Name, string? Bias, string? RaterBias, string? Factuality, string? SourceUrl, string? Note);

/// <summary>What a rater's import did, or would do (<c>dryRun</c>).</summary>
/// <param name="Recorded">Ratings recorded (or that would be).</param>
/// <param name="Unchanged">Rows whose rating was already in force at <c>effectiveFrom</c>: nothing recorded.</param>
public sealed record RatingImportResult(int Recorded, int Unchanged, bool DryRun);

/// <summary>Reads a rater's ratings import as it streams in and checks each row; nothing here needs the database.</summary>
public static class RatingImport
{
    /// <summary>Rows one import may hold: more outlets than any rater rates.</summary>
    public const int MaxRows = 100_000;

    /// <summary>The CSV header names its columns in any order and case (<c>sourceUrl</c> also as <c>source_url</c>); it needs bias and domain or name.</summary>
    public static readonly CsvColumns Columns = new(
        ["domain", "name", "bias", "factuality", "source_url", "note"],
        header => header.Contains("bias") && (header.Contains("domain") || header.Contains("name"))
            ? []
            : [("header", "The header needs a 'bias' column and a 'domain' or 'name' column (columns: domain, name, bias, factuality, source_url, note; others are ignored).")],
        new Dictionary<string, string> { ["sourceurl"] = "source_url" });

    public static RatingImportRow FromCsv(CsvRow row) =>
        new(row["domain"], row["name"], row["bias"], row["factuality"], row["source_url"], row["note"]);

    public static readonly RatingImportRow Empty = new(null, null);

    /// <summary>
    /// Checks a row with the rules of <c>PUT /v1/outlets/{id}/ratings/{rater}</c>: the bias in the rater's vocabulary,
    /// factuality, source URL and note; and that it names an outlet by domain or by name. Returns null for a bad row.
    /// </summary>
    public static CheckedRating? Check(ImportLine<RatingImportRow> line, RaterVocabulary vocabulary, BadRows bad)
    {
        if (line.Value is not { } rating)
        {
            bad.Add(line.Row, line.Field ?? "body", null, line.Error ?? "The row could not be read.");
            return null;
        }

        var before = bad.Count;
        string? domain = null;
        if (!string.IsNullOrWhiteSpace(rating.Domain) && !DomainName.TryNormalize(rating.Domain, out domain))
        {
            bad.Add(line.Row, "domain", rating.Domain, $"'{rating.Domain}' is not a host name with a dot (such as example.com) or an http(s) URL on one.");
        }

        var name = string.IsNullOrWhiteSpace(rating.Name) ? null : rating.Name.Trim();
        if (string.IsNullOrWhiteSpace(rating.Domain) && name is null)
        {
            bad.Add(line.Row, "domain", null, "A row names its outlet by 'domain' or, without one, by its exact 'name'.");
        }

        if (!RaterVocabularies.TryParseBias(vocabulary, rating.Bias, out var bias, out var error))
        {
            bad.Add(line.Row, "bias", rating.Bias, error);
        }

        if (!RaterVocabularies.TryParseFactuality(rating.Factuality, out var factuality))
        {
            bad.Add(line.Row, "factuality", rating.Factuality, $"Not a factuality rating ({EnumText<Factuality>.AllowedList}).");
        }

        var sourceUrl = string.IsNullOrWhiteSpace(rating.SourceUrl) ? null : rating.SourceUrl.Trim();
        if (sourceUrl is not null && !WebUrl.IsHttp(sourceUrl))
        {
            bad.Add(line.Row, "sourceUrl", rating.SourceUrl, "'sourceUrl' must be an absolute http or https URL.");
        }

        var note = string.IsNullOrWhiteSpace(rating.Note) ? null : rating.Note.Trim();
        if (note is not null && (note.Length > RatingRequestValidator.MaxNoteLength || !TextRules.IsClean(note, allowLineBreaks: true)))
        {
            bad.Add(line.Row, "note", null, $"'note' must hold at most {RatingRequestValidator.MaxNoteLength:N0} characters of visible text and no control characters.");
        }

        return bad.Count != before ? null : new CheckedRating(line.Row, domain, domain is null ? name : null, EnumText<Bias>.Name(bias),
            string.IsNullOrWhiteSpace(rating.Bias) ? null : rating.Bias.Trim(), EnumText<Factuality>.Name(factuality), sourceUrl, note);
    }
}
