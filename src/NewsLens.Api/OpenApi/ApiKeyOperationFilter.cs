using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

/// <summary>
/// Writes and admin operations require the API key; reads accept one (optional unless the deployment sets
/// Auth:RequireKeyForReads). A key without the operation's scope is refused (403). Every /v1 operation can be
/// rate limited (429).
/// </summary>
internal sealed class ApiKeyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var policy = context.ApiDescription.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>().Select(a => a.Policy).FirstOrDefault();
        if (policy is null)
        {
            return;
        }

        var key = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeys.Scheme, context.Document)] = [] };
        var read = policy == ApiKeys.ReadPolicy;
        operation.Security = read ? [new OpenApiSecurityRequirement(), key] : [key];
        operation.Responses ??= [];
        var problem = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
        operation.Responses.TryAdd("401", new OpenApiResponse
        {
            Description = read
                ? "The X-Api-Key header holds an unknown key, or none was sent where reads need one."
                : "The X-Api-Key header is missing or holds an unknown key.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["WWW-Authenticate"] = new OpenApiHeader { Description = "ApiKey header=\"X-Api-Key\"", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
        });
        operation.Responses.TryAdd("403", new OpenApiResponse
        {
            Description = $"The API key is valid but lacks the '{policy}' scope this operation needs.",
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
        });
        operation.Responses.TryAdd("429", new OpenApiResponse
        {
            Description = "Rate limited: too many requests from this key (or address); retry after the Retry-After seconds.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            },
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
        });
    }
}
