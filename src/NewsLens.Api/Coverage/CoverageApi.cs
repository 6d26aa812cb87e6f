using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Stories;

namespace NewsLens.Api.Coverage;

public sealed class CoverageOptions
{
    public const string Section = "Coverage";

    public BlindspotOptions Blindspot { get; set; } = new();
}

/// <summary>Query of the coverage endpoint.</summary>
/// <param name="Id">The story.</param>
/// <param name="Basis">What one unit is: a distinct outlet (<c>sources</c>, the default) or a linked article (<c>articles</c>).</param>
public sealed record CoverageQuery(long Id, [property: OpenApiEnum(typeof(CoverageBasis))] string? Basis);

public sealed class CoverageQueryValidator : AbstractValidator<CoverageQuery>
{
    public CoverageQueryValidator()
    {
        RuleFor(x => x.Basis).Must(EnumText<CoverageBasis>.IsName).When(x => x.Basis is not null)
            .WithMessage($"'{{PropertyValue}}' is not a basis; expected one of: {EnumText<CoverageBasis>.AllowedList}.");
    }
}

public static class CoverageApi
{
    public static RouteGroupBuilder MapCoverage(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stories").WithTags("Coverage");

        group.MapGet("/{id:long}/coverage", GetStoryCoverage)
            .WithName("getStoryCoverage")
            .WithSummary("Get a story's coverage")
            .WithDescription("How many sources covered the story and how they lean, with factuality and ownership breakdowns and the blindspot flag. " +
                "The rules (units, rounding, ties, labels, thresholds) are stated in the README's \"Coverage semantics\".");

        return group;
    }

    public static async Task<Results<Ok<StoryCoverage>, ValidationProblem, NotFound<ProblemDetails>>> GetStoryCoverage(
        [AsParameters] CoverageQuery query, CoverageStore store, IOptions<CoverageOptions> options, CancellationToken ct)
    {
        var basis = EnumText<CoverageBasis>.TryParse(query.Basis, out var parsed) ? parsed : CoverageBasis.Sources;
        var groups = await store.GetGroupsAsync(query.Id, ct);
        return groups is null
            ? StoriesApi.StoryNotFound(query.Id)
            : TypedResults.Ok(CoverageReport.Build(query.Id, basis, groups, options.Value.Blindspot));
    }
}
