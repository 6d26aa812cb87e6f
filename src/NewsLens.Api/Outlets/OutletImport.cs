using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FluentValidation;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Outlets;

/// <summary>
/// One outlet of a bulk import (a CSV record or a JSON array element). Ratings are words in the NewsLens,
/// AllSides or Media Bias/Fact Check vocabularies, matched ignoring case and punctuation.
/// </summary>
/// <param name="Name">Required, 1–200 characters.</param>
/// <param name="Domain">Required: a host name or a URL on it; the import matches existing outlets by the normalized domain.</param>
/// <param name="Bias">far_left … far_right, AllSides (Left, Lean Left, Center, Lean Right, Right; Mixed is unrated) or MBFC (extreme-left, left, left-center, least biased, right-center, right, extreme-right); empty for unrated.</param>
/// <param name="Factuality">very_high, high, mostly_factual, mixed, low, very_low (also "very high", "mostly factual"); empty for unrated.</param>
/// <param name="Ownership">independent, media_conglomerate, billionaire, private_equity, government, corporation, telecom, other; empty for unknown.</param>
/// <param name="Country">ISO 3166-1 alpha-2 code, any case; empty for none.</param>
public sealed record OutletImportRow(string? Name, string? Domain, string? Bias = null, string? Factuality = null, string? Ownership = null, string? Country = null);

/// <summary>A row as read from the body: the outlet, or why the record could not be read.</summary>
public readonly record struct OutletLine(long Row, OutletImportRow? Outlet, string? Field, string? Error);

/// <summary>A checked outlet of an import, with its row.</summary>
public readonly record struct OutletImportValues(long Row, OutletValues Outlet);

/// <summary>Reads an outlet import as it streams in and checks each row; nothing here needs the database.</summary>
public static class OutletImport
{
    private static readonly string[] Columns = ["name", "domain", "bias", "factuality", "ownership", "country"];

    /// <summary>
    /// A CSV whose first record names the columns (any order, any case; others ignored). A header without name or
    /// domain is reported as row 0 and ends the reading.
    /// </summary>
    public static async IAsyncEnumerable<OutletLine> ReadCsvAsync(PipeReader body, int maxRowBytes, [EnumeratorCancellation] CancellationToken ct)
    {
        Dictionary<string, int>? columns = null;
        await foreach (var record in ImportRecords.ReadAsync(body, new CsvFramer(maxRowBytes, firstRow: 0), ct))
        {
            if (columns is null)
            {
                if (record.Fault != RecordFault.None)
                {
                    yield return new OutletLine(0, null, "header", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                    yield break;
                }

                var names = CsvFields.Split(record.Bytes.Span).Select(h => h.ToLowerInvariant()).ToList();
                columns = [];
                for (var i = 0; i < names.Count; i++)
                {
                    columns.TryAdd(names[i], i);
                }

                var missing = new[] { "name", "domain" }.Where(c => !columns.ContainsKey(c)).ToList();
                foreach (var required in missing)
                {
                    yield return new OutletLine(0, null, required, $"The header has no '{required}' column (columns: {string.Join(", ", Columns)}; others are ignored).");
                }

                if (missing.Count > 0)
                {
                    yield break;
                }

                continue;
            }

            if (record.Fault != RecordFault.None)
            {
                yield return new OutletLine(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                continue;
            }

            var fields = CsvFields.Split(record.Bytes.Span);
            string? Field(string name) => columns.TryGetValue(name, out var index) && index < fields.Length ? fields[index] : null;
            yield return new OutletLine(record.Row, new OutletImportRow(Field("name"), Field("domain"), Field("bias"), Field("factuality"), Field("ownership"), Field("country")), null, null);
        }
    }

    /// <summary>A JSON array of outlets; a malformed document, or an element of the wrong shape, stops the import as a 400.</summary>
    public static async IAsyncEnumerable<OutletLine> ReadJsonAsync(PipeReader body, JsonSerializerOptions options, int maxRowBytes,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var record in ImportRecords.ReadAsync(body, new JsonArrayFramer(maxRowBytes), ct))
        {
            yield return record.Fault != RecordFault.None
                ? new OutletLine(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes))
                : new OutletLine(record.Row, Parse(record, options) ?? new OutletImportRow(null, null), null, null);
        }
    }

    private static OutletImportRow? Parse(ImportRecord record, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<OutletImportRow>(record.Bytes.Span, options);
        }
        catch (JsonException exception)
        {
            throw ImportEndpoints.InElement(exception, record.Row - 1);
        }
    }

    /// <summary>
    /// Checks rows one by one with the rules of <c>POST /v1/outlets</c> (its validator, on the row as an
    /// <see cref="OutletRequest"/>), after mapping rating words from any vocabulary the import knows; a domain named
    /// twice in one file is a bad row.
    /// </summary>
    public sealed class RowChecker(BadRows bad, IValidator<OutletRequest> validator)
    {
        private readonly FirstRows firstRowOfDomain = new();

        /// <summary>The outlet's stored values, or null when the row is bad (its problems are recorded).</summary>
        public OutletImportValues? Check(OutletLine line)
        {
            var row = line.Row;
            if (line.Outlet is not { } outlet)
            {
                bad.Add(row, line.Field ?? "body", null, line.Error ?? "The row could not be read.");
                return null;
            }

            var before = bad.Count;
            if (!RatingVocabulary.TryParseBias(outlet.Bias, out var bias))
            {
                bad.Add(row, "bias", outlet.Bias, "Not a bias rating NewsLens knows (see the rating vocabulary in docs/partners.md).");
            }

            if (!RatingVocabulary.TryParseFactuality(outlet.Factuality, out var factuality))
            {
                bad.Add(row, "factuality", outlet.Factuality, "Not a factuality rating NewsLens knows (see the rating vocabulary in docs/partners.md).");
            }

            if (!RatingVocabulary.TryParseOwnership(outlet.Ownership, out var ownership))
            {
                bad.Add(row, "ownership", outlet.Ownership, $"Not an ownership type; expected one of: {EnumText<Ownership>.AllowedList}.");
            }

            var request = new OutletRequest(outlet.Name!, outlet.Domain!, bias, factuality, ownership, string.IsNullOrWhiteSpace(outlet.Country) ? null : outlet.Country);
            foreach (var failure in validator.Validate(request).Errors)
            {
                bad.Add(row, failure.PropertyName, RawValue(outlet, failure.PropertyName), failure.ErrorMessage);
            }

            if (request.NormalizedDomain is { } domain && !firstRowOfDomain.TryAdd(domain, row, out var first))
            {
                bad.Add(row, "domain", outlet.Domain, $"The domain {domain} is also on row {first}; a file names each outlet once.");
            }

            return bad.Count == before ? new OutletImportValues(row, request.ToValues()) : null;
        }

        private static string? RawValue(OutletImportRow outlet, string field) => field switch
        {
            "name" => outlet.Name,
            "domain" => outlet.Domain,
            "country" => outlet.Country,
            _ => null,
        };
    }

    /// <summary>How checked outlets are spooled.</summary>
    public sealed class Codec : IRowCodec<OutletImportValues>
    {
        public static readonly Codec Instance = new();

        public void Write(BinaryWriter writer, OutletImportValues row)
        {
            writer.Write(row.Row);
            writer.Write(row.Outlet.Name);
            writer.Write(row.Outlet.Domain);
            foreach (var value in new[] { row.Outlet.Bias, row.Outlet.Factuality, row.Outlet.Ownership, row.Outlet.Country })
            {
                writer.Write(value ?? "");
            }
        }

        public OutletImportValues Read(BinaryReader reader)
        {
            var row = reader.ReadInt64();
            var (name, domain) = (reader.ReadString(), reader.ReadString());
            string? Optional() => reader.ReadString() is { Length: > 0 } text ? text : null;
            return new OutletImportValues(row, new OutletValues(name, domain, Optional(), Optional(), Optional(), Optional()));
        }
    }
}
