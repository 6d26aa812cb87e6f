using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.LoadTest;

/// <summary>One client: works only on its own outlets, stories and articles, so the expected end state is known.</summary>
sealed class LoadClient(int number, HttpClient http, Stats stats, int seed)
{
    private static readonly string?[] Biases = ["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null];
    private readonly Random random = new(seed);
    private readonly Dictionary<long, (string Domain, string? Bias)> outlets = [];
    private readonly HashSet<long> stories = [];
    private readonly Dictionary<long, long> articles = [];           // article → outlet
    private readonly HashSet<(long Story, long Article)> links = [];
    private readonly HashSet<long> deletedStories = [];
    private readonly HashSet<long> deletedArticles = [];
    private readonly HashSet<long> doubtfulOutlets = [];
    private readonly HashSet<long> doubtfulStories = [];
    private readonly HashSet<long> doubtfulArticles = [];
    private int sequence;

    /// <summary>Writes cut off by a crash: the server may or may not have done them, so they are not checked.</summary>
    private Action? inDoubt;

    public int Checked { get; private set; }

    public async Task RunAsync(TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        await RunAsync(stop.Token);
    }

    /// <summary>Steps until <paramref name="stop"/> is cancelled; the step in flight then finishes.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await StepAsync();
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                inDoubt?.Invoke();
                stats.Unanswered(exception);
                await Task.Delay(20);
            }
            finally
            {
                inDoubt = null;
            }
        }
    }

    private async Task StepAsync()
    {
        var roll = random.Next(100);
        if (outlets.Count < 3 || roll < 8)
        {
            var domain = $"load{number}-{sequence++}-{Guid.NewGuid():N}"[..30] + ".example";
            var bias = Biases[random.Next(Biases.Length)];
            if (await WriteAsync(HttpMethod.Post, "/v1/outlets", new { name = $"Outlet {domain}", domain, bias }) is { } outlet)
            {
                outlets[(long)outlet["id"]!] = (domain, bias);
            }
        }
        else if (stories.Count < 2 || roll < 14)
        {
            if (await WriteAsync(HttpMethod.Post, "/v1/stories", new { title = $"Load story {number}-{sequence++}" }) is { } story)
            {
                stories.Add((long)story["id"]!);
            }
        }
        else if (articles.Count < 3 || roll < 32)
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            var url = $"https://{outlets[outletId].Domain}/a/{sequence++}";
            var published = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(500_000));
            if (await WriteAsync(HttpMethod.Post, "/v1/articles", new { url, title = "Load article", publishedAt = published, outletId }) is { } article)
            {
                articles[(long)article["id"]!] = outletId;
            }
        }
        else if (roll < 55)
        {
            var link = (stories.ElementAt(random.Next(stories.Count)), articles.Keys.ElementAt(random.Next(articles.Count)));
            inDoubt = () => doubtfulStories.Add(link.Item1);
            if (await WriteAsync(HttpMethod.Put, $"/v1/stories/{link.Item1}/articles/{link.Item2}", null, expectNoContent: true) is not null)
            {
                links.Add(link);
            }
        }
        else if (roll < 62 && links.Count > 0)
        {
            var link = links.ElementAt(random.Next(links.Count));
            inDoubt = () => doubtfulStories.Add(link.Story);
            if (await WriteAsync(HttpMethod.Delete, $"/v1/stories/{link.Story}/articles/{link.Article}", null, expectNoContent: true) is not null)
            {
                links.Remove(link);
            }
        }
        else if (roll < 70)
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            var bias = Biases[random.Next(Biases.Length)];
            inDoubt = () => doubtfulOutlets.Add(outletId);
            if (await WriteAsync(HttpMethod.Put, $"/v1/outlets/{outletId}", new { name = $"Outlet {outlets[outletId].Domain}", domain = outlets[outletId].Domain, bias }) is not null)
            {
                outlets[outletId] = (outlets[outletId].Domain, bias);
            }
        }
        else if (roll < 73 && articles.Count > 3)
        {
            var articleId = articles.Keys.ElementAt(random.Next(articles.Count));
            inDoubt = () =>
            {
                doubtfulArticles.Add(articleId);
                doubtfulStories.UnionWith(links.Where(l => l.Article == articleId).Select(l => l.Story));
            };
            if (await WriteAsync(HttpMethod.Delete, $"/v1/articles/{articleId}", null, expectNoContent: true) is not null)
            {
                articles.Remove(articleId);
                deletedArticles.Add(articleId);
                links.RemoveWhere(l => l.Article == articleId);
            }
        }
        else if (roll < 75 && stories.Count > 2)
        {
            var storyId = stories.ElementAt(random.Next(stories.Count));
            inDoubt = () => doubtfulStories.Add(storyId);
            if (await WriteAsync(HttpMethod.Delete, $"/v1/stories/{storyId}", null, expectNoContent: true) is not null)
            {
                stories.Remove(storyId);
                deletedStories.Add(storyId);
                links.RemoveWhere(l => l.Story == storyId);
            }
        }
        else if (roll < 79)
        {
            await ImportAsync();
        }
        else if (roll < 92)
        {
            await ReadAsync($"/v1/stories/{stories.ElementAt(random.Next(stories.Count))}/coverage");
        }
        else
        {
            await ReadAsync(random.Next(2) == 0 ? "/v1/stories?include=coverage&limit=20" : $"/v1/coverage?storyIds={string.Join(',', stories.Take(20))}");
        }
    }

    /// <summary>A bulk import of three new articles linked to one story: all or nothing, even when cut off.</summary>
    private async Task ImportAsync()
    {
        var storyId = stories.ElementAt(random.Next(stories.Count));
        var rows = Enumerable.Range(0, 3).Select(_ =>
        {
            var outletId = outlets.Keys.ElementAt(random.Next(outlets.Count));
            return new { url = $"https://{outlets[outletId].Domain}/import/{sequence++}", title = "Imported", publishedAt = "2025-03-03T03:03:03Z", outletId, storyIds = new[] { storyId } };
        }).ToList();
        inDoubt = () =>
        {
            doubtfulStories.Add(storyId);
            doubtfulImports.Add([.. rows.Select(r => r.url)]);
        };
        if (await WriteAsync(HttpMethod.Post, "/v1/articles/import", rows) is null)
        {
            return;
        }

        // Acknowledged: the import is all there. Only the story's link set is unknown if the lookups below are
        // cut off (some article ids would be missing), so the import itself is no longer in doubt. Leaving it
        // in doubt here made a later delete of one of its (known) articles look like a half-applied import.
        inDoubt = () => doubtfulStories.Add(storyId);

        foreach (var row in rows)
        {
            stats.Request();
            // An answer is counted as one, whatever its status: a 503 here (the database went away after the import)
            // leaves the story's links in doubt, and is an answer, not a request cut off.
            using var response = await http.GetAsync($"/v1/articles?url={Uri.EscapeDataString(row.url)}");
            await stats.RecordAsync("GET /v1/articles?url=", response);
            if (!response.IsSuccessStatusCode)
            {
                doubtfulStories.Add(storyId);
                return;
            }

            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            var id = (long)page!["items"]![0]!["id"]!;
            articles[id] = row.outletId;
            links.Add((storyId, id));
        }
    }

    private readonly List<string[]> doubtfulImports = [];

    private async Task<JsonNode?> WriteAsync(HttpMethod method, string url, object? body, bool expectNoContent = false)
    {
        stats.Request();
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        await stats.RecordAsync($"{method} {url}", response);
        if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
        {
            // A proxy's answer when the replica that took the write failed or went silent before answering: the
            // write may or may not have been done, as when a crash cuts the request off.
            inDoubt?.Invoke();
        }

        if (!response.IsSuccessStatusCode)
        {
            if ((int)response.StatusCode < 500)
            {
                stats.Errors.Enqueue($"{method} {url} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return null;
        }

        stats.Ack();
        return expectNoContent ? new JsonObject() : JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task ReadAsync(string url)
    {
        stats.Request();
        using var response = await http.GetAsync(url);
        await stats.RecordAsync($"GET {url}", response);
    }

    /// <summary>Every acknowledged write, as the server answers it now; returns how many are lost or wrong.</summary>
    public async Task<int> VerifyAsync()
    {
        var wrong = 0;
        async Task<HttpResponseMessage> Get(string url) { Checked++; return await http.GetAsync(url); }

        foreach (var (id, (_, bias)) in outlets.Where(o => !doubtfulOutlets.Contains(o.Key)))
        {
            var outlet = JsonNode.Parse(await (await Get($"/v1/outlets/{id}")).Content.ReadAsStringAsync());
            if ((string?)outlet?["bias"] != bias) { wrong++; stats.Errors.Enqueue($"outlet {id}: bias {(string?)outlet?["bias"]}, expected {bias}"); }
        }

        foreach (var urls in doubtfulImports)
        {
            // An import cut off by a crash is all there or absent, never half.
            var present = 0;
            foreach (var url in urls)
            {
                var page = JsonNode.Parse(await (await Get($"/v1/articles?url={Uri.EscapeDataString(url)}")).Content.ReadAsStringAsync());
                present += page?["items"]?.AsArray().Count ?? 0;
            }

            if (present != 0 && present != urls.Length)
            {
                wrong++;
                stats.Errors.Enqueue($"half-applied import: {present} of {urls.Length} rows present");
            }
        }

        foreach (var id in articles.Keys.Where(a => !doubtfulArticles.Contains(a)))
        {
            if ((await Get($"/v1/articles/{id}")).StatusCode != HttpStatusCode.OK) { wrong++; stats.Errors.Enqueue($"article {id} lost"); }
        }

        foreach (var id in deletedArticles.Concat(deletedStories.Select(s => -s)).Where(i => !doubtfulArticles.Contains(i) && !doubtfulStories.Contains(-i)))
        {
            var url = id > 0 ? $"/v1/articles/{id}" : $"/v1/stories/{-id}";
            if ((await Get(url)).StatusCode != HttpStatusCode.NotFound) { wrong++; stats.Errors.Enqueue($"{url} deleted but still there"); }
        }

        foreach (var id in stories.Where(s => !doubtfulStories.Contains(s)))
        {
            if (links.Any(l => l.Story == id && doubtfulArticles.Contains(l.Article)))
            {
                continue;
            }

            var page = JsonNode.Parse(await (await Get($"/v1/stories/{id}/articles?limit=200")).Content.ReadAsStringAsync());
            var linked = page?["items"]?.AsArray().Select(a => (long)a!["id"]!).ToHashSet() ?? [];
            var expected = links.Where(l => l.Story == id).Select(l => l.Article).ToHashSet();
            if (!linked.SetEquals(expected)) { wrong++; stats.Errors.Enqueue($"story {id}: links {string.Join(',', linked)}, expected {string.Join(',', expected)}"); }

            var coverage = JsonNode.Parse(await (await Get($"/v1/stories/{id}/coverage")).Content.ReadAsStringAsync());
            var sources = expected.Select(a => articles.TryGetValue(a, out var outlet) ? outlet : -a).Distinct().Count();
            if ((int?)coverage?["totalArticles"] != expected.Count || (int?)coverage?["totalSources"] != sources)
            {
                wrong++;
                stats.Errors.Enqueue($"story {id}: coverage {coverage?["totalArticles"]}/{coverage?["totalSources"]}, expected {expected.Count}/{sources}");
            }
        }

        return wrong;
    }
}
