using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

/// <summary>
/// Turns the framework's request-reading failures (malformed JSON, a wrong JSON type, a query value
/// that does not parse, a wrong content type, an oversized body) into problems that name the field.
/// Anything else is a 500 that says nothing about the server's insides.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^ "]+) (?<name>[^"]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException badRequest)
        {
            problem = Describe(badRequest);
            logger.LogDebug(exception, "Rejected a malformed request: {Detail}", problem.Detail);
        }
        else if (StorageFaults.Classify(exception) is { } fault)
        {
            // Nothing was written: the transaction rolled back, or never began.
            var isRead = HttpMethods.IsGet(httpContext.Request.Method) || HttpMethods.IsHead(httpContext.Request.Method);
            if (fault == StorageFault.Corrupt)
            {
                httpContext.RequestServices.GetRequiredService<StorageHealth>().CorruptionSeen($"a request to {httpContext.Request.Path} found a damaged page");
                logger.LogError("Storage fault while serving {Method} {Path}: {Fault} (SQLite error {Code}: {Message})",
                    httpContext.Request.Method, httpContext.Request.Path.Value, StorageFaults.LogName(fault), (exception as Microsoft.Data.Sqlite.SqliteException)?.SqliteErrorCode, exception.Message);
            }
            else
            {
                logger.LogWarning("Storage fault while serving {Method} {Path}: {Fault} ({Message})",
                    httpContext.Request.Method, httpContext.Request.Path.Value, StorageFaults.LogName(fault), exception.Message);
            }

            httpContext.Response.Headers.RetryAfter = StorageFaults.RetryAfterSeconds(fault).ToString(System.Globalization.CultureInfo.InvariantCulture);
            problem = ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, StorageFaults.Detail(fault, isRead));
        }
        else
        {
            logger.LogError(exception, "Unhandled exception while serving {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = ApiProblems.Create(StatusCodes.Status500InternalServerError, ApiProblems.DefaultDetail(httpContext, 500));
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Describe(BadHttpRequestException exception)
    {
        var status = exception.StatusCode;
        if (exception.InnerException is JsonException json)
        {
            var field = FieldFromJsonPath(json.Path);
            var message = json is JsonValueException ? json.Message
                : field == "body" ? "The request body is not a well-formed JSON object."
                : "The value is malformed or has the wrong JSON type.";
            return Validation(field, message);
        }

        var bind = BindFailure().Match(exception.Message);
        if (status == StatusCodes.Status400BadRequest && bind.Success)
        {
            var expected = bind.Groups["type"].Value.TrimEnd('?') switch
            {
                "int" or "long" or "Int32" or "Int64" => "a whole number",
                "bool" or "Boolean" => "true or false",
                _ => "a value of the documented type",
            };
            return Validation(JsonNamingPolicy.CamelCase.ConvertName(bind.Groups["name"].Value), $"'{Shorten(bind.Groups["value"].Value)}' is not {expected}.");
        }

        if (status == StatusCodes.Status400BadRequest &&
            (exception.Message.StartsWith("Required parameter", StringComparison.Ordinal) || exception.Message.Contains("no body was provided", StringComparison.Ordinal)))
        {
            return Validation("body", "A JSON request body is required.");
        }

        return ApiProblems.Create(status, status switch
        {
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
            StatusCodes.Status415UnsupportedMediaType => "The request body must be sent as application/json.",
            _ => $"The request could not be read: {exception.Message}",
        });
    }

    private static HttpValidationProblemDetails Validation(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Type = ApiProblems.TypeFor(400),
            Title = ApiProblems.TitleFor(400),
            Detail = $"The request body or query is invalid at '{field}': {message}",
        };

    /// <summary>"$.items[2].name" → "items[2].name"; the document root is reported as "body".</summary>
    internal static string FieldFromJsonPath(string? path) =>
        path is null or "$" or "" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Shorten(string text) => text.Length > 50 ? text[..50] + "…" : text;
}
