using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NewsLens.Api.Text;

/// <summary>
/// An outlet's domain: a DNS host name with at least one dot, lower case, without <c>www.</c>, scheme,
/// port or path. Hosts are mapped as browsers map them (UTS #46, nontransitional: full-width letters and
/// dots, upper case, compatibility forms), so two spellings of one host are one domain; international
/// names are kept in their ASCII (punycode) form.
/// </summary>
public static class DomainName
{
    private const int MaxLength = 253;

    // ICU's UTS #46 processing (the project runs with ICU, not in invariant globalization mode, for this: the
    // invariant mode's IdnMapping only encodes punycode and maps nothing, so "ｓｅｅｄ３.example" became an xn-- name).
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    // The label separators of UTS #46: full stop, full-width full stop, ideographic and half-width ideographic full stop.
    private static readonly char[] Dots = ['.', '\uFF0E', '\u3002', '\uFF61'];

    /// <summary>Normalizes a bare host or a URL: <c>https://WWW.Example.com/news?x=1</c> → <c>example.com</c>.</summary>
    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? domain)
    {
        domain = null;
        if (string.IsNullOrWhiteSpace(input) || input.Length > 2048)
        {
            return false;
        }

        var text = input.Trim();
        if (HasInvisibleCharacters(text))
        {
            return false;
        }

        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("http" or "https") ||
            uri.HostNameType != UriHostNameType.Dns ||
            !string.IsNullOrEmpty(uri.UserInfo))
        {
            return false;
        }

        return TryNormalizeHost(uri.Host, out domain);
    }

    /// <summary>
    /// Normalizes a host taken from a parsed URI, in the form it was written (<see cref="Uri.Host"/>, not
    /// <see cref="Uri.IdnHost"/>): mapped, lower case, punycode, no <c>www.</c>.
    /// </summary>
    public static bool TryNormalizeHost(string host, [NotNullWhen(true)] out string? domain)
    {
        domain = null;
        return TryMapHost(host, out var mapped) && TryDomainOf(mapped, out domain);
    }

    /// <summary>The domain of a host already mapped by <see cref="TryMapHost"/>: without <c>www.</c>, and still a host name with a dot.</summary>
    public static bool TryDomainOf(string mappedHost, [NotNullWhen(true)] out string? domain)
    {
        domain = mappedHost.StartsWith("www.", StringComparison.Ordinal) ? mappedHost[4..] : mappedHost;
        if (!IsValidHostName(domain))
        {
            domain = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// The host as a browser would look it up: UTS #46 mapped and in ASCII (<c>ＢÜＣＨＥＲ．example</c> →
    /// <c>xn--bcher-kva.example</c>), lower case, without a trailing dot. False for a name that is no valid
    /// host name or mixes scripts in a label.
    /// </summary>
    public static bool TryMapHost(string host, [NotNullWhen(true)] out string? ascii)
    {
        ascii = null;
        string mapped;
        try
        {
            // A punycode label is decoded and checked too, so "xn--" spellings of mapped characters are refused as browsers refuse them.
            mapped = Idn.GetAscii(host.TrimEnd(Dots)).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (!IsValidHostName(mapped) || MixesScripts(Idn.GetUnicode(mapped)))
        {
            return false;
        }

        ascii = mapped;
        return true;
    }

    /// <summary>RFC 1123 host name with a dot: labels of 1–63 letters, digits or hyphens, no hyphen at either end, a non-numeric top-level label.</summary>
    public static bool IsValidHostName(string host)
    {
        if (host.Length is 0 or > MaxLength)
        {
            return false;
        }

        var labels = host.Split('.');
        if (labels.Length < 2)
        {
            return false;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return !labels[^1].All(char.IsAsciiDigit);
    }

    /// <summary>
    /// Control or format characters (zero-width spaces, direction marks) in a host name: IDNA would map some
    /// of them away silently, so a name that looks like one domain would be stored as another. Refused.
    /// </summary>
    public static bool HasInvisibleCharacters(string text) =>
        text.Any(c => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format);

    /// <summary>
    /// A label that mixes Latin, Cyrillic and Greek letters ("exаmple" with a Cyrillic а) is a homograph
    /// of another name, the classic way to pass one site off as another; such names are refused.
    /// </summary>
    public static bool MixesScripts(string unicodeHost)
    {
        foreach (var label in unicodeHost.Split('.'))
        {
            bool latin = false, cyrillic = false, greek = false;
            foreach (var c in label.Where(char.IsLetter))
            {
                latin |= c < '\u0250' || c is >= '\u1E00' and <= '\u1EFF';
                cyrillic |= c is >= '\u0400' and <= '\u052F';
                greek |= c is >= '\u0370' and <= '\u03FF' or >= '\u1F00' and <= '\u1FFF';
            }

            if ((latin ? 1 : 0) + (cyrillic ? 1 : 0) + (greek ? 1 : 0) > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The domains an outlet may be registered under for a host, most specific first:
    /// <c>edition.cnn.com</c> → <c>edition.cnn.com</c>, <c>cnn.com</c>. Never a bare top-level label.
    /// </summary>
    public static IReadOnlyList<string> SelfAndParents(string domain)
    {
        var result = new List<string>();
        var current = domain;
        while (current.Contains('.'))
        {
            result.Add(current);
            current = current[(current.IndexOf('.') + 1)..];
        }

        return result;
    }
}
