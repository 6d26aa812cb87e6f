using System.Text.Json.Serialization;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Outlets;

/// <summary>An outlet as created or fully replaced. Unset ratings mean "not rated".</summary>
/// <param name="Name">Display name, 1–200 characters after trimming.</param>
/// <param name="Domain">A host name or a URL on it; stored normalized (<c>https://WWW.Example.com/x</c> → <c>example.com</c>).</param>
/// <param name="Bias">7-point bias rating; null when unrated.</param>
/// <param name="Factuality">Factuality rating; null when unrated.</param>
/// <param name="Ownership">Ownership type; null when unknown.</param>
/// <param name="Country">ISO 3166-1 alpha-2 code, any case; stored upper case.</param>
public sealed record OutletRequest(
    string Name,
    string Domain,
    Bias? Bias = null,
    Factuality? Factuality = null,
    Ownership? Ownership = null,
    string? Country = null)
{
    private (bool Done, string? Domain, string? Country) normalized;

    /// <summary>The domain normalized, or null when it is not a host name; worked out once, for the validator and the store.</summary>
    [JsonIgnore]
    public string? NormalizedDomain => Normalized().Domain;

    /// <summary>The country code normalized, or null when there is none or it is not one.</summary>
    [JsonIgnore]
    public string? NormalizedCountry => Normalized().Country;

    private (bool, string? Domain, string? Country) Normalized()
    {
        if (!normalized.Done)
        {
            normalized = (true, DomainName.TryNormalize(Domain, out var domain) ? domain : null,
                CountryCode.TryNormalize(Country, out var country) ? country : null);
        }

        return normalized;
    }

    /// <summary>The values as stored.</summary>
    public OutletValues ToValues() => new(Name, NormalizedDomain!, EnumText<Bias>.Name(Bias), EnumText<Factuality>.Name(Factuality),
        EnumText<Ownership>.Name(Ownership), NormalizedCountry);
}

/// <summary>An outlet.</summary>
/// <param name="Bias">The combined rating of the raters' ratings in force (Ratings:Combine); null when no rater rates its bias.</param>
/// <param name="Factuality">The combined factuality rating; null when no rater rates it.</param>
/// <param name="Ratings">Each rater's rating in force, in rater order (GET /v1/outlets/{id}/ratings has their history).</param>
public sealed record OutletResponse(
    long Id,
    string Name,
    string Domain,
    Bias? Bias,
    Lean? Lean,
    Factuality? Factuality,
    Ownership? Ownership,
    string? Country,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<RatingResponse> Ratings);

/// <summary>Query of <c>GET /v1/outlets</c>.</summary>
/// <param name="Lean">Only outlets whose bias falls in this lean.</param>
/// <param name="Q">Case-insensitive substring of the name or the domain.</param>
/// <param name="Limit">Page size, 1–200; 50 when omitted.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page; omit for the first page.</param>
public sealed record OutletListQuery(
    QueryValue<Lean>? Lean,
    [property: MaxLength(OutletListQueryValidator.MaxQueryLength)] string? Q,
    [property: Range(1, Paging.MaxLimit)] QueryValue<int>? Limit,
    QueryValue<PageCursor>? Cursor) : IPageQuery;

public sealed class OutletRequestValidator : AbstractValidator<OutletRequest>
{
    public OutletRequestValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200).Must(n => TextRules.IsClean(n)).WithMessage($"'name' {TextRules.Message}");
        RuleFor(x => x.Domain)
            .NotEmpty()
            .Must((x, _) => x.NormalizedDomain is not null)
            .When(x => !string.IsNullOrEmpty(x.Domain), ApplyConditionTo.CurrentValidator)
            .WithMessage("'{PropertyValue}' is not a host name with a dot (such as example.com) or an http(s) URL on one.");
        RuleFor(x => x.Country)
            .Must((x, _) => x.NormalizedCountry is not null)
            .When(x => x.Country is not null)
            .WithMessage("'{PropertyValue}' is not an ISO 3166-1 alpha-2 country code (such as US or GB).");
    }
}

public sealed class OutletListQueryValidator : PageQueryValidator<OutletListQuery>
{
    public const int MaxQueryLength = 200;

    public OutletListQueryValidator(CursorProtector cursors) : base(cursors, OutletStore.ListName, OutletStore.ListKeyParts)
    {
    }
}
