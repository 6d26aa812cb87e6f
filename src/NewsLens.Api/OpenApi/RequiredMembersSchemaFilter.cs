using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

/// <summary>
/// Responses always carry every member (null where unset), so all are required. Requests require
/// exactly their non-nullable members.
/// </summary>
internal sealed class RequiredMembersSchemaFilter : ISchemaFilter
{
    private static readonly NullabilityInfoContext Nullability = new();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete || concrete.Properties is not { Count: > 0 })
        {
            return;
        }

        if (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.Type) &&
            concrete.Properties.TryGetValue("detail", out var detail) && detail is OpenApiSchema detailSchema)
        {
            // Kiota turns this member into the exception message of generated clients.
            detailSchema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            detailSchema.Extensions["x-ms-primary-error-message"] = new JsonNodeExtension(JsonValue.Create(true));
        }

        if (context.Type.Assembly != typeof(OpenApiSetup).Assembly)
        {
            return;
        }

        var isRequest = context.Type.Name.EndsWith("Request", StringComparison.Ordinal) || context.Type.Name.EndsWith("ImportRow", StringComparison.Ordinal);
        if (isRequest)
        {
            // Unknown members of a request are ignored, not refused, so clients may send newer fields.
            concrete.AdditionalPropertiesAllowed = true;
        }

        concrete.Required ??= new HashSet<string>();
        foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!concrete.Properties.ContainsKey(name))
            {
                continue;
            }

            var nullable = Nullability.Create(property).ReadState == NullabilityState.Nullable;
            var omittedWhenNull = property.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull;
            if (omittedWhenNull)
            {
                // Present only when asked for, and then never null.
                concrete.Properties[name] = WithoutNull(concrete.Properties[name]);
                continue;
            }

            if (!isRequest || !nullable)
            {
                concrete.Required.Add(name);
            }

            // OpenAPI 3.0.3: "nullable" does not add null to an enum's values; list it explicitly.
            if (nullable && concrete.Properties[name] is OpenApiSchema { Enum: { Count: > 0 } values } && !values.Any(v => v is null))
            {
                values.Add(null!);
            }
        }
    }

    private static IOpenApiSchema WithoutNull(IOpenApiSchema schema)
    {
        if (schema is OpenApiSchema { AllOf: [var single] } wrapper && wrapper.Properties is not { Count: > 0 })
        {
            return single;
        }

        if (schema is OpenApiSchema concrete && concrete.Type is { } type)
        {
            concrete.Type = type & ~JsonSchemaType.Null;
        }

        return schema;
    }
}
