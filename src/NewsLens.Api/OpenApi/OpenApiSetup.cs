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

            // A reading list's item: described as a string (an id in digits or a URL), which every client generator can send;
            // the server also takes a JSON number as an id. (A oneOf of integer and string became a list of integers in Kiota's C#.)
            options.MapType<Readers.ArticleReference>(() => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = ArticleUrl.MaxLength,
                Description = "An article id in digits (\"42\"; a JSON number is accepted too) or an article URL.",
            });
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
}
