using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;

namespace NewsLens.Api.Http;

/// <summary>
/// 200 with an SVG document that is safe to embed anywhere: <c>image/svg+xml</c>, a Content-Security-Policy that lets
/// it load nothing and run nothing (its colours are presentation attributes, not style), and no sniffing.
/// </summary>
public sealed class SvgImage(string document) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string MediaType = "image/svg+xml";

    public const string ContentSecurityPolicy = "default-src 'none'";

    public string Document => document;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => MediaType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var bytes = Encoding.UTF8.GetBytes(document);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType;
        response.ContentLength = bytes.Length;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        return response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [MediaType]));
}
