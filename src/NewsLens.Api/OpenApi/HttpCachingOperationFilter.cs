using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

/// <summary>Documents ETag, Last-Modified and Cache-Control on answers, and If-None-Match, If-Modified-Since and If-Match on requests.</summary>
internal sealed class HttpCachingOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<HttpCachingMetadata>().FirstOrDefault() is not { } caching)
        {
            return;
        }

        operation.Parameters ??= [];
        if (caching.Conditional)
        {
            operation.Parameters.Add(Header("If-None-Match", "ETags of copies the client holds; when one is current the answer is 304 with no body."));
            if (caching.LastModified)
            {
                operation.Parameters.Add(Header("If-Modified-Since", "Answered with 304 when nothing changed since this time (ignored when If-None-Match is sent)."));
            }
        }

        if (caching.IfMatch)
        {
            operation.Parameters.Add(Header("If-Match", "The ETag the client last read; when the resource has changed since, the write is refused with 412 and nothing changes."));
        }

        foreach (var (code, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse concrete || !(code.StartsWith('2') || code == "304"))
            {
                continue;
            }

            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (caching.ETag && code != "204")
            {
                concrete.Headers["ETag"] = ResponseHeader("Strong entity tag of the representation, derived from the resource's version.");
            }

            if (caching.LastModified)
            {
                concrete.Headers["Last-Modified"] = ResponseHeader("When the story last changed, to the second.");
                concrete.Headers["Cache-Control"] = ResponseHeader("public, max-age=N (HttpCaching:CoverageMaxAgeSeconds, 30 by default); private instead of public where reads need an API key.");
            }
        }
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiHeader ResponseHeader(string description) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
