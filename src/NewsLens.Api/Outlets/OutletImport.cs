using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Ratings;
using NewsLens.Api.Web;

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

/// <summary>Reads and checks an outlet import; every bad row is reported, none is written unless all are good.</summary>
public static class OutletImport
{
    private static readonly string[] Columns = ["name", "domain", "bias", "factuality", "ownership", "country"];

    public sealed record Parsed(IReadOnlyList<OutletValues> Outlets, BadRows BadRows);

    public static async Task<Parsed> ReadCsvAsync(Stream body, CancellationToken ct)
    {
        var bad = new BadRows();
        var rows = new List<(long Row, OutletImportRow Outlet)>();
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            HeaderValidated = null,
            BadDataFound = null,
            TrimOptions = TrimOptions.Trim,
            DetectDelimiter = false,
        };
        using var csv = new CsvReader(reader, config);
        if (!await csv.ReadAsync() || !csv.ReadHeader())
        {
            bad.Add(0, "header", null, "The CSV is empty; its first line must name the columns: name, domain, bias, factuality, ownership, country.");
            return new Parsed([], bad);
        }

        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        foreach (var required in new[] { "name", "domain" }.Where(c => !header.Contains(c)))
        {
            bad.Add(0, required, null, $"The header has no '{required}' column (columns: {string.Join(", ", Columns)}; others are ignored).");
        }

        if (bad.Any)
        {
            return new Parsed([], bad);
        }

        long row = 0;
        while (await csv.ReadAsync())
        {
            ct.ThrowIfCancellationRequested();
            row++;
            string? Field(string name) => header.Contains(name) ? csv.GetField(name) : null;
            rows.Add((row, new OutletImportRow(Field("name"), Field("domain"), Field("bias"), Field("factuality"), Field("ownership"), Field("country"))));
        }

        return Check(rows, bad);
    }

    public static async Task<Parsed> ReadJsonAsync(Stream body, JsonSerializerOptions options, CancellationToken ct)
    {
        var rows = new List<(long Row, OutletImportRow Outlet)>();
        long row = 0;
        await foreach (var outlet in JsonSerializer.DeserializeAsyncEnumerable<OutletImportRow>(body, options, ct))
        {
            row++;
            rows.Add((row, outlet ?? new OutletImportRow(null, null)));
        }

        return Check(rows, new BadRows());
    }

    private static Parsed Check(List<(long Row, OutletImportRow Outlet)> rows, BadRows bad)
    {
        var outlets = new List<OutletValues>(rows.Count);
        var firstRowOfDomain = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (row, outlet) in rows)
        {
            var before = bad.Count;
            var name = outlet.Name?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                bad.Add(row, "name", outlet.Name, "A name is required.");
            }
            else if (name.Length > 200)
            {
                bad.Add(row, "name", name, "The name is longer than 200 characters.");
            }
            else if (!TextRules.IsClean(name))
            {
                bad.Add(row, "name", name, $"The name {TextRules.Message}");
            }

            string? domain = null;
            if (string.IsNullOrWhiteSpace(outlet.Domain))
            {
                bad.Add(row, "domain", outlet.Domain, "A domain is required.");
            }
            else if (!DomainName.TryNormalize(outlet.Domain, out domain))
            {
                bad.Add(row, "domain", outlet.Domain, "Not a host name with a dot (such as example.com) or an http(s) URL on one.");
            }
            else if (firstRowOfDomain.TryGetValue(domain, out var first))
            {
                bad.Add(row, "domain", outlet.Domain, $"The domain {domain} is also on row {first}; a file names each outlet once.");
            }
            else
            {
                firstRowOfDomain[domain] = row;
            }

            if (!RatingVocabulary.TryParseBias(outlet.Bias, out var bias))
            {
                bad.Add(row, "bias", outlet.Bias, "Not a bias rating NewsLens knows (see the README's vocabulary table).");
            }

            if (!RatingVocabulary.TryParseFactuality(outlet.Factuality, out var factuality))
            {
                bad.Add(row, "factuality", outlet.Factuality, "Not a factuality rating NewsLens knows (see the README's vocabulary table).");
            }

            if (!RatingVocabulary.TryParseOwnership(outlet.Ownership, out var ownership))
            {
                bad.Add(row, "ownership", outlet.Ownership, $"Not an ownership type; expected one of: {EnumText<Ownership>.AllowedList}.");
            }

            string? country = null;
            if (!string.IsNullOrWhiteSpace(outlet.Country) && !CountryCode.TryNormalize(outlet.Country, out country))
            {
                bad.Add(row, "country", outlet.Country, "Not an ISO 3166-1 alpha-2 country code (such as US or GB).");
            }

            if (bad.Count == before)
            {
                outlets.Add(new OutletValues(name!, domain!, EnumText<Bias>.Name(bias), EnumText<Factuality>.Name(factuality),
                    EnumText<Ownership>.Name(ownership), country));
            }
        }

        return new Parsed(outlets, bad);
    }
}
