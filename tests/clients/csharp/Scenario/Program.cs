// The Kiota C# client scenario: drives a running NewsLens server through the client that
// ../run.sh generates from openapi/newslens.v1.json into Generated/, and checks every answer.
// Environment: NEWSLENS_BASE_URL (e.g. http://127.0.0.1:5123) and NEWSLENS_API_KEY.
// The database may hold other data: every name and domain carries a random suffix.
// Exit code 0 when every check passes, 1 otherwise.
using System.Net;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using NewsLens.Client;
using NewsLens.Client.Models;
using NewsLens.Client.V1.Stories.Item;
using CoverageBasis = NewsLens.Client.V1.Stories.Item.Coverage.GetBasisQueryParameterType;
using BatchBasis = NewsLens.Client.V1.Coverage.GetBasisQueryParameterType;

var checks = new Checks();
try
{
    await Scenario.RunAsync(checks);
}
catch (Exception e)
{
    checks.Fail("the scenario stopped on an unexpected exception", Scenario.Describe(e));
}
Console.WriteLine();
Console.WriteLine($"csharp (kiota): {checks.Passed} passed, {checks.Failed} failed");
return checks.Failed == 0 ? 0 : 1;

static class Scenario
{
    public static async Task RunAsync(Checks check)
    {
        var baseUrl = (Environment.GetEnvironmentVariable("NEWSLENS_BASE_URL") ?? "").TrimEnd('/');
        var apiKey = Environment.GetEnvironmentVariable("NEWSLENS_API_KEY") ?? "";
        if (baseUrl.Length == 0 || apiKey.Length == 0)
            throw new InvalidOperationException("NEWSLENS_BASE_URL and NEWSLENS_API_KEY must be set");

        var client = Clients.Create(baseUrl, Clients.ApiKey(apiKey));
        var anonymous = Clients.Create(baseUrl, new AnonymousAuthenticationProvider());
        var wrongKey = Clients.Create(baseUrl, Clients.ApiKey("not-a-key-" + Guid.NewGuid().ToString("N")));
        var sfx = Guid.NewGuid().ToString("N")[..10];
        Console.WriteLine($"base URL {baseUrl}, suffix {sfx}");

        // --- outlets --------------------------------------------------------------------------
        Console.WriteLine("outlets");
        var left = await client.V1.Outlets.PostAsync(new OutletRequest
        {
            Name = $"Kiota Left {sfx}",
            Domain = $"https://WWW.Kiota-Left-{sfx}.example/news?x=1",
            Bias = OutletRequest_bias.Left,
            Factuality = OutletRequest_factuality.High,
            Ownership = OutletRequest_ownership.Independent,
            Country = "us",
        }) ?? throw new InvalidOperationException("no outlet in the answer");
        check.Positive("left outlet id", left.Id);
        check.Equal("left outlet domain is normalized", $"kiota-left-{sfx}.example", left.Domain);
        check.Equal("left outlet bias", Outlet_bias.Left, left.Bias);
        check.Equal("left outlet lean", Outlet_lean.Left, left.Lean);
        check.Equal("left outlet factuality", Outlet_factuality.High, left.Factuality);
        check.Equal("left outlet ownership", Outlet_ownership.Independent, left.Ownership);
        check.Equal("left outlet country is upper case", "US", left.Country);
        check.True("left outlet createdAt is UTC", left.CreatedAt is { Offset.Ticks: 0 });

        var leanLeft = await client.V1.Outlets.PostAsync(new OutletRequest
        {
            Name = $"Kiota Lean Left {sfx}",
            Domain = $"kiota-leanleft-{sfx}.example",
            Bias = OutletRequest_bias.Lean_left,
        }) ?? throw new InvalidOperationException("no outlet in the answer");
        check.Equal("lean_left outlet bias", Outlet_bias.Lean_left, leanLeft.Bias);
        check.Equal("lean_left outlet lean", Outlet_lean.Left, leanLeft.Lean);
        check.Equal("unrated factuality reads back as null", null, leanLeft.Factuality);
        check.Equal("unknown ownership reads back as null", null, leanLeft.Ownership);
        check.Equal("no country reads back as null", null, leanLeft.Country);

        var right = await client.V1.Outlets.PostAsync(new OutletRequest
        {
            Name = $"Kiota Right {sfx}",
            Domain = $"kiota-right-{sfx}.example",
            Bias = OutletRequest_bias.Right,
            Factuality = OutletRequest_factuality.Mixed,
            Ownership = OutletRequest_ownership.Corporation,
        }) ?? throw new InvalidOperationException("no outlet in the answer");
        check.Equal("right outlet lean", Outlet_lean.Right, right.Lean);

        var readBack = await client.V1.Outlets[Id(left.Id)].GetAsync();
        check.Equal("GET /v1/outlets/{id} reads the outlet back", left.Domain, readBack?.Domain);

        // --- story and articles -----------------------------------------------------------------
        Console.WriteLine("story and articles");
        var story = await client.V1.Stories.PostAsync(new StoryRequest
        {
            Title = $"Kiota scenario story {sfx}",
            Summary = "Created by the C# Kiota client scenario.",
        }) ?? throw new InvalidOperationException("no story in the answer");
        var storyId = Id(story.Id);
        check.Positive("story id", story.Id);
        check.Equal("story title", $"Kiota scenario story {sfx}", story.Title);

        var plus2 = TimeSpan.FromHours(2);
        var t1 = new DateTimeOffset(2025, 6, 1, 9, 30, 0, plus2);            // 07:30Z
        var t2 = new DateTimeOffset(2025, 6, 1, 11, 15, 30, 250, plus2);     // 09:15:30.250Z
        var t3 = new DateTimeOffset(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);
        var t4 = new DateTimeOffset(2025, 6, 2, 20, 45, 0, TimeSpan.FromHours(-4)); // 2025-06-03T00:45Z

        var a1 = await CreateArticle(client, $"https://kiota-left-{sfx}.example/politics/one", "Left one", t1, left.Id);
        // No outletId: the outlet is found from the URL's host (its closest parent domain).
        // The URL is stored canonical: lower-case scheme and host, no default port, fragment or utm_*.
        var a2 = await CreateArticle(client,
            $"HTTPS://News.Kiota-Left-{sfx}.example:443/politics/two?utm_source=feed&id=2#top", "Left two", t2, null);
        var a3 = await CreateArticle(client, $"https://kiota-leanleft-{sfx}.example/three", "Lean left three", t3, leanLeft.Id);
        var a4 = await CreateArticle(client, $"https://kiota-right-{sfx}.example/four", "Right four", t4, right.Id);

        check.Equal("article outletId as given", left.Id, a1.OutletId);
        check.Equal("article outlet found from the URL's parent domain", left.Id, a2.OutletId);
        check.Equal("article URL is stored canonical", $"https://news.kiota-left-{sfx}.example/politics/two?id=2", a2.Url);
        check.Equal("publishedAt comes back as the same instant", t2, a2.PublishedAt);
        check.True("publishedAt comes back in UTC", a2.PublishedAt is { Offset.Ticks: 0 });
        check.Equal("publishedAt keeps milliseconds", 250, a2.PublishedAt?.Millisecond);

        // --- links ------------------------------------------------------------------------------
        Console.WriteLine("links");
        foreach (var a in new[] { a1, a2, a3, a4 })
            await client.V1.Stories[storyId].Articles[Id(a.Id)].PutAsync();
        check.True("PUT /v1/stories/{storyId}/articles/{articleId} succeeded (2xx, no content) for the 4 articles", true);
        await client.V1.Stories[storyId].Articles[Id(a1.Id)].PutAsync();
        check.True("linking an already linked article succeeds again (idempotent)", true);

        // --- coverage, sources basis ----------------------------------------------------------------
        Console.WriteLine("coverage, basis=sources");
        var cov = await client.V1.Stories[storyId].Coverage.GetAsync()
                  ?? throw new InvalidOperationException("no coverage in the answer");
        check.Equal("storyId", storyId, cov.StoryId);
        check.Equal("basis", StoryCoverage_basis.Sources, cov.Basis);
        check.Equal("totalSources", 3, cov.TotalSources);
        check.Equal("totalArticles", 4, cov.TotalArticles);
        CheckBias(check, cov.Bias, rated: 3, unrated: 0, l: (2, 67), c: (0, 0), r: (1, 33),
            BiasDistribution_majority.Left, "67% of the sources lean Left");
        check.Equal("blindspot (fewer than 5 rated)", null, cov.Blindspot);
        check.Equal("factuality high", 1, cov.Factuality?.High);
        check.Equal("factuality mixed", 1, cov.Factuality?.Mixed);
        check.Equal("factuality unrated", 1, cov.Factuality?.Unrated);
        check.Equal("ownership independent", 1, cov.Ownership?.Independent);
        check.Equal("ownership corporation", 1, cov.Ownership?.Corporation);
        check.Equal("ownership unrated", 1, cov.Ownership?.Unrated);
        check.Equal("firstPublishedAt", t1, cov.FirstPublishedAt);
        check.Equal("lastPublishedAt", t4, cov.LastPublishedAt);

        // --- coverage, articles basis --------------------------------------------------------------
        Console.WriteLine("coverage, basis=articles");
        var covA = await client.V1.Stories[storyId].Coverage.GetAsync(
                       c => c.QueryParameters.BasisAsGetBasisQueryParameterType = CoverageBasis.Articles)
                   ?? throw new InvalidOperationException("no coverage in the answer");
        check.Equal("basis", StoryCoverage_basis.Articles, covA.Basis);
        check.Equal("totalSources", 3, covA.TotalSources);
        check.Equal("totalArticles", 4, covA.TotalArticles);
        CheckBias(check, covA.Bias, rated: 4, unrated: 0, l: (3, 75), c: (0, 0), r: (1, 25),
            BiasDistribution_majority.Left, "75% of the articles lean Left");
        check.Equal("factuality high (2 articles from the left outlet)", 2, covA.Factuality?.High);

        // --- the bias bar as SVG, the timeline, a reader's profile -------------------------------
        Console.WriteLine("coverage.svg, timeline, reader-profile");
        // Kiota types a response of a media type it does not parse (image/svg+xml) as no body: the client builds the URL,
        // and any HTTP client (or an <img>) fetches the image.
        // (The request information's base address is the document's server until an adapter sends it: only its path and query are taken.)
        var svgPath = client.V1.Stories[storyId].CoverageSvg.ToGetRequestInformation(c => c.QueryParameters.Width = 300).URI.PathAndQuery;
        using (var plainHttp = new HttpClient())
        {
            var svg = await plainHttp.GetAsync(baseUrl + svgPath);
            var text = await svg.Content.ReadAsStringAsync();
            check.Equal("coverage.svg content type", "image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
            check.True("coverage.svg title is the label", text.Contains("<title>67% of the sources lean Left</title>", StringComparison.Ordinal));
            check.True("coverage.svg is the width asked for", text.Contains("width=\"300\"", StringComparison.Ordinal));
        }

        var timeline = await client.V1.Stories[storyId].Timeline.GetAsync()
                       ?? throw new InvalidOperationException("no timeline in the answer");
        check.Equal("timeline: after the last bucket, the coverage's label", "67% of the sources lean Left", timeline.Buckets?.LastOrDefault()?.Cumulative?.Label);
        check.Equal("timeline: each source once", 3, timeline.Buckets?.Sum(b => b.Left + b.Center + b.Right + b.Unrated));
        check.Equal("timeline: the Left's first article", a1.Id, timeline.FirstBySide?.Left?.ArticleId);

        var profile = await client.V1.ReaderProfile.PostAsync(new ReaderProfileRequest
                      {
                          Articles = [$"{a1.Id}", a3.Url!, $"https://unread-{sfx}.example/x?utm_source=kiota"],
                      })
                      ?? throw new InvalidOperationException("no profile in the answer");
        check.Equal("profile: matched", 2, profile.Matched);
        check.Equal("profile: unmatched, canonical", $"https://unread-{sfx}.example/x", profile.Unmatched?.SingleOrDefault());
        check.Equal("profile: sources label", "100% of the sources lean Left", profile.Sources?.Bias?.Label);

        // --- the story page in one call ---------------------------------------------------------
        Console.WriteLine("story with include=coverage,articles");
        var page = await client.V1.Stories[storyId].GetAsync(c => c.QueryParameters.IncludeAsGetIncludeQueryParameterType =
                       [GetIncludeQueryParameterType.Coverage, GetIncludeQueryParameterType.Articles])
                   ?? throw new InvalidOperationException("no story in the answer");
        check.Equal("embedded coverage label", "67% of the sources lean Left", page.Coverage?.Bias?.Label);
        check.Equal("embedded articles, newest first",
            string.Join(",", new[] { a4, a3, a2, a1 }.Select(a => a.Id)),
            string.Join(",", page.Articles?.Items?.Select(a => a.Id) ?? []));
        check.Equal("embedded articles nextCursor on the last page", null, page.Articles?.NextCursor);
        var plain = await client.V1.Stories[storyId].GetAsync();
        check.True("without include, coverage and articles are absent", plain is { Coverage: null, Articles: null });

        // --- batch coverage ------------------------------------------------------------------------
        Console.WriteLine("batch coverage");
        var unknownId = 9_000_000_000_000_000_000L + Random.Shared.NextInt64(1_000_000_000);
        var batch = await client.V1.Coverage.GetAsync(c => c.QueryParameters.StoryIds = [storyId, unknownId, storyId])
                    ?? throw new InvalidOperationException("no batch coverage in the answer");
        check.Equal("items (duplicates folded)", storyId.ToString(),
            string.Join(",", batch.Items?.Select(i => i.StoryId) ?? []));
        check.Equal("missing", unknownId.ToString(), string.Join(",", batch.Missing ?? []));
        var item = batch.Items?.FirstOrDefault();
        check.Equal("batch item is the single-story coverage (label)", cov.Bias?.Label, item?.Bias?.Label);
        check.Equal("batch item is the single-story coverage (left percent)", cov.Bias?.Left?.Percent, item?.Bias?.Left?.Percent);
        var batchA = await client.V1.Coverage.GetAsync(c =>
        {
            c.QueryParameters.StoryIds = [storyId];
            c.QueryParameters.BasisAsGetBasisQueryParameterType = BatchBasis.Articles;
        });
        check.Equal("batch basis=articles label", "75% of the articles lean Left", batchA?.Items?.FirstOrDefault()?.Bias?.Label);

        // --- a bad request surfaces as the generated validation problem -------------------------
        Console.WriteLine("errors");
        try
        {
            await client.V1.Outlets.PostAsync(new OutletRequest { Name = "", Domain = "nope" });
            check.Fail("POST /v1/outlets with an empty name and domain \"nope\"", "no exception: the request succeeded");
        }
        catch (HttpValidationProblemDetails problem)
        {
            check.Equal("400 surfaces as HttpValidationProblemDetails (status code)", 400, problem.ResponseStatusCode);
            check.Equal("problem status", 400, problem.Status);
            check.Equal("problem title", "One or more validation errors occurred.", problem.Title);
            var keys = problem.Errors?.AdditionalData.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>();
            check.Equal("errors keys", "domain,name", string.Join(",", keys));
            check.Equal("errors.name", "'name' must not be empty.", Field(problem, "name"));
            check.True("errors.domain names the value",
                Field(problem, "domain").Contains("'nope'"));
            check.True("traceId is kept in AdditionalData", problem.AdditionalData.ContainsKey("traceId"));
        }

        // A write without the key is a 401 problem.
        try
        {
            await anonymous.V1.Outlets.PostAsync(new OutletRequest { Name = $"Keyless {sfx}", Domain = $"kiota-keyless-{sfx}.example" });
            check.Fail("POST /v1/outlets without X-Api-Key", "no exception: the request succeeded");
        }
        catch (ProblemDetails problem)
        {
            check.Equal("write without a key: 401 as ProblemDetails", 401, problem.ResponseStatusCode);
            check.Equal("problem status", 401, problem.Status);
            check.True("WWW-Authenticate names the header",
                problem.ResponseHeaders.TryGetValue("WWW-Authenticate", out var www) && www.Any(v => v.Contains("X-Api-Key")));
        }
        var keyless = await client.V1.Outlets.GetAsync(c => c.QueryParameters.Q = $"kiota-keyless-{sfx}");
        check.Equal("the refused write created nothing", 0, keyless?.Items?.Count);
        var found = await client.V1.Outlets.GetAsync(c => c.QueryParameters.Q = $"kiota-left-{sfx}");
        check.Equal("(the same search finds an outlet that was created)", left.Id, found?.Items?.SingleOrDefault()?.Id);

        // An unknown key is refused on open reads too.
        try
        {
            await wrongKey.V1.Stories[storyId].Coverage.GetAsync();
            check.Fail("GET coverage with an unknown key", "no exception: the request succeeded");
        }
        catch (ProblemDetails problem)
        {
            check.Equal("read with an unknown key: 401 as ProblemDetails", 401, problem.ResponseStatusCode);
        }
        // Reads stay open without a key.
        var open = await anonymous.V1.Stories[storyId].Coverage.GetAsync();
        check.Equal("read without a key is open", cov.Bias?.Label, open?.Bias?.Label);

        // An unknown story is a 404 problem.
        try
        {
            await client.V1.Stories[unknownId].Coverage.GetAsync();
            check.Fail("GET coverage of an unknown story", "no exception: the request succeeded");
        }
        catch (ProblemDetails problem)
        {
            check.Equal("unknown story: 404 as ProblemDetails", 404, problem.ResponseStatusCode);
        }
    }

    static async Task<Article> CreateArticle(NewsLensClient client, string url, string title, DateTimeOffset publishedAt, long? outletId)
    {
        var article = await client.V1.Articles.PostAsync(new ArticleRequest
        {
            Url = url,
            Title = title,
            PublishedAt = publishedAt,
            OutletId = outletId,
        });
        return article ?? throw new InvalidOperationException("no article in the answer");
    }

    static void CheckBias(Checks check, BiasDistribution? bias, int rated, int unrated,
        (int Count, int Percent) l, (int Count, int Percent) c, (int Count, int Percent) r,
        BiasDistribution_majority majority, string label)
    {
        check.Equal("bias.rated", rated, bias?.Rated);
        check.Equal("bias.unrated", unrated, bias?.Unrated);
        check.Equal("bias.left", $"{l.Count} / {l.Percent}%", Share(bias?.Left));
        check.Equal("bias.center", $"{c.Count} / {c.Percent}%", Share(bias?.Center));
        check.Equal("bias.right", $"{r.Count} / {r.Percent}%", Share(bias?.Right));
        check.Equal("bias.majority", majority, bias?.Majority);
        check.Equal("bias.label", label, bias?.Label);
    }

    static string Share(LeanShare? s) => s is null ? "(absent)" : $"{s.Count} / {(s.Percent is { } p ? p + "%" : "null")}";

    // Kiota path indexers take long; the models carry long? ids.
    static long Id(long? id) => id ?? throw new InvalidOperationException("an id is missing from the answer");

    // The values of a free-form map (errors: {field: [messages]}) arrive as Kiota untyped nodes.
    static string Strings(object? value) => value switch
    {
        null => "(absent)",
        UntypedArray a => string.Join(" | ", a.GetValue().Select(Strings)),
        UntypedString s => s.GetValue() ?? "",
        UntypedNode n => $"({n.GetType().Name})",
        _ => value.ToString() ?? "",
    };

    static string Field(HttpValidationProblemDetails problem, string name) =>
        problem.Errors?.AdditionalData is { } errors && errors.TryGetValue(name, out var value) ? Strings(value) : "(absent)";

    public static string Describe(Exception e) => e switch
    {
        HttpValidationProblemDetails v => $"{v.ResponseStatusCode} {v.Title}: {v.Detail} errors: "
            + string.Join("; ", v.Errors?.AdditionalData.Select(kv => $"{kv.Key}={Strings(kv.Value)}") ?? []),
        ProblemDetails p => $"{p.ResponseStatusCode} {p.Title}: {p.Detail}",
        ApiException a => $"{a.GetType().Name} {a.ResponseStatusCode}: {a.Message}",
        _ => e.ToString(),
    };
}

static class Clients
{
    public static IAuthenticationProvider ApiKey(string key) =>
        new ApiKeyAuthenticationProvider(key, "X-Api-Key", ApiKeyAuthenticationProvider.KeyLocation.Header);

    // Kiota's ApiKeyAuthenticationProvider refuses any URL that is not https ("Only https is
    // supported"), and the scenario's server listens on plain http on a loopback address. So for a
    // loopback http base URL the client is given the https form of it, and LoopbackHttpHandler (the
    // last handler before the socket) switches those requests back to http. Nothing leaves the machine
    // in the clear: any other http base URL is refused.
    public static NewsLensClient Create(string baseUrl, IAuthenticationProvider auth)
    {
        var uri = new Uri(baseUrl);
        var handlers = KiotaClientFactory.CreateDefaultHandlers();
        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            if (!uri.IsLoopback)
                throw new InvalidOperationException($"plain http is only used for loopback addresses, not {uri.Host}");
            baseUrl = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps, Port = uri.Port }.Uri.ToString().TrimEnd('/');
            handlers.Add(new LoopbackHttpHandler());
        }
        var http = KiotaClientFactory.Create(handlers);
        var adapter = new HttpClientRequestAdapter(auth, httpClient: http) { BaseUrl = baseUrl };
        return new NewsLensClient(adapter);
    }

    sealed class LoopbackHttpHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { IsLoopback: true } u && u.Scheme == Uri.UriSchemeHttps)
                request.RequestUri = new UriBuilder(u) { Scheme = Uri.UriSchemeHttp, Port = u.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}

sealed class Checks
{
    public int Passed { get; private set; }
    public int Failed { get; private set; }

    public void Equal<T>(string what, T expected, T actual)
    {
        if (EqualityComparer<T>.Default.Equals(expected, actual)) Pass(what, Show(actual));
        else Fail(what, $"expected {Show(expected)}, got {Show(actual)}");
    }

    public void True(string what, bool ok)
    {
        if (ok) Pass(what, "yes");
        else Fail(what, "no");
    }

    public void Positive(string what, long? id)
    {
        if (id > 0) Pass(what, id.ToString()!);
        else Fail(what, $"expected a positive id, got {Show(id)}");
    }

    public void Fail(string what, string why)
    {
        Failed++;
        Console.WriteLine($"  FAIL {what}: {why}");
    }

    void Pass(string what, string shown)
    {
        Passed++;
        Console.WriteLine($"  ok   {what}: {shown}");
    }

    static string Show<T>(T value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        DateTimeOffset d => d.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz"),
        _ => value.ToString() ?? "null",
    };
}
