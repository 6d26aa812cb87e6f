using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace NewsLens.Api.Http;

/// <summary>
/// Problem details (RFC 9457). Handlers return them as typed results; middleware and framework hooks write them
/// with <see cref="WriteAsync"/>; either way they pass through the problem details service, whose
/// <see cref="Complete"/> callback gives every problem the same members: type, title, detail and traceId.
/// </summary>
public static class ApiProblems
{
    public static NotFound<ProblemDetails> NotFound(string detail) =>
        TypedResults.NotFound(Create(StatusCodes.Status404NotFound, detail));

    public static Conflict<ProblemDetails> Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Conflict(Create(StatusCodes.Status409Conflict, detail, extensions));

    public static PreconditionFailed PreconditionFailed(string detail) =>
        new(Create(StatusCodes.Status412PreconditionFailed, detail));

    /// <summary>A 400 with <c>errors</c> keyed by camelCase field name, for failures found after binding.</summary>
    public static ValidationProblem Validation(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);

    public static ProblemDetails Create(int status, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    /// <summary>Answers the request with a problem: the one way middleware and framework hooks write one.</summary>
    public static Task WriteAsync(HttpContext context, int status, string detail, IDictionary<string, string[]>? errors = null,
        IDictionary<string, object?>? extensions = null, Exception? exception = null)
    {
        context.Response.StatusCode = status;
        var problem = errors is null
            ? Create(status, detail, extensions)
            : new HttpValidationProblemDetails(errors) { Status = status, Detail = detail };
        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception }).AsTask();
    }

    /// <summary>A plain-words <c>detail</c> for problems the framework raises without one.</summary>
    public static string DefaultDetail(HttpContext context, int status) => status switch
    {
        400 => "The request is malformed.",
        404 => $"Nothing is found at {context.Request.Path}.",
        405 => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
        406 => "The requested media type cannot be produced; this API answers in application/json.",
        413 => $"The request body is larger than the {RequestLimits.Describe(RequestLimits.For(context))} this endpoint accepts.",
        415 => "The request body's media type is not one this endpoint accepts (see its documented request body).",
        _ when status >= 500 => "An unexpected error occurred. Quote the traceId when reporting it.",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };

    /// <summary>The framework names the type and title of most statuses; these three it leaves blank.</summary>
    private static readonly Dictionary<int, string> TypesTheFrameworkLacks = new()
    {
        [StatusCodes.Status413PayloadTooLarge] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [StatusCodes.Status429TooManyRequests] = "https://tools.ietf.org/html/rfc6585#section-4",
        [StatusCodes.Status507InsufficientStorage] = "https://tools.ietf.org/html/rfc4918#section-11.5",
    };

    /// <summary>Fills in what every problem must carry (the problem details service's customization callback).</summary>
    public static void Complete(ProblemDetails problem, HttpContext context)
    {
        var status = problem.Status ?? context.Response.StatusCode;
        problem.Status = status;
        problem.Type ??= TypesTheFrameworkLacks.GetValueOrDefault(status);
        problem.Title ??= status == StatusCodes.Status413PayloadTooLarge ? "Content Too Large" : ReasonPhrases.GetReasonPhrase(status);
        problem.Detail ??= problem is HttpValidationProblemDetails ? "One or more fields are invalid; see errors." : DefaultDetail(context, status);
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.TraceIdentifier);
    }
}
