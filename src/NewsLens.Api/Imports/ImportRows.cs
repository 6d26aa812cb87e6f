using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace NewsLens.Api.Imports;

/// <summary>A row of an import as read from the body: its values, or (Field, Error) why the record could not be read.</summary>
public readonly record struct ImportLine<TRow>(long Row, TRow? Value, string? Field, string? Error) where TRow : class;

/// <summary>A CSV import's columns: the names it reads, other spellings of them, and what a header must name.</summary>
/// <param name="Names">The columns read, in the order the error messages list them; others are ignored.</param>
/// <param name="Missing">The (field, message) of each thing a header lacks; empty when it names enough.</param>
/// <param name="Aliases">Other spellings of a column name (after trimming and lower-casing), such as sourceurl for source_url.</param>
public sealed record CsvColumns(
    IReadOnlyList<string> Names,
    Func<IReadOnlySet<string>, IEnumerable<(string Field, string Message)>> Missing,
    IReadOnlyDictionary<string, string>? Aliases = null)
{
    public string Listed => string.Join(", ", Names);
}

/// <summary>One CSV record's fields, by column name (null for a column the header lacks or the record is too short for).</summary>
public readonly struct CsvRow(string[] fields, IReadOnlyDictionary<string, int> columns)
{
    public string? this[string column] => columns.TryGetValue(column, out var index) && index < fields.Length ? fields[index] : null;
}

/// <summary>
/// Reads a CSV or JSON-array import as it streams in, a row at a time, into the row type of its endpoint. The outlet
/// import and a rater's ratings import share it; each says how its CSV columns make a row.
/// </summary>
public static class ImportRows
{
    /// <summary>The rows of the request's body by its media type (CSV or a JSON array); null for any other type (a 415).</summary>
    public static IAsyncEnumerable<ImportLine<TRow>>? Read<TRow>(HttpRequest request, JsonSerializerOptions json, int maxRowBytes, CsvColumns columns,
        Func<CsvRow, TRow> fromCsv, TRow empty, CancellationToken ct) where TRow : class =>
        ImportEndpoints.MediaType(request) switch
        {
            ImportEndpoints.Csv => ReadCsvAsync(request.BodyReader, maxRowBytes, columns, fromCsv, ct),
            ImportEndpoints.Json => ReadJsonAsync(request.BodyReader, json, maxRowBytes, empty, ct),
            _ => null,
        };

    /// <summary>
    /// Hands every row to <paramref name="check"/> until it returns false; a body that is not well-formed JSON of the
    /// documented shape stops the reading with its 400, which is returned.
    /// </summary>
    public static async Task<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem?> ForEachAsync<TRow>(IAsyncEnumerable<ImportLine<TRow>> lines,
        Func<ImportLine<TRow>, bool> check) where TRow : class
    {
        try
        {
            await foreach (var line in lines)
            {
                if (!check(line))
                {
                    break;
                }
            }

            return null;
        }
        catch (JsonException exception)
        {
            return ImportEndpoints.MalformedJson(exception);
        }
    }

    /// <summary>
    /// A CSV whose first record names the columns (any order and case). A header that lacks a required column is
    /// reported as row 0, once per thing it lacks, and ends the reading.
    /// </summary>
    public static async IAsyncEnumerable<ImportLine<TRow>> ReadCsvAsync<TRow>(PipeReader body, int maxRowBytes, CsvColumns columns,
        Func<CsvRow, TRow> fromCsv, [EnumeratorCancellation] CancellationToken ct) where TRow : class
    {
        Dictionary<string, int>? header = null;
        await foreach (var record in ImportRecords.ReadAsync(body, new CsvFramer(maxRowBytes, firstRow: 0), ct))
        {
            if (header is null)
            {
                if (record.Fault != RecordFault.None)
                {
                    yield return new ImportLine<TRow>(0, null, "header", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                    yield break;
                }

                header = [];
                var names = CsvFields.Split(record.Bytes.Span);
                for (var i = 0; i < names.Length; i++)
                {
                    var name = names[i].Trim().ToLowerInvariant();
                    header.TryAdd(columns.Aliases?.GetValueOrDefault(name) ?? name, i);
                }

                var missing = columns.Missing(header.Keys.ToHashSet()).ToList();
                foreach (var (field, message) in missing)
                {
                    yield return new ImportLine<TRow>(0, null, field, message);
                }

                if (missing.Count > 0)
                {
                    yield break;
                }

                continue;
            }

            yield return record.Fault != RecordFault.None
                ? new ImportLine<TRow>(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes))
                : new ImportLine<TRow>(record.Row, fromCsv(new CsvRow(CsvFields.Split(record.Bytes.Span), header)), null, null);
        }
    }

    /// <summary>A JSON array of rows; a malformed document, or an element of the wrong shape, throws (a 400 naming where).</summary>
    public static async IAsyncEnumerable<ImportLine<TRow>> ReadJsonAsync<TRow>(PipeReader body, JsonSerializerOptions options, int maxRowBytes, TRow empty,
        [EnumeratorCancellation] CancellationToken ct) where TRow : class
    {
        await foreach (var record in ImportRecords.ReadAsync(body, new JsonArrayFramer(maxRowBytes), ct))
        {
            if (record.Fault != RecordFault.None)
            {
                yield return new ImportLine<TRow>(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes));
                continue;
            }

            TRow? row;
            try
            {
                row = JsonSerializer.Deserialize<TRow>(record.Bytes.Span, options);
            }
            catch (JsonException exception)
            {
                throw ImportEndpoints.InElement(exception, record.Row - 1);
            }

            yield return new ImportLine<TRow>(record.Row, row ?? empty, null, null);
        }
    }
}
