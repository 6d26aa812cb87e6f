using System.Text.Json.Serialization;
using FluentValidation;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Outlets;

/// <summary>
/// One outlet of a bulk import (a CSV record or a JSON array element). Its bias is a word of the import's rater's
/// vocabulary (for <c>newslens</c>, the default, NewsLens, AllSides or Media Bias/Fact Check words), matched ignoring
/// case and punctuation.
/// </summary>
/// <param name="Name">Required, 1–200 characters.</param>
/// <param name="Domain">Required: a host name or a URL on it; the import matches existing outlets by the normalized domain.</param>
/// <param name="Bias">For the newslens rater: far_left … far_right, AllSides (Left, Lean Left, Center, Lean Right, Right; Mixed is unrated) or MBFC (extreme-left, left, left-center, least biased, right-center, right, extreme-right). For another rater, a word of its vocabulary (for adfontes a score, also as a JSON number). Empty for unrated.</param>
/// <param name="Factuality">very_high, high, mostly_factual, mixed, low, very_low (also "very high", "mostly factual"); empty for unrated.</param>
/// <param name="Ownership">independent, media_conglomerate, billionaire, private_equity, government, corporation, telecom, other; empty for unknown.</param>
/// <param name="Country">ISO 3166-1 alpha-2 code, any case; empty for none.</param>
public sealed record OutletImportRow(string? Name, string? Domain, [property: JsonConverter(typeof(StringOrNumberConverter))] string? Bias = null, string? Factuality = null, string? Ownership = null, string? Country = null);

/// <summary>A checked outlet of an import, with its row, and the rater's own word for its bias (kept with the rating).</summary>
public readonly record struct OutletImportValues(long Row, OutletValues Outlet, string? RaterBias = null);

/// <summary>Reads an outlet import as it streams in and checks each row; nothing here needs the database.</summary>
public static class OutletImport
{
    /// <summary>The CSV header names its columns in any order and case; name and domain are required, others ignored.</summary>
    public static readonly CsvColumns Columns = new(
        ["name", "domain", "bias", "factuality", "ownership", "country"],
        header => new[] { "name", "domain" }.Where(c => !header.Contains(c))
            .Select(c => (c, $"The header has no '{c}' column (columns: name, domain, bias, factuality, ownership, country; others are ignored).")));

    public static OutletImportRow FromCsv(CsvRow row) =>
        new(row["name"], row["domain"], row["bias"], row["factuality"], row["ownership"], row["country"]);

    public static readonly OutletImportRow Empty = new(null, null);

    /// <summary>
    /// Checks rows one by one with the rules of <c>POST /v1/outlets</c> (its validator, on the row as an
    /// <see cref="OutletRequest"/>), after reading the bias in the rater's vocabulary (for <c>newslens</c>, any
    /// vocabulary's word on the left–right axis, as the outlet import always has); a domain named twice in one file is
    /// a bad row.
    /// </summary>
    public sealed class RowChecker(BadRows bad, IValidator<OutletRequest> validator, RaterRow rater)
    {
        private readonly FirstRows firstRowOfDomain = new();

        /// <summary>The outlet's stored values, or null when the row is bad (its problems are recorded).</summary>
        public OutletImportValues? Check(ImportLine<OutletImportRow> line)
        {
            var row = line.Row;
            if (line.Value is not { } outlet)
            {
                bad.Add(row, line.Field ?? "body", null, line.Error ?? "The row could not be read.");
                return null;
            }

            var before = bad.Count;
            Bias? bias;
            if (rater.Id == RatingStore.NewsLens)
            {
                if (!RaterVocabularies.TryParseOutletImportBias(outlet.Bias, out bias))
                {
                    bad.Add(row, "bias", outlet.Bias, "Not a bias rating NewsLens knows (see the rating vocabulary in docs/partners.md).");
                }
            }
            else if (!RaterVocabularies.TryParseBias(rater.ParsedVocabulary, outlet.Bias, out bias, out var error))
            {
                bad.Add(row, "bias", outlet.Bias, error);
            }

            if (!RaterVocabularies.TryParseFactuality(outlet.Factuality, out var factuality))
            {
                bad.Add(row, "factuality", outlet.Factuality, "Not a factuality rating NewsLens knows (see the rating vocabulary in docs/partners.md).");
            }

            if (!RaterVocabularies.TryParseOwnership(outlet.Ownership, out var ownership))
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

            return bad.Count == before
                ? new OutletImportValues(row, request.ToValues(), string.IsNullOrWhiteSpace(outlet.Bias) ? null : outlet.Bias.Trim())
                : null;
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
            foreach (var value in new[] { row.Outlet.Bias, row.Outlet.Factuality, row.Outlet.Ownership, row.Outlet.Country, row.RaterBias })
            {
                writer.Write(value ?? "");
            }
        }

        public OutletImportValues Read(BinaryReader reader)
        {
            var row = reader.ReadInt64();
            var (name, domain) = (reader.ReadString(), reader.ReadString());
            string? Optional() => reader.ReadString() is { Length: > 0 } text ? text : null;
            return new OutletImportValues(row, new OutletValues(name, domain, Optional(), Optional(), Optional(), Optional()), Optional());
        }
    }
}
