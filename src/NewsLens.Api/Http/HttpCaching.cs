using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace NewsLens.Api.Http;

public sealed class HttpCachingOptions
{
    public const string Section = "HttpCaching";

    /// <summary>How long clients and shared caches may reuse a coverage answer without asking again.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 86_400)]
    public int CoverageMaxAgeSeconds { get; set; } = 30;
}

/// <summary>
/// Strong entity tags built from per-row versions ("o12v3": outlet 12, version 3), and the conditional
/// request rules of RFC 9110 that use them.
/// </summary>
public static class EntityTags
{
    public static string For(char kind, long id, long version) => $"\"{kind}{id}v{version}\"";

    /// <summary>
    /// If-None-Match (weak comparison, <c>*</c> matches anything), else If-Modified-Since at one-second
    /// resolution: true when the client's copy is current and a 304 answers the request.
    /// </summary>
    public static bool IsNotModified(HttpRequest request, string etag, DateTime? lastModified = null)
    {
        var headers = request.GetTypedHeaders();
        if (request.Headers.IfNoneMatch.Count > 0)
        {
            var tag = EntityTagHeaderValue.Parse(etag);
            return headers.IfNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(tag, useStrongComparison: false));
        }

        return lastModified is { } modified && headers.IfModifiedSince is { } since &&
            TruncateToSeconds(modified) <= since.UtcDateTime;
    }

    /// <summary>
    /// If-Match (strong comparison): null when the request has none, else whether the resource's current
    /// tag is among those listed (<c>*</c> matches any existing resource).
    /// </summary>
    public static bool? IfMatchHolds(HttpRequest request, string currentEtag)
    {
        if (request.Headers.IfMatch.Count == 0)
        {
            return null;
        }

        var tag = EntityTagHeaderValue.Parse(currentEtag);
        return request.GetTypedHeaders().IfMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(tag, useStrongComparison: true));
    }

    /// <summary>The If-Match check for a store to run on the row's current version; null when the request has no If-Match.</summary>
    public static Func<long, bool>? IfMatchCheck(HttpRequest request, char kind, long id) =>
        request.Headers.IfMatch.Count == 0 ? null : version => IfMatchHolds(request, For(kind, id, version)) == true;

    public static void SetValidators(HttpResponse response, string etag, DateTime? lastModified = null)
    {
        response.Headers.ETag = etag;
        if (lastModified is { } modified)
        {
            response.GetTypedHeaders().LastModified = new DateTimeOffset(TruncateToSeconds(modified), TimeSpan.Zero);
        }
    }

    private static DateTime TruncateToSeconds(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}

/// <summary>304: the client's copy is current. No body; the validators are already on the response.</summary>
public sealed class NotModified : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public static NotModified Instance { get; } = new();

    public int? StatusCode => StatusCodes.Status304NotModified;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
}

/// <summary>412: the If-Match condition failed because the resource changed since the client read it.</summary>
public sealed class PreconditionFailed(ProblemDetails problem) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<ProblemDetails>, IValueHttpResult
{
    public ProblemDetails Value => problem;

    object? IValueHttpResult.Value => problem;

    public int? StatusCode => StatusCodes.Status412PreconditionFailed;

    // The problem result filter writes it as application/problem+json; this is the fallback.
    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Problem(problem).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status412PreconditionFailed, typeof(ProblemDetails), ["application/problem+json"]));
}

/// <summary>Endpoint metadata: which validators and conditions an endpoint supports, for the OpenAPI document.</summary>
public sealed record HttpCachingMetadata(bool ETag, bool LastModified, bool IfMatch)
{
    /// <summary>Whether the endpoint answers If-None-Match / If-Modified-Since with 304.</summary>
    public bool Conditional { get; init; }
}

public static class HttpCachingEndpoints
{
    /// <summary>The endpoint sends ETag (and Last-Modified) and answers If-None-Match (and If-Modified-Since) with 304.</summary>
    public static RouteHandlerBuilder WithConditionalGet(this RouteHandlerBuilder builder, bool lastModified = false) =>
        builder.WithMetadata(new HttpCachingMetadata(ETag: true, LastModified: lastModified, IfMatch: false) { Conditional = true });

    /// <summary>The endpoint's success answer carries the ETag of the resource it wrote.</summary>
    public static RouteHandlerBuilder ReturnsETag(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new HttpCachingMetadata(ETag: true, LastModified: false, IfMatch: false));

    /// <summary>The endpoint honours If-Match and answers 412 when the resource changed.</summary>
    public static RouteHandlerBuilder WithIfMatch(this RouteHandlerBuilder builder, bool returnsETag = true) =>
        builder.WithMetadata(new HttpCachingMetadata(ETag: returnsETag, LastModified: false, IfMatch: true));

    /// <summary>Reads that set no caching policy of their own are revalidated on every use.</summary>
    public static IApplicationBuilder UseNoCacheByDefault(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.OnStarting(() =>
                {
                    if (!context.Response.Headers.ContainsKey(HeaderNames.CacheControl))
                    {
                        context.Response.Headers.CacheControl = "no-cache";
                    }

                    return Task.CompletedTask;
                });
            }

            return next(context);
        });
}
