using System.Diagnostics.CodeAnalysis;

namespace NewsLens.Api.Text;

/// <summary>
/// The canonical form of an article's URL, so the same article reached through tracking links is stored
/// once: absolute http(s), lower-case scheme, the host as browsers map it (<see cref="DomainName.TryMapHost"/>),
/// no default port, no fragment, no user info and no <c>utm_*</c> query parameters. Path and the remaining
/// query keep their case and order.
/// </summary>
/// <summary>An article URL in canonical form, with the host its outlet is found from; a query value of its own.</summary>
public sealed record CanonicalUrl(string Url, string Host) : Http.IQueryParsable<CanonicalUrl>
{
    public const string Invalid = "The URL must be an absolute http or https URL on a host name.";

    public static bool TryParse(string text, [NotNullWhen(true)] out CanonicalUrl? value, out string error)
    {
        var parsed = ArticleUrl.TryCanonicalize(text, out var url, out var host);
        value = parsed ? new CanonicalUrl(url!, host!) : null;
        error = parsed ? "" : Invalid;
        return parsed;
    }
}

public static class ArticleUrl
{
    public const int MaxLength = 2048;

    public static bool TryCanonicalize(string? input, [NotNullWhen(true)] out string? canonical, [NotNullWhen(true)] out string? domain)
    {
        canonical = null;
        domain = null;
        if (string.IsNullOrWhiteSpace(input) || input.Length > MaxLength || DomainName.HasInvisibleCharacters(input.Trim()) ||
            !Uri.TryCreate(input.Trim(), UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("http" or "https") ||
            uri.HostNameType != UriHostNameType.Dns ||
            !DomainName.TryMapHost(uri.Host, out var host) ||
            !DomainName.TryDomainOf(host, out domain))
        {
            return false;
        }

        var port = uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var query = string.Join('&', uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !IsTrackingParameter(p)));
        canonical = $"{uri.Scheme}://{host}{port}{uri.AbsolutePath}{(query.Length > 0 ? "?" + query : "")}";
        return canonical.Length <= MaxLength;
    }

    private static bool IsTrackingParameter(string pair)
    {
        var name = pair.Split('=', 2)[0];
        return Uri.UnescapeDataString(name).StartsWith("utm_", StringComparison.OrdinalIgnoreCase);
    }
}
