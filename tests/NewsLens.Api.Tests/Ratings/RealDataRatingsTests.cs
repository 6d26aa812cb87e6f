using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.VisualBasic.FileIO;
using Xunit.Abstractions;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>
/// The ratings machinery on the real, public data sets beside the repository (../shared/data, never copied into
/// it; skipped when absent): the NeuS 2021 story clusters, whose every article carries the AllSides stance of its
/// source at the time, the AllSides tables of 2019 (names only) and 2023, and the MBFC tables of 2018 and 2024.
/// Outlets are the sites of the NeuS articles; every rater's table is imported dated; then the 505 stories. The proof:
/// each story's coverage by <c>rater=allsides&amp;asOf=</c>its date counts exactly the 2021 stances, although AllSides'
/// 2023 table and two MBFC tables rate the same outlets since.
/// </summary>
public sealed class RealDataRatingsTests(NewsLensFactory factory, ITestOutputHelper output) : ApiTests(factory)
{
    private static readonly string? DataDirectory = FindData();

    private static string? FindData()
    {
        if (Environment.GetEnvironmentVariable("NEWSLENS_SHARED_DATA") is { Length: > 0 } set)
        {
            return Directory.Exists(set) ? set : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NewsLens.sln")))
            {
                var data = Path.Combine(dir.FullName, "..", "shared", "data");
                return File.Exists(Path.Combine(data, "allsides_story_clusters_neus_2021_meta.csv")) ? Path.GetFullPath(data) : null;
            }
        }

        return null;
    }

    private sealed record NeusRow(long StoryId, string StoryTitle, DateTimeOffset Date, string Source, string Stance, string Url, string Title);

    private sealed record Site(string Domain, string Name, string Stance);

    [SkippableFact]
    public async Task CoverageAsOfEachStorysDateWithAllSidesCountsTheStancesOfThatDay()
    {
        Skip.If(DataDirectory is null, "../shared/data (the public rating data sets) is not beside the repository");
        var neus = Read("allsides_story_clusters_neus_2021_meta.csv", ',')
            .Select(r => new NeusRow(long.Parse(r["story_id"], CultureInfo.InvariantCulture), r["story_title"], DateTimeOffset.Parse(r["story_date"], CultureInfo.InvariantCulture),
                r["outlet"], r["outlet_stance_at_time"], r["article_url"], r["article_title"]))
            .ToList();

        // One outlet per site; its name and 2021 stance are those of the AllSides source with most articles there
        // (a newspaper's opinion writers are AllSides sources of their own, rated apart: NewsLens rates outlets).
        var sites = new Dictionary<string, Site>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in neus.GroupBy(r => SiteOf(r.Url)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var main = group.GroupBy(r => r.Source).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
            var name = names.Add(main.Key) ? main.Key : $"{main.Key} ({group.Key})";
            names.Add(name);
            sites[group.Key] = new Site(group.Key, name, main.First().Stance);
        }

        var csv = new StringBuilder("name,domain\n");
        foreach (var site in sites.Values)
        {
            csv.Append(Quote(site.Name)).Append(',').Append(site.Domain).Append('\n');
        }

        var created = await (await Client.PostAsync("/v1/outlets/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"))).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(sites.Count, (int)created["created"]!);

        // Every rater's table, dated, narrowed to the outlets above (a ratings import creates no outlets).
        var byName = sites.Values.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var allSides2019 = FirstPerOutlet(Read("allsides_2019_favstats_AllSideR.csv", ',').Where(r => byName.ContainsKey(r["news_source"])),
            r => byName[r["news_source"]].Domain).Select(r => new { name = r["news_source"], bias = r["rating"], sourceUrl = r["url"] }).ToList();
        var allSides2021 = sites.Values.Select(s => new { domain = s.Domain, bias = s.Stance, note = "AllSides stance at the time, from the NeuS 2021 story clusters" }).ToList();
        var allSides2023 = FirstPerOutlet(Read("allsides_2023-11-15_mediabiasgroup.csv", ',')
                .Where(r => Uri.TryCreate(r["news_link"], UriKind.Absolute, out var link) && link.AbsolutePath == "/" && sites.ContainsKey(SiteOf(r["news_link"]))),
            r => SiteOf(r["news_link"])).Select(r => new { domain = SiteOf(r["news_link"]), bias = r["bias_rating"] }).ToList();
        var mbfc2018 = FirstPerOutlet(Read("mbfc_2018_baly_emnlp18_corpus.tsv", '\t').Where(r => sites.ContainsKey(SiteOf(r["source_url"]))),
            r => SiteOf(r["source_url"])).Select(r => new { domain = SiteOf(r["source_url"]), bias = r["bias"], factuality = r["fact"], sourceUrl = r["ref"] }).ToList();
        var mbfc2024 = FirstPerOutlet(Read("mbfc_2024_idiap.csv", ',').Where(r => sites.ContainsKey(SiteOf(r["source"]))),
            r => SiteOf(r["source"])).Select(r => new { domain = SiteOf(r["source"]), bias = r["bias"], factuality = r["factual_reporting"] }).ToList();

        var recorded = new Dictionary<string, int>();
        foreach (var (label, rater, effective, rows) in new (string, string, string, object)[]
        {
            ("mbfc 2018", "mbfc", "2018-06-01", mbfc2018), ("allsides 2019", "allsides", "2019-06-01", allSides2019),
            ("allsides 2021", "allsides", "2021-04-01", allSides2021), ("allsides 2023", "allsides", "2023-11-15", allSides2023),
            ("mbfc 2024", "mbfc", "2024-06-01", mbfc2024),
        })
        {
            var response = await Client.PostAsJsonAsync($"/v1/raters/{rater}/ratings/import?effectiveFrom={effective}T00:00:00Z", rows);
            recorded[label] = (int)(await response.ReadJsonAsync(HttpStatusCode.OK))["recorded"]!;
        }

        // The stories, and their articles in one NDJSON import (an article two stories share is one article with two links).
        var storyIds = new Dictionary<long, long>();
        foreach (var story in neus.GroupBy(r => r.StoryId).Select(g => g.First()))
        {
            var response = await Client.PostAsJsonAsync("/v1/stories", new { title = story.StoryTitle });
            storyIds[story.StoryId] = (long)(await response.ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        }

        var articles = neus.GroupBy(r => r.Url).ToList();
        var ndjson = new StringBuilder();
        foreach (var article in articles)
        {
            ndjson.AppendLine(new JsonObject
            {
                ["url"] = article.Key,
                ["title"] = article.First().Title,
                ["publishedAt"] = article.First().Date.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["storyIds"] = new JsonArray([.. article.Select(r => storyIds[r.StoryId]).Distinct().Select(id => (JsonNode)id)]),
            }.ToJsonString());
        }

        var imported = await (await Client.PostAsync("/v1/articles/import", new StringContent(ndjson.ToString(), Encoding.UTF8, "application/x-ndjson")))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(articles.Count, (int)imported["created"]!);

        // Each story, as of its own date, by AllSides: the 2021 stance of every article's outlet, exactly.
        int storiesSame = 0, movedSinceByAllSides = 0, combinedDiffers = 0, combinedDiffersNow = 0, contestedUnits = 0, articlesAsTheirSource = 0;
        foreach (var story in neus.GroupBy(r => r.StoryId))
        {
            var id = storyIds[story.Key];
            var asOf = story.First().Date.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var then = await CoverageAsync(id, $"basis=articles&rater=allsides&asOf={asOf}");
            var units = story.GroupBy(r => r.Url).Select(a => a.First()).ToList();
            var expected = units.Select(u => LeanOf(sites[SiteOf(u.Url)].Stance)).ToList();
            Assert.Equal(
                $"{expected.Count(l => l == "left")}/{expected.Count(l => l == "center")}/{expected.Count(l => l == "right")}/{expected.Count(l => l is null)}",
                $"{then["bias"]!["left"]!["count"]}/{then["bias"]!["center"]!["count"]}/{then["bias"]!["right"]!["count"]}/{then["bias"]!["unrated"]}");
            Assert.Equal($"allsides {asOf}", $"{then["ratings"]!["rater"]} {then["ratings"]!["asOf"]}");
            articlesAsTheirSource += units.Count(u => LeanOf(u.Stance) == LeanOf(sites[SiteOf(u.Url)].Stance));
            storiesSame += units.All(u => LeanOf(u.Stance) == LeanOf(sites[SiteOf(u.Url)].Stance)) ? 1 : 0;

            var thenBySources = await CoverageAsync(id, $"rater=allsides&asOf={asOf}");
            var nowBySources = await CoverageAsync(id, "rater=allsides");
            var combined = await CoverageAsync(id, "");
            movedSinceByAllSides += (string?)nowBySources["bias"]!["label"] != (string?)thenBySources["bias"]!["label"] ? 1 : 0;
            combinedDiffers += Counts(combined) != Counts(thenBySources) ? 1 : 0;
            combinedDiffersNow += Counts(combined) != Counts(nowBySources) ? 1 : 0;
            contestedUnits += (int)combined["disagreement"]!["contested"]!;
        }

        // Outlets whose raters put them in different leans now, and whose AllSides rating moved from 2021 to 2023.
        int contested = 0, multiRated = 0, allSidesMoved = 0;
        foreach (var outlet in await Api.ReadAllPagesAsync("/v1/outlets", 100))
        {
            var ratings = await (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings?history=true")).ReadJsonAsync(HttpStatusCode.OK);
            var leans = ratings["current"]!.AsArray().Select(r => LeanOfBias((string?)r!["bias"])).Where(l => l is not null).ToList();
            multiRated += leans.Count >= 2 ? 1 : 0;
            contested += leans.Distinct().Count() >= 2 ? 1 : 0;
            var allSides = ratings["history"]!.AsArray().Where(r => (string?)r!["rater"] == "allsides").ToList();
            string? Stood(string date) => (string?)allSides.LastOrDefault(r => string.CompareOrdinal((string?)r!["effectiveFrom"], date) <= 0)?["bias"];
            allSidesMoved += allSides.Any(r => ((string?)r!["effectiveFrom"])!.StartsWith("2023", StringComparison.Ordinal))
                && Stood("2021-12-31") != Stood("2023-12-31") ? 1 : 0;
        }

        output.WriteLine($"Outlets (sites of NeuS articles): {sites.Count}; stories {storyIds.Count}; articles {articles.Count} of {neus.Count} rows");
        output.WriteLine($"Ratings recorded: {string.Join(", ", recorded.Select(r => $"{r.Key} {r.Value}"))}");
        output.WriteLine($"Stories whose coverage by allsides as of their date counts their outlets' 2021 stances: {storyIds.Count} of {storyIds.Count}");
        output.WriteLine($"Articles whose own AllSides source had its site's stance: {articlesAsTheirSource} of {neus.GroupBy(r => (r.StoryId, r.Url)).Count()}; stories where every article did: {storiesSame}");
        output.WriteLine($"Stories whose allsides label moved from their date to now: {movedSinceByAllSides}; whose combined counts (now) differ from the allsides counts then: {combinedDiffers}, from the allsides counts now: {combinedDiffersNow}; contested sources summed over stories: {contestedUnits}");
        output.WriteLine($"Outlets rated in a lean by 2+ raters now: {multiRated}; contested (different leans): {contested}; AllSides rating moved 2021 -> 2023: {allSidesMoved}");
        Assert.True(recorded["allsides 2023"] > 0 && recorded["mbfc 2024"] > 0 && allSidesMoved > 0, "the later tables rate some of the same outlets differently");
        Assert.True(movedSinceByAllSides > 0, "some story reads differently by AllSides' ratings now than by those of its day");
    }

    private static string Counts(JsonNode coverage) =>
        $"{coverage["bias"]!["left"]!["count"]}/{coverage["bias"]!["center"]!["count"]}/{coverage["bias"]!["right"]!["count"]}/{coverage["bias"]!["unrated"]}";

    private async Task<JsonNode> CoverageAsync(long storyId, string query) =>
        await (await Client.GetAsync($"/v1/stories/{storyId}/coverage?{query}")).ReadJsonAsync(HttpStatusCode.OK);

    private static IEnumerable<IReadOnlyDictionary<string, string>> Read(string file, char delimiter)
    {
        using var parser = new TextFieldParser(Path.Combine(DataDirectory!, file), Encoding.UTF8) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(delimiter.ToString());
        var header = parser.ReadFields()!;
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (parser.ReadFields() is { } fields)
        {
            rows.Add(header.Select((name, i) => (name, value: i < fields.Length ? fields[i] : "")).ToDictionary(f => f.name, f => f.value));
        }

        return rows;
    }

    private static IEnumerable<T> FirstPerOutlet<T>(IEnumerable<T> rows, Func<T, string> outlet) => rows.GroupBy(outlet).Select(g => g.First());

    /// <summary>The site of a URL or host: without <c>www.</c> and other subdomains (edition.cnn.com → cnn.com; bbc.co.uk stays).</summary>
    private static string SiteOf(string urlOrHost)
    {
        var host = Uri.TryCreate(urlOrHost.Contains("://") ? urlOrHost : "http://" + urlOrHost, UriKind.Absolute, out var uri) ? uri.Host.ToLowerInvariant() : urlOrHost;
        var labels = host.Split('.');
        var take = labels.Length >= 3 && labels[^1].Length == 2 && labels[^2] is "co" or "com" or "org" or "net" or "gov" or "ac" ? 3 : 2;
        return string.Join('.', labels.TakeLast(Math.Min(take, labels.Length)));
    }

    private static string? LeanOf(string stance) => stance switch
    {
        "left" or "lean left" => "left",
        "center" => "center",
        "right" or "lean right" => "right",
        _ => null,
    };

    private static string? LeanOfBias(string? bias) => bias switch
    {
        null => null,
        "center" => "center",
        _ => bias.EndsWith("left", StringComparison.Ordinal) ? "left" : "right",
    };

    private static string Quote(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}
