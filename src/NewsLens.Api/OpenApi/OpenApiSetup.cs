using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    public static WebApplicationBuilder AddNewsLensOpenApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OpenApiSettings>().BindConfiguration(OpenApiSettings.Section);
        services.AddSingleton<OpenApiDocumentCache>();
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "NewsLens API",
                Version = "v1",
                Description = "News outlets with bias, factuality and ownership ratings; stories, articles and their links; " +
                    "and exact per-story coverage (bias distribution, factuality, ownership, blindspot). " +
                    "Errors are application/problem+json (RFC 9457). The coverage rules are stated in docs/api.md (Coverage semantics).",
                Contact = new OpenApiContact { Name = "NewsLens API team" },
            });
            options.DocInclusionPredicate((document, description) =>
                (description.GroupName is null || description.GroupName == document) && !HeadRequests.IsHead(description));
            options.DocumentFilter<TagDescriptionsDocumentFilter>();
            options.IncludeXmlComments(typeof(OpenApiSetup).Assembly);
            options.DescribeAllParametersInCamelCase();
            options.SupportNonNullableReferenceTypes();
            options.UseInlineDefinitionsForEnums();
            options.SchemaFilter<RequiredMembersSchemaFilter>();
            options.ParameterFilter<QueryValueParameterFilter>(new System.Xml.XPath.XPathDocument(Path.ChangeExtension(typeof(OpenApiSetup).Assembly.Location, ".xml")));
            foreach (var queryValue in QueryValueParameterFilter.TypesInUse())
            {
                // Never described as an object of its own: the filter documents what it parses to.
                options.MapType(queryValue, () => new OpenApiSchema { Type = JsonSchemaType.String });
            }

            options.OperationFilter<ProblemResponsesOperationFilter>();
            options.OperationFilter<HttpCachingOperationFilter>();
            options.CustomSchemaIds(SchemaId);
            // Swagger UI's "Try it out" calls the server picked here; generated clients take their own base address.
            options.AddServer(new OpenApiServer { Url = "http://localhost:5080", Description = "Local development (dotnet run)" });
            options.AddServer(new OpenApiServer { Url = "http://localhost:8080", Description = "The Docker image (docker run -p 8080:8080)" });
            options.AddSecurityDefinition(ApiKeys.Scheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.Header,
                Description = "An API key (make one with `keys new`). Writes need one; reads need one only where Auth:RequireKeyForReads is on. " +
                    "A key holds scopes (read, write, admin; read and write unless configured otherwise): writes need write, /v1/admin needs admin, " +
                    "and a presented key needs read to read.",
            });
            options.OperationFilter<ApiKeyOperationFilter>();
        });
        return builder;
    }

    /// <summary>The OpenAPI document (built once, see <see cref="OpenApiDocumentCache"/>) and Swagger UI, unless <c>OpenApi:Enabled</c> is false.</summary>
    public static WebApplication UseNewsLensOpenApi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OpenApiSettings>>().Value.Enabled)
        {
            return app;
        }

        app.MapGet(OpenApiDocumentCache.Path, OpenApiDocumentCache.ServeAsync).ExcludeFromDescription().AnswerHeadLikeGet();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(OpenApiDocumentCache.Path, "NewsLens API v1");
            options.DocumentTitle = "NewsLens API";
        });
        return app;
    }

    /// <summary><c>Page&lt;OutletResponse&gt;</c> → <c>OutletPage</c>; <c>OutletResponse</c> → <c>Outlet</c>.</summary>
    private static string SchemaId(Type type)
    {
        static string Name(Type t) => t.Name.EndsWith("Response", StringComparison.Ordinal) ? t.Name[..^"Response".Length] : t.Name;
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Page<>)
            ? Name(type.GetGenericArguments()[0]) + "Page"
            : Name(type);
    }

    /// <summary>
    /// Responses always carry every member (null where unset), so all are required. Requests require
    /// exactly their non-nullable members.
    /// </summary>
    private sealed class RequiredMembersSchemaFilter : ISchemaFilter
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

    /// <summary>Documents ETag, Last-Modified and Cache-Control on answers, and If-None-Match, If-Modified-Since and If-Match on requests.</summary>
    private sealed class HttpCachingOperationFilter : IOperationFilter
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

    /// <summary>
    /// Writes and admin operations require the API key; reads accept one (optional unless the deployment sets
    /// Auth:RequireKeyForReads). A key without the operation's scope is refused (403). Every /v1 operation can be
    /// rate limited (429).
    /// </summary>
    private sealed class ApiKeyOperationFilter : IOperationFilter
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

    private sealed class TagDescriptionsDocumentFilter : IDocumentFilter
    {
        private static readonly (string Name, string Description)[] Tags =
        [
            ("Outlets", "News outlets with their bias, factuality and ownership ratings."),
            ("Stories", "Stories, their article lists and the links between stories and articles."),
            ("Articles", "Articles, each published by one outlet."),
            ("Coverage", "Per-story coverage: bias distribution, factuality, ownership and blindspot."),
            ("Admin", "Operations for the people who run the service: online backups."),
        ];

        public void Apply(OpenApiDocument document, DocumentFilterContext context) =>
            document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
    }

    /// <summary>
    /// Documents a <see cref="QueryValue{T}"/> parameter as what it parses to, with the bounds its property states: an
    /// enum as its snake_case names, a set or a story id list as a comma-separated array (an id list is required).
    /// </summary>
    private sealed class QueryValueParameterFilter(System.Xml.XPath.XPathDocument documentation) : IParameterFilter
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

    /// <summary>
    /// Problems are served as application/problem+json. Operations that read a body can also answer
    /// 413 and 415.
    /// </summary>
    private sealed class ProblemResponsesOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            operation.Responses ??= [];
            if (operation.RequestBody is not null)
            {
                AddProblem(operation, context, "413", "The request body is larger than the endpoint accepts (1 MiB; imports 100 MiB by default).");
                AddProblem(operation, context, "415", "The request body is not of a media type the endpoint accepts.");
            }

            AddProblem(operation, context, "500", "An unexpected server error; the problem's traceId identifies it in the server's logs.");
            if (context.ApiDescription.HttpMethod is "POST" or "PUT" or "DELETE")
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
}
