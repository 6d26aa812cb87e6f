using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using NewsLens.Api.Ratings;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.OpenApi;

internal sealed class TagDescriptionsDocumentFilter : IDocumentFilter
{
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Outlets", "News outlets with their bias, factuality and ownership ratings."),
        ("Stories", "Stories, their article lists and the links between stories and articles."),
        ("Articles", "Articles, each published by one outlet."),
        ("Coverage", "Per-story coverage: bias distribution, factuality, ownership and blindspot."),
        ("Ratings", "Raters, their vocabularies, and the dated ratings they give outlets."),
        ("Readers", "A reader's own bias profile from a reading list, computed privately: nothing sent is stored or logged."),
        ("Admin", "Operations for the people who run the service: online backups."),
    ];

    public void Apply(OpenApiDocument document, DocumentFilterContext context) =>
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
}
