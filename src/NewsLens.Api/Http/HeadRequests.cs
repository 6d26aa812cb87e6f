using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace NewsLens.Api.Http;

/// <summary>
/// HEAD wherever GET is answered (RFC 9110 §9.3.2): the same handler runs and sets the same status and headers,
/// and the server sends no body. HEAD operations stay out of the OpenAPI document, which describes the GETs.
/// </summary>
public static class HeadRequests
{
    /// <summary>Adds HEAD to the methods of every GET endpoint the builder (a route group, or one endpoint) holds.</summary>
    public static TBuilder AnswerHeadLikeGet<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            // Routing reads the last HttpMethodMetadata, so the one added here replaces the endpoint's own.
            if (endpoint.Metadata.OfType<HttpMethodMetadata>().LastOrDefault() is { } methods &&
                methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
            {
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head], methods.AcceptCorsPreflight));
            }
        });
        return builder;
    }

    /// <summary>
    /// A HEAD answer's body is dropped here rather than left to the server: Kestrel drops it, but not every server
    /// does (TestServer sends it). Placed before response compression, so HEAD carries GET's Content-Encoding too.
    /// </summary>
    public static IApplicationBuilder UseNoBodyForHead(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                var server = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
                context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, server));
            }

            return next(context);
        });

    /// <summary>For the OpenAPI document: a HEAD operation would repeat its GET under the same operationId.</summary>
    public static bool IsHead(ApiDescription description) => HttpMethods.IsHead(description.HttpMethod ?? "");
}
