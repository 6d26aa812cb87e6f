using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

/// <summary>
/// Handlers return typed results such as <c>NotFound&lt;ProblemDetails&gt;</c> so the OpenAPI document lists
/// each problem; this filter sends their problem through the problem details service, so it is written as
/// application/problem+json with the same members (traceId included) as the framework's own problems.
/// </summary>
public sealed class ProblemResultFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        return inner is IValueHttpResult { Value: ProblemDetails problem } and not (ProblemHttpResult or ValidationProblem)
            ? TypedResults.Problem(problem)
            : result;
    }
}
