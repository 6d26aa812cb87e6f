using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Infrastructure;

/// <summary>
/// Runs the FluentValidation validator registered for any endpoint argument (request bodies and
/// <c>[AsParameters]</c> query objects) and answers 400 with <c>errors</c> before the handler runs.
/// Attached once, on the <c>/v1</c> group.
/// </summary>
public static class ValidationFilter
{
    public static EndpointFilterDelegate Factory(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var services = context.ApplicationServices;
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        // Validators (singletons) are built on the first request that needs them, not while the endpoints are
        // built at start: building them all compiles their rule expressions, a sixth of the start-up time.
        var validated = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (index, type: typeof(IValidator<>).MakeGenericType(parameter.ParameterType)))
            .Where(p => registered.IsService(p.type))
            .Select(p => (p.index, validator: new Lazy<IValidator>(() => (IValidator)services.GetRequiredService(p.type))))
            .ToArray();

        if (validated.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            foreach (var (index, validator) in validated)
            {
                if (invocation.Arguments[index] is not { } argument)
                {
                    continue;
                }

                var result = await validator.Value.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                if (!result.IsValid)
                {
                    return TypedResults.ValidationProblem(result.ToDictionary(), detail: "One or more fields are invalid; see errors.");
                }
            }

            return await next(invocation);
        };
    }
}

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

public sealed class ImportSettings
{
    public const string Section = "Imports";

    /// <summary>The largest body a bulk import accepts; other endpoints take at most 1 MiB.</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// The longest row (an NDJSON line, a CSV record, a JSON array element) an import reads; a longer one is a bad
    /// row, skipped while it streams in without being held in memory.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 16 * 1024 * 1024)]
    public int MaxRowBytes { get; set; } = 64 * 1024;

    /// <summary>Where an import larger than one window keeps its checked rows until it writes them; the system's temporary folder when empty.</summary>
    public string? SpoolDirectory { get; set; }
}

/// <summary>Marks an endpoint that takes bodies up to <see cref="ImportSettings.MaxBodyBytes"/>.</summary>
public sealed class LargeBodyMetadata;

public static class RequestLimits
{
    /// <summary>The largest request body the v1 endpoints read (1 MiB), bulk imports aside.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>The body limit of the endpoint the request was routed to.</summary>
    public static long For(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<LargeBodyMetadata>() is null
            ? MaxBodyBytes
            : context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportSettings>>().Value.MaxBodyBytes;

    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / 1024 / 1024} MiB" : $"{bytes:N0} bytes";

    public static RouteHandlerBuilder AcceptsLargeBodies(this RouteHandlerBuilder builder) => builder.WithMetadata(new LargeBodyMetadata());

    /// <summary>
    /// Rejects a declared body over the endpoint's limit before anything reads it, and sets the same
    /// limit on the server, which enforces it for bodies of unknown length (chunked) as a 413 while reading.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var limit = For(context);
            if (context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                var problem = ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, ApiProblems.DefaultDetail(context, 413));
                await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
                return;
            }

            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            await next(context);
        });
}

public static class QueryRules
{
    /// <summary>
    /// A query parameter given twice (<c>?limit=1&amp;limit=500</c>) is refused rather than silently resolved:
    /// lists take each parameter once, and a list of ids is one comma-separated value.
    /// </summary>
    public static IApplicationBuilder UseSingleValuedQueryParameters(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var repeated = context.Request.Query.Where(p => p.Value.Count > 1).Select(p => p.Key).ToList();
            if (repeated.Count > 0 && context.Request.Path.StartsWithSegments("/v1"))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                var problem = new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(
                    repeated.ToDictionary(key => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(key), key => new[] { $"'{key}' is given more than once; give it once." }))
                {
                    Status = StatusCodes.Status400BadRequest,
                    Detail = "A query parameter is given more than once.",
                };
                await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
                return;
            }

            await next(context);
        });
}

public static class MediaTypes
{
    /// <summary>
    /// A body must be sent as one of the media types its endpoint declares, exactly: the framework would
    /// also read any "+json" type as JSON (application/json-patch+json, application/merge-patch+json), but
    /// those mean a patch, not a full document, so they are a 415 rather than misread.
    /// </summary>
    public static IApplicationBuilder UseDeclaredMediaTypes(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var accepts = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>();
            var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
            if (accepts is { ContentTypes.Count: > 0 } && mediaType is not null &&
                !accepts.ContentTypes.Any(t => string.Equals(t, mediaType, StringComparison.OrdinalIgnoreCase)))
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                var problem = ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType,
                    $"Send the body as {string.Join(" or ", accepts.ContentTypes)}, not {mediaType}.");
                await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
                return;
            }

            await next(context);
        });
}
