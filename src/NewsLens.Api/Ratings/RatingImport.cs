using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
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

/// <summary>A row as read from the body, or why it could not be read.</summary>
public readonly record struct RatingLine(long Row, RatingImportRow? Rating, string? Field, string? Error);

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

    private static readonly string[] Columns = ["domain", "name", "bias", "factuality", "source_url", "note"];

    /// <summary>A CSV whose first record names the columns (any order and case; <c>sourceUrl</c> also read as <c>source_url</c>; others ignored).</summary>
    public static async IAsyncEnumerable<RatingLine> ReadCsvAsync(PipeReader body, int maxRowBytes, [EnumeratorCancellation] CancellationToken ct)
    {
        Dictionary<string, int>? columns = null;
        await foreach (var record in ImportRecords.ReadAsync(body, new CsvFramer(maxRowBytes, firstRow: 0), ct))
        {
            if (columns is null)
            {
                if (record.Fault != RecordFault.None)
                {
                    yield return new RatingLine(0, null, "header", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                    yield break;
                }

                columns = [];
                var names = CsvFields.Split(record.Bytes.Span);
                for (var i = 0; i < names.Length; i++)
                {
                    columns.TryAdd(names[i].Trim().ToLowerInvariant() switch { "sourceurl" => "source_url", var n => n }, i);
                }

                if (!columns.ContainsKey("bias") || !(columns.ContainsKey("domain") || columns.ContainsKey("name")))
                {
                    yield return new RatingLine(0, null, "header",
                        $"The header needs a 'bias' column and a 'domain' or 'name' column (columns: {string.Join(", ", Columns)}; others are ignored).");
                    yield break;
                }

                continue;
            }

            if (record.Fault != RecordFault.None)
            {
                yield return new RatingLine(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                continue;
            }

            var fields = CsvFields.Split(record.Bytes.Span);
            string? Field(string name) => columns.TryGetValue(name, out var index) && index < fields.Length ? fields[index] : null;
            yield return new RatingLine(record.Row, new RatingImportRow(Field("domain"), Field("name"), Field("bias"), Field("factuality"), Field("source_url"), Field("note")), null, null);
        }
    }

    /// <summary>A JSON array of ratings; a malformed document, or an element of the wrong shape, stops the import as a 400.</summary>
    public static async IAsyncEnumerable<RatingLine> ReadJsonAsync(PipeReader body, JsonSerializerOptions options, int maxRowBytes,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var record in ImportRecords.ReadAsync(body, new JsonArrayFramer(maxRowBytes), ct))
        {
            if (record.Fault != RecordFault.None)
            {
                yield return new RatingLine(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                continue;
            }

            RatingImportRow? row;
            try
            {
                row = JsonSerializer.Deserialize<RatingImportRow>(record.Bytes.Span, options);
            }
            catch (JsonException exception)
            {
                throw ImportEndpoints.InElement(exception, record.Row - 1);
            }

            yield return new RatingLine(record.Row, row ?? new RatingImportRow(null, null), null, null);
        }
    }

    /// <summary>
    /// Checks a row with the rules of <c>PUT /v1/outlets/{id}/ratings/{rater}</c>: the bias in the rater's vocabulary,
    /// factuality, source URL and note; and that it names an outlet by domain or by name. Returns null for a bad row.
    /// </summary>
    public static CheckedRating? Check(RatingLine line, RaterVocabulary vocabulary, BadRows bad)
    {
        if (line.Rating is not { } rating)
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

        if (!RatingVocabulary.TryParseFactuality(rating.Factuality, out var factuality))
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
