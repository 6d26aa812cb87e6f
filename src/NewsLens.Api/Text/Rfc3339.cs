using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace NewsLens.Api.Text;

/// <summary>RFC 3339 timestamps with an explicit offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
public static partial class Rfc3339
{
    public const string Example = "2025-06-01T12:30:00Z";

    /// <summary>What a value that does not parse is told.</summary>
    public const string Expected = "Expected an RFC 3339 timestamp with an offset, such as 2025-06-01T12:30:00Z or 2025-06-01T14:30:00+02:00.";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTime();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex FullDate();

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is { Length: <= 40 } && DateTime().IsMatch(text) &&
            DateTimeOffset.TryParse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>A date-time as <see cref="TryParse"/>, or a full date (<c>2025-06-01</c>), read as midnight UTC.</summary>
    public static bool TryParseDateOrDateTime(string? text, out DateTimeOffset value)
    {
        value = default;
        return TryParse(text, out value) ||
            (text is not null && FullDate().IsMatch(text) &&
             DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value));
    }
}
