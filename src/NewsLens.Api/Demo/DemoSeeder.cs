using Dapper;

namespace NewsLens.Api.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed the demo data set into an empty database at start.</summary>
    public bool Seed { get; set; }
}

/// <summary>
/// A small demo data set with fictional outlets (on the reserved <c>.example</c> domain) that shows each
/// coverage case: a Left majority that reads "55% of the sources lean Left", a Right majority, a Center
/// majority, a blindspot on each side and a story with no rated source.
/// </summary>
public static class DemoSeeder
{
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        return services;
    }

    /// <summary>Seeds the demo data set when <c>Demo:Seed</c> is on and the database is empty.</summary>
    public static async Task SeedDemoAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value.Seed &&
            await SeedIfEmptyAsync(app.Services.GetRequiredService<Database>(), app.Services.GetRequiredService<Coverage.CoverageSummaries>(),
                app.Services.GetRequiredService<TimeProvider>()))
        {
            app.Logger.LogInformation("Seeded the demo data set (fictional outlets on .example domains).");
        }
    }

    public const string KremlinStoryTitle = "Kremlin says it doesn't like European proposals on security guarantees for Ukraine";

    private sealed record DemoOutlet(string Key, string Name, string? Bias, string? Factuality, string? Ownership, string Country);

    private sealed record DemoStory(string Title, string Summary, string Slug, DateTimeOffset Start, (string Outlet, int Articles)[] Coverage);

    private static readonly DemoOutlet[] Outlets =
    [
        // Left (11)
        new("progressiveledger", "The Progressive Ledger", "far_left", "mixed", "independent", "US"),
        new("riversidetribune", "Riverside Tribune", "left", "high", "media_conglomerate", "US"),
        new("metrodispatch", "Metro Dispatch", "left", "high", "corporation", "US"),
        new("harborherald", "Harbor Herald", "lean_left", "high", "billionaire", "US"),
        new("civicvoice", "Civic Voice", "lean_left", "mostly_factual", "independent", "GB"),
        new("dailycurrent", "The Daily Current", "lean_left", "high", "media_conglomerate", "US"),
        new("northsidegazette", "Northside Gazette", "left", "mixed", "private_equity", "CA"),
        new("openpressreview", "Open Press Review", "far_left", "low", "independent", "US"),
        new("valleyobserver", "Valley Observer", "lean_left", "very_high", "corporation", "GB"),
        new("unionstreetjournal", "Union Street Journal", "left", "high", "telecom", "US"),
        new("lakeshorepost", "Lakeshore Post", "lean_left", "mixed", "billionaire", "US"),
        // Center (5)
        new("globalwire", "Global Wire Service", "center", "very_high", "independent", "GB"),
        new("plainviewtimes", "Plainview Times", "center", "high", "corporation", "US"),
        new("meridiannews", "Meridian News", "center", "high", "government", "DE"),
        new("capitalrecord", "Capital Record", "center", "mixed", "private_equity", "US"),
        new("statewidereport", "Statewide Report", "center", "high", "other", "US"),
        // Right (6)
        new("libertystandard", "Liberty Standard", "right", "mixed", "billionaire", "US"),
        new("heritagedaily", "Heritage Daily", "far_right", "low", "independent", "US"),
        new("frontiercourier", "Frontier Courier", "lean_right", "high", "media_conglomerate", "US"),
        new("patriotreview", "Patriot Review", "right", "mixed", "corporation", "US"),
        new("eaglesentinel", "Eagle Sentinel", "lean_right", "mostly_factual", "private_equity", "US"),
        new("mainstreetmonitor", "Main Street Monitor", "lean_right", "high", "independent", "AU"),
        // Not rated (3)
        new("towncrier", "Town Crier Blog", null, null, null, "US"),
        new("weekenddigest", "Weekend Digest", null, null, "other", "US"),
        new("localaggregator", "Local Aggregator", null, "mixed", null, "IE"),
    ];

    private static readonly string[] LeftKeys = ["progressiveledger", "riversidetribune", "metrodispatch", "harborherald", "civicvoice", "dailycurrent", "northsidegazette", "openpressreview", "valleyobserver", "unionstreetjournal", "lakeshorepost"];
    private static readonly string[] CenterKeys = ["globalwire", "plainviewtimes", "meridiannews", "capitalrecord", "statewidereport"];
    private static readonly string[] RightKeys = ["libertystandard", "heritagedaily", "frontiercourier", "patriotreview", "eaglesentinel", "mainstreetmonitor"];
    private static readonly string[] UnratedKeys = ["towncrier", "weekenddigest", "localaggregator"];

    private static readonly DemoStory[] Stories =
    [
        // 23 sources: 11 Left, 5 Center, 4 Right, 3 unrated; 50 articles. Reads "55% of the sources lean Left".
        new(KremlinStoryTitle,
            "The Kremlin said it views European proposals for post-war security guarantees for Ukraine negatively, " +
            "rejecting any deployment of European troops as European leaders discussed a possible reassurance force.",
            "kremlin-european-security-guarantees-ukraine",
            new DateTimeOffset(2025, 9, 4, 6, 0, 0, TimeSpan.Zero),
            [.. LeftKeys.Select((k, i) => (k, i < 4 ? 3 : 2)), .. CenterKeys.Select(k => (k, 2)), .. RightKeys.Take(4).Select(k => (k, 2)), .. UnratedKeys.Select(k => (k, 2))]),
        // Right majority without a blindspot: 5 Right, 2 Center, 2 Left (22% > 20%).
        new("Governors push back on federal energy efficiency mandates",
            "A group of governors asked federal regulators to delay new appliance efficiency rules, citing costs to households.",
            "governors-energy-mandates",
            new DateTimeOffset(2025, 9, 10, 8, 0, 0, TimeSpan.Zero),
            [.. RightKeys.Take(5).Select(k => (k, 1)), ("globalwire", 1), ("plainviewtimes", 1), ("dailycurrent", 1), ("civicvoice", 1)]),
        // Center majority: 5 Center, 2 Left, 1 Right.
        new("Central bank holds interest rates steady for a third meeting",
            "The central bank left its benchmark rate unchanged and signalled that it would wait for more inflation data.",
            "central-bank-holds-rates",
            new DateTimeOffset(2025, 9, 17, 18, 0, 0, TimeSpan.Zero),
            [.. CenterKeys.Select(k => (k, 2)), ("valleyobserver", 1), ("harborherald", 1), ("frontiercourier", 1)]),
        // Blindspot "left": 8 rated, 1 Left (12.5% ≤ 20%), 5 Right (62.5% ≥ 50%).
        new("Audit finds cost overruns at city transit agency",
            "An audit of the city transit agency found that three rail projects ran a combined 40% over budget.",
            "transit-agency-audit",
            new DateTimeOffset(2025, 9, 22, 12, 0, 0, TimeSpan.Zero),
            [.. RightKeys.Take(5).Select(k => (k, 1)), ("meridiannews", 1), ("statewidereport", 1), ("lakeshorepost", 1)]),
        // Blindspot "right": 8 rated, 6 Left (75%), 1 Right (12.5%).
        new("Study links heat waves to rising hospital admissions",
            "Researchers found hospital admissions rose 9% on days above 35°C across twelve cities.",
            "heat-waves-hospital-admissions",
            new DateTimeOffset(2025, 9, 25, 9, 0, 0, TimeSpan.Zero),
            [.. LeftKeys.Take(6).Select(k => (k, 1)), ("globalwire", 1), ("mainstreetmonitor", 1)]),
        // No rated source.
        new("Community garden wins regional award",
            "A volunteer-run community garden was named the region's best green space.",
            "community-garden-award",
            new DateTimeOffset(2025, 9, 28, 15, 0, 0, TimeSpan.Zero),
            [.. UnratedKeys.Select(k => (k, 1))]),
    ];

    /// <summary>Seeds the demo when the database holds no outlets and no stories. Returns whether it seeded.</summary>
    public static async Task<bool> SeedIfEmptyAsync(Database database, Coverage.CoverageSummaries summaries, TimeProvider clock, CancellationToken ct = default)
    {
        const string isEmpty = "SELECT NOT EXISTS (SELECT 1 FROM outlets) AND NOT EXISTS (SELECT 1 FROM stories)";
        const string insertOutlet = """
            INSERT INTO outlets (name, domain, bias, factuality, ownership, country, created_at, updated_at)
            VALUES (@Name, @domain, @Bias, @Factuality, @Ownership, @Country, @now, @now) RETURNING id
            """;
        const string insertStory = "INSERT INTO stories (title, summary, created_at, updated_at) VALUES (@Title, @Summary, @now, @now) RETURNING id";
        const string insertArticle = """
            INSERT INTO articles (url, title, outlet_id, published_at, created_at)
            VALUES (@url, @title, @outletId, @publishedAt, @now) RETURNING id
            """;
        const string link = """
            INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at)
            VALUES (@storyId, @articleId, @outletId, @publishedAt, @now)
            """;

        return await database.WriteAsync(async write =>
        {
            var connection = write.Connection;
            if (!await connection.ExecuteScalarAsync<bool>(write.Command(isEmpty, null, ct)))
            {
                return false;
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var outletIds = new Dictionary<string, long>();
            foreach (var outlet in Outlets)
            {
                outletIds[outlet.Key] = await connection.ExecuteScalarAsync<long>(write.Command(
                    insertOutlet, new { outlet.Name, domain = outlet.Key + ".example", outlet.Bias, outlet.Factuality, outlet.Ownership, outlet.Country, now }, ct));
            }

            var links = new List<(long Story, long Outlet, long Published)>();
            foreach (var story in Stories)
            {
                var storyId = await connection.ExecuteScalarAsync<long>(write.Command(insertStory, new { story.Title, story.Summary, now }, ct));
                await summaries.StoryCreatedAsync(write, storyId, now, ct);
                var published = story.Start;
                // Round-robin over the outlets, so each outlet's articles spread over the story's timeline.
                var articles = story.Coverage
                    .SelectMany((c, index) => Enumerable.Range(1, c.Articles).Select(n => (c.Outlet, n, index)))
                    .OrderBy(a => a.n).ThenBy(a => a.index);
                foreach (var (key, n, _) in articles)
                {
                    var outlet = Outlets.Single(o => o.Key == key);
                    published = published.AddMinutes(23);
                    var articleId = await connection.ExecuteScalarAsync<long>(write.Command(
                        insertArticle,
                        new
                        {
                            url = $"https://{key}.example/news/{story.Slug}-{n}",
                            title = n == 1 ? $"{story.Title} ({outlet.Name})" : $"{story.Title}: what happens next ({outlet.Name})",
                            outletId = outletIds[key],
                            publishedAt = published.ToUnixTimeMilliseconds(),
                            now,
                        },
                        ct));
                    await connection.ExecuteAsync(write.Command(
                        link, new { storyId, articleId, outletId = outletIds[key], publishedAt = published.ToUnixTimeMilliseconds(), now }, ct));
                    links.Add((storyId, outletIds[key], published.ToUnixTimeMilliseconds()));
                }
            }

            await summaries.LinksAddedAsync(write, links, now, ct);
            return true;
        }, ct);
    }
}
