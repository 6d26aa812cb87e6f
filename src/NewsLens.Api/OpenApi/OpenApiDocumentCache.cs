using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

namespace NewsLens.Api.OpenApi;

public sealed class OpenApiSettings
{
    public const string Section = "OpenApi";

    /// <summary>False removes the OpenAPI document and Swagger UI: every /swagger path answers 404.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// The OpenAPI document, built once per process on its first request and then served from memory with a strong
/// ETag. It changes only with a deploy, and building it costs about 50 ms of CPU: rebuilt per request, as
/// Swashbuckle's middleware does, it let anonymous clients slow every other answer.
/// </summary>
public sealed class OpenApiDocumentCache(IServiceProvider services)
{
    public const string Path = $"/swagger/{OpenApiSetup.DocumentName}/swagger.json";

    /// <summary>Clients may reuse the document for 5 minutes, then revalidate it with its ETag.</summary>
    public const string CacheControl = "public, max-age=300";

    private readonly Lazy<Task<Document>> document = new(() => BuildAsync(services));

    /// <summary>The serialized document and its entity tag (derived from its bytes, so every process of one build serves the same tag).</summary>
    public sealed record Document(byte[] Json, string ETag);

    public Task<Document> GetAsync() => document.Value;

    /// <summary>GET (and HEAD) of the document: 200 with the cached bytes, or 304 when the client's copy is current.</summary>
    public static async Task<IResult> ServeAsync(HttpContext http, OpenApiDocumentCache cache)
    {
        var current = await cache.GetAsync();
        http.Response.Headers.ETag = current.ETag;
        http.Response.Headers.CacheControl = CacheControl;
        return EntityTags.IsNotModified(http.Request, current.ETag)
            ? NotModified.Instance
            : TypedResults.Bytes(current.Json, "application/json; charset=utf-8");
    }

    // What Swashbuckle's middleware writes, byte for byte: the document as OpenAPI 3.0 JSON, UTF-8 without a BOM.
    private static async Task<Document> BuildAsync(IServiceProvider services)
    {
        var openApi = await services.GetRequiredService<IAsyncSwaggerProvider>().GetSwaggerAsync(OpenApiSetup.DocumentName, host: null, basePath: null);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        openApi.SerializeAs(OpenApiSpecVersion.OpenApi3_0, new OpenApiJsonWriter(text));
        var json = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString());
        return new Document(json, $"\"{Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, 16))}\"");
    }
}
