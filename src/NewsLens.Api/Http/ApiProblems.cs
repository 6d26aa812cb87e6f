using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

/// <summary>
/// Problem details (RFC 9457) the endpoints return. The <c>type</c> for each status is the same one
/// ASP.NET Core uses for the problems it writes itself, so every 404 carries the same type whoever wrote it.
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
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypeFor(status),
            Title = TitleFor(status),
            Detail = detail,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return problem;
    }

    public static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        507 => "https://tools.ietf.org/html/rfc4918#section-11.5",
        _ when status >= 500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        _ => "about:blank",
    };

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        507 => "Insufficient Storage",
        _ when status >= 500 => "An error occurred while processing your request.",
        _ => "Error",
    };

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
        _ => TitleFor(status),
    };

    public static string TraceId(HttpContext context) => Activity.Current?.Id ?? context.TraceIdentifier;

    /// <summary>Fills in what every problem must carry: type, title, detail and traceId.</summary>
    public static void Complete(ProblemDetails problem, HttpContext context)
    {
        var status = problem.Status ?? context.Response.StatusCode;
        problem.Status = status;
        problem.Type ??= TypeFor(status);
        problem.Title ??= TitleFor(status);
        problem.Detail ??= problem is HttpValidationProblemDetails ? "One or more fields are invalid; see errors." : DefaultDetail(context, status);
        problem.Extensions.TryAdd("traceId", TraceId(context));
    }
}
