using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

/// <summary>
/// Problems are served as application/problem+json. Operations that read a body can also answer
/// 413 and 415.
/// </summary>
internal sealed class ProblemResponsesOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= [];
        if (operation.RequestBody is not null)
        {
            var limit = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<LargeBodyMetadata>().FirstOrDefault()?.Bytes;
            AddProblem(operation, context, "413", limit is { } bytes
                ? $"The request body is larger than the endpoint accepts ({RequestLimits.Describe(bytes)})."
                : "The request body is larger than the endpoint accepts (1 MiB; imports 100 MiB by default).");
            AddProblem(operation, context, "415", "The request body is not of a media type the endpoint accepts.");
        }

        AddProblem(operation, context, "500", "An unexpected server error; the problem's traceId identifies it in the server's logs.");
        // Writes; a POST that only reads (its authorization policy is the read one) never meets a database that refuses writes.
        var reads = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Any(a => a.Policy == ApiKeys.ReadPolicy);
        if (context.ApiDescription.HttpMethod is "POST" or "PUT" or "DELETE" && !reads)
        {
            AddProblem(operation, context, "503", "The database cannot take writes right now (busy past the timeout, read-only or full); nothing was changed. Retry after Retry-After seconds.");
        }

        if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse createdResponse)
        {
            createdResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            createdResponse.Headers["Location"] = new OpenApiHeader
            {
                Description = "The path of the created resource.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        // Text formats that the JSON schema of the rows cannot describe.
        if (operation.RequestBody is OpenApiRequestBody { Content: { } bodies })
        {
            if (bodies.ContainsKey(ImportEndpoints.Csv))
            {
                bodies[ImportEndpoints.Csv] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "CSV (RFC 4180, UTF-8, optional BOM) whose header names the columns; unknown columns are ignored." },
                };
            }

            if (bodies.ContainsKey(ImportEndpoints.NdJson))
            {
                bodies[ImportEndpoints.NdJson] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Newline-delimited JSON: one row object (the application/json element schema) per line." },
                };
            }
        }

        // A description the endpoint's result type states (Swashbuckle writes only the reason phrase).
        foreach (var produces in context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>())
        {
            if (produces.Description is { } stated && operation.Responses.TryGetValue(produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var described) &&
                described is OpenApiResponse describedResponse)
            {
                describedResponse.Description = stated;
            }
        }

        foreach (var (code, response) in operation.Responses)
        {
            if (code[0] is '4' or '5' && response is OpenApiResponse concrete && concrete.Content is { Count: > 0 } content)
            {
                var schema = content.Values.First().Schema;
                content.Clear();
                content["application/problem+json"] = new OpenApiMediaType { Schema = schema };
            }
        }
    }

    private static void AddProblem(OpenApiOperation operation, OperationFilterContext context, string code, string description)
    {
        var schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
        operation.Responses!.TryAdd(code, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
        });
    }
}
