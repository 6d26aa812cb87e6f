using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

/// <summary>
/// Documents a <see cref="QueryValue{T}"/> parameter as what it parses to, with the bounds its property states: an
/// enum as its snake_case names, a set or a story id list as a comma-separated array (an id list is required).
/// </summary>
internal sealed class QueryValueParameterFilter(System.Xml.XPath.XPathDocument documentation) : IParameterFilter
{
    private readonly XmlCommentsParameterFilter xmlComments = new(
        documentation.CreateNavigator().Select("/doc/members/member").Cast<System.Xml.XPath.XPathNavigator>()
            .ToDictionary(member => member.GetAttribute("name", ""), member => member.Clone()),
        new SwaggerGeneratorOptions());

    public static IEnumerable<Type> TypesInUse() => typeof(QueryValueParameterFilter).Assembly.GetTypes()
        .SelectMany(t => t.GetProperties().Select(p => p.PropertyType)
            .Concat(t.GetMethods(BindingFlags.Public | BindingFlags.Static).SelectMany(m => m.GetParameters().Select(p => p.ParameterType))))
        .Select(t => Nullable.GetUnderlyingType(t) ?? t)
        .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(QueryValue<>))
        .Distinct();

    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        var type = context.ApiParameterDescription.Type is { } declared ? Nullable.GetUnderlyingType(declared) ?? declared : null;
        if (parameter is not OpenApiParameter concrete || type is not { IsGenericType: true } || type.GetGenericTypeDefinition() != typeof(QueryValue<>))
        {
            return;
        }

        var parsesTo = type.GetGenericArguments()[0];
        // Swashbuckle finds the property of an [AsParameters] member only for simple types; its description and bounds are on it.
        var metadata = context.ApiParameterDescription.ModelMetadata;
        var property = context.PropertyInfo ?? (metadata is { ContainerType: { } container, PropertyName: { } name } ? container.GetProperty(name) : null);
        if (property is not null && context.PropertyInfo is null)
        {
            xmlComments.Apply(parameter, new ParameterFilterContext(context.ApiParameterDescription, context.SchemaGenerator, context.SchemaRepository,
                context.Document, property, context.ParameterInfo));
        }

        if (parsesTo == typeof(Coverage.StoryIdList))
        {
            (concrete.Required, concrete.Style, concrete.Explode) = (true, ParameterStyle.Form, false);
            concrete.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                MinItems = 1,
                Items = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1" },
            };
        }
        else if (parsesTo.IsGenericType && parsesTo.GetGenericTypeDefinition() == typeof(IReadOnlySet<>))
        {
            concrete.Explode = false;
            concrete.Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = EnumSchema(parsesTo.GetGenericArguments()[0]) };
        }
        else if (parsesTo.IsEnum)
        {
            concrete.Schema = EnumSchema(parsesTo);
        }
        else if (parsesTo.IsPrimitive || parsesTo == typeof(DateTimeOffset))
        {
            // Generated for the property, so that its [Range] applies; the description belongs to the parameter.
            concrete.Schema = context.SchemaGenerator.GenerateSchema(parsesTo, context.SchemaRepository, property, context.ParameterInfo);
            if (concrete.Schema is OpenApiSchema generated)
            {
                generated.Description = null;
            }
        }
        else
        {
            concrete.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MaxLength = property?.GetCustomAttribute<System.ComponentModel.DataAnnotations.MaxLengthAttribute>()?.Length,
            };
        }
    }

    private static OpenApiSchema EnumSchema(Type enumType)
    {
        var names = (IEnumerable<string>)typeof(EnumText<>).MakeGenericType(enumType).GetProperty(nameof(EnumText<Lean>.Names))!.GetValue(null)!;
        return new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))] };
    }
}
