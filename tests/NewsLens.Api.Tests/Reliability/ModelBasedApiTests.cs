using System.Net;
using System.Net.Http.Json;
using CsCheck;
using Xunit.Abstractions;

namespace NewsLens.Api.Tests.Reliability;

/// <summary>
/// Property-based API test: random sequences of valid and invalid operations (CsCheck, seeded, shrinking)
/// run against the API and against a plain in-memory model; after every step the coverage the server
/// reports for each story equals the model's. On failure CsCheck prints the shrunk sequence and its seed.
/// </summary>
public class ModelBasedApiTests(NewsLensFactory factory, ITestOutputHelper output) : ApiTests(factory)
{
    private static readonly string?[] Biases = ["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null];

    private readonly record struct Op(int Kind, int A, int B)
    {
        public override string ToString() => Kind switch
        {
            0 => $"createOutlet({Biases[A % Biases.Length] ?? "unrated"})",
            1 => "createStory",
            2 => $"createArticle(outlet #{A})",
            3 => $"link(story #{A}, article #{B})",
            4 => $"unlink(story #{A}, article #{B})",
            5 => $"rerate(outlet #{A} → {Biases[B % Biases.Length] ?? "unrated"})",
            6 => $"deleteArticle(#{A})",
            7 => $"deleteStory(#{A})",
            8 => $"linkMissingArticle(story #{A})",
            _ => $"badOutlet(#{A})",
        };
    }

    private sealed class Model
    {
        public List<(long Id, string Domain, string? Bias)> Outlets { get; } = [];
        public List<long> Stories { get; } = [];
        public List<(long Id, int Outlet)> Articles { get; } = [];
        public HashSet<(long Story, long Article)> Links { get; } = [];
    }

    [Fact]
    public async Task CoverageAlwaysEqualsTheModelsAfterRandomOperationSequences()
    {
        // Weighted so that sequences build enough outlets, stories and articles for links to matter.
        var kind = Gen.Frequency(
            (12, Gen.Const(0)), (8, Gen.Const(1)), (20, Gen.Const(2)), (28, Gen.Const(3)), (8, Gen.Const(4)),
            (10, Gen.Const(5)), (5, Gen.Const(6)), (3, Gen.Const(7)), (3, Gen.Const(8)), (3, Gen.Const(9)));
        var gen = Gen.Select(kind, Gen.Int[0, 7], Gen.Int[0, 7], (k, a, b) => new Op(k, a, b)).Array[5, 40];
        var runs = 0;
        await gen.SampleAsync(
            async ops =>
            {
                runs++;
                await RunAsync(ops);
            },
            writeLine: output.WriteLine,
            seed: "0N0XIzNsQ0O2",
            iter: 40,
            threads: 1,
            print: ops => string.Join(", ", ops));
        output.WriteLine($"{runs} sequences run; {storiesChecked} coverage checks over {linksSeen} links");
        Assert.True(linksSeen > 100, $"the sequences linked too little to test coverage ({linksSeen} links checked)");
    }

    private async Task RunAsync(Op[] ops)
    {
        var model = new Model();
        foreach (var op in ops)
        {
            await ApplyAsync(model, op);
            foreach (var story in model.Stories)
            {
                await AssertCoverageAsync(model, story, op);
            }
        }
    }

    private async Task ApplyAsync(Model model, Op op)
    {
        switch (op.Kind)
        {
            case 0:
            {
                var domain = ApiDriver.UniqueDomain("model");
                var outlet = await Api.CreateOutletAsync(Biases[op.A % Biases.Length], domain);
                model.Outlets.Add(((long)outlet["id"]!, domain, Biases[op.A % Biases.Length]));
                break;
            }

            case 1:
                model.Stories.Add((long)(await Api.CreateStoryAsync("Model story"))["id"]!);
                break;
            case 2 when model.Outlets.Count > 0:
            {
                var index = op.A % model.Outlets.Count;
                var response = await Client.PostAsJsonAsync("/v1/articles", new
                {
                    url = $"https://{model.Outlets[index].Domain}/{Guid.NewGuid():N}",
                    title = "Model article",
                    publishedAt = "2025-05-05T05:05:05Z",
                    outletId = model.Outlets[index].Id,
                });
                model.Articles.Add(((long)(await response.ReadJsonAsync(HttpStatusCode.Created))["id"]!, index));
                break;
            }

            case 3 when model.Stories.Count > 0 && model.Articles.Count > 0:
            {
                var link = (model.Stories[op.A % model.Stories.Count], model.Articles[op.B % model.Articles.Count].Id);
                Assert.Equal(HttpStatusCode.NoContent, (await Client.PutAsync($"/v1/stories/{link.Item1}/articles/{link.Item2}", null)).StatusCode);
                model.Links.Add(link);
                break;
            }

            case 4 when model.Stories.Count > 0 && model.Articles.Count > 0:
            {
                var link = (model.Stories[op.A % model.Stories.Count], model.Articles[op.B % model.Articles.Count].Id);
                var response = await Client.DeleteAsync($"/v1/stories/{link.Item1}/articles/{link.Item2}");
                Assert.Equal(model.Links.Remove(link) ? HttpStatusCode.NoContent : HttpStatusCode.NotFound, response.StatusCode);
                break;
            }

            case 5 when model.Outlets.Count > 0:
            {
                var index = op.A % model.Outlets.Count;
                var (id, domain, _) = model.Outlets[index];
                var bias = Biases[op.B % Biases.Length];
                (await Client.PutAsJsonAsync($"/v1/outlets/{id}", new { name = "Model outlet", domain, bias })).EnsureSuccessStatusCode();
                model.Outlets[index] = (id, domain, bias);
                break;
            }

            case 6 when model.Articles.Count > 0:
            {
                var article = model.Articles[op.A % model.Articles.Count];
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/articles/{article.Id}")).StatusCode);
                model.Articles.Remove(article);
                model.Links.RemoveWhere(l => l.Article == article.Id);
                break;
            }

            case 7 when model.Stories.Count > 0:
            {
                var story = model.Stories[op.A % model.Stories.Count];
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/stories/{story}")).StatusCode);
                model.Stories.Remove(story);
                model.Links.RemoveWhere(l => l.Story == story);
                break;
            }

            case 8 when model.Stories.Count > 0:
                // Invalid: the article does not exist. Refused, and nothing changes.
                await (await Client.PutAsync($"/v1/stories/{model.Stories[op.A % model.Stories.Count]}/articles/987654321", null)).ReadProblemAsync(HttpStatusCode.NotFound);
                break;
            case 9:
                // Invalid: an unknown bias. Refused, and nothing changes.
                await (await Client.PostAsJsonAsync("/v1/outlets", new { name = "Bad", domain = ApiDriver.UniqueDomain("bad"), bias = "sideways" }))
                    .ReadValidationErrorsAsync("bias");
                break;
        }
    }

    private int linksSeen, storiesChecked;

    private async Task AssertCoverageAsync(Model model, long story, Op after)
    {
        storiesChecked++;
        linksSeen += model.Links.Count(l => l.Story == story);
        var linked = model.Links.Where(l => l.Story == story).Select(l => model.Articles.Single(a => a.Id == l.Article)).ToList();
        string? Lean(int outlet) => model.Outlets[outlet].Bias switch
        {
            "far_left" or "left" or "lean_left" => "left",
            "center" => "center",
            null => null,
            _ => "right",
        };
        var sources = linked.Select(a => a.Outlet).Distinct().ToList();

        var coverage = await Api.CoverageAsync(new System.Text.Json.Nodes.JsonObject { ["id"] = story });
        var context = $"story {story} after {after}";
        Assert.True(linked.Count == (int)coverage["totalArticles"]!, context);
        Assert.True(sources.Count == (int)coverage["totalSources"]!, context);
        foreach (var lean in new[] { "left", "center", "right" })
        {
            Assert.True(sources.Count(o => Lean(o) == lean) == (int)coverage["bias"]![lean]!["count"]!, $"{context}: {lean}");
        }

        Assert.True(sources.Count(o => Lean(o) is null) == (int)coverage["bias"]!["unrated"]!, context);
    }
}
