using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace NewsLens.Api.Http;

/// <summary>
/// The problem for an exception: a body the framework could not read (malformed JSON, a wrong JSON type, a missing
/// body, a wrong media type, an oversized body) names the field; a storage fault is a 503 with Retry-After and a log
/// line naming the fault; anything else is a 500 that says nothing about the server's insides.
/// </summary>
public sealed class ApiExceptionHandler(StorageHealth storage, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            logger.LogDebug(exception, "Rejected a request whose body could not be read");
            await WriteUnreadableAsync(httpContext, badRequest);
        }
        else if (StorageFaults.Classify(exception) is { } fault)
        {
            // Nothing was written: the transaction rolled back, or never began.
            if (fault == StorageFault.Corrupt)
            {
                storage.CorruptionSeen($"a request to {httpContext.Request.Path} found a damaged page");
            }

            logger.Log(fault == StorageFault.Corrupt ? LogLevel.Error : LogLevel.Warning, "Storage fault while serving {Method} {Path}: {Fault} ({Message})",
                httpContext.Request.Method, httpContext.Request.Path.Value, StorageFaults.LogName(fault), exception.Message);
            httpContext.Response.Headers.RetryAfter = StorageFaults.RetryAfterSeconds(fault).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var isRead = HttpMethods.IsGet(httpContext.Request.Method) || HttpMethods.IsHead(httpContext.Request.Method) ||
                httpContext.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy == ApiKeys.ReadPolicy;
            await ApiProblems.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, StorageFaults.Detail(fault, isRead), exception: exception);
        }
        else
        {
            logger.LogError(exception, "Unhandled exception while serving {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path.Value);
            await ApiProblems.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, ApiProblems.DefaultDetail(httpContext, 500), exception: exception);
        }

        return true;
    }

    private static Task WriteUnreadableAsync(HttpContext context, BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            var field = FieldFromJsonPath(json.Path);
            var message = json is JsonValueException ? json.Message
                : field == "body" ? "The request body is not a well-formed JSON object."
                : "The value is malformed or has the wrong JSON type.";
            return Invalid(context, field, message);
        }

        // The only other way the framework fails to read a JSON body is finding none (or a JSON null) where one is required.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        var readsJson = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true;
        return exception.StatusCode == StatusCodes.Status400BadRequest && readsJson
            ? Invalid(context, "body", "A JSON request body is required.")
            : ApiProblems.WriteAsync(context, exception.StatusCode, exception.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
                StatusCodes.Status415UnsupportedMediaType => "The request body must be sent as application/json.",
                _ => "The request could not be read.",
            });
    }

    private static Task Invalid(HttpContext context, string field, string message) =>
        ApiProblems.WriteAsync(context, StatusCodes.Status400BadRequest, $"The request body or query is invalid at '{field}': {message}",
            new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>"$.items[2].name" → "items[2].name"; the document root is reported as "body".</summary>
    internal static string FieldFromJsonPath(string? path) =>
        path is null or "$" or "" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
