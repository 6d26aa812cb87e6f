using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace NewsLens.Benchmarks;

/// <summary>What a generated database holds and how fast it was written; the load run reads ids from it.</summary>
public sealed record Manifest(
    string Size,
    int Outlets,
    int Stories,
    long Articles,
    long Links,
    double OutletSeconds,
    double StorySeconds,
    double ArticleSeconds,
    Dictionary<string, long> SpecialStories,
    long[] TypicalStories,
    long[] OutletIds)
{
    public double StoriesPerSecond => Stories / StorySeconds;
    public double ArticlesPerSecond => Articles / ArticleSeconds;
}

/// <summary>
/// Builds a <see cref="DataPlan"/> through the service's own write path: outlets by one CSV-less JSON import,
/// stories by POST (8 at a time: there is no story import), articles by NDJSON imports of
/// <see cref="ChunkRows"/> rows sent one after another while the next chunk is serialized.
/// </summary>
public sealed class DataGenerator(HttpClient http, TextWriter log)
{
    public const int ChunkRows = 50_000;

    public async Task<Manifest> GenerateAsync(DataPlan plan, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        using (var response = await http.PostAsJsonAsync("/v1/outlets/import",
            plan.Outlets.Select(o => new { name = o.Name, domain = o.Domain, bias = o.Bias, factuality = o.Factuality, ownership = o.Ownership, country = o.Country }), ct))
        {
            await EnsureAsync(response, "outlet import");
        }

        var outletSeconds = clock.Elapsed.TotalSeconds;
        log.WriteLine($"generate: {plan.Outlets.Count:N0} outlets in {outletSeconds:F2} s");

        clock.Restart();
        var storyIds = new long[plan.StorySizes.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, storyIds.Length), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            using var response = await http.PostAsJsonAsync("/v1/stories", new { title = plan.StoryTitle(i), summary = "Generated for the NewsLens benchmark." }, token);
            await EnsureAsync(response, "story");
            storyIds[i] = (long)JsonNode.Parse(await response.Content.ReadAsStringAsync(token))!["id"]!;
        });
        var storySeconds = clock.Elapsed.TotalSeconds;
        log.WriteLine($"generate: {storyIds.Length:N0} stories in {storySeconds:F2} s ({storyIds.Length / storySeconds:N0}/s)");

        clock.Restart();
        var (articles, links) = await ImportArticlesAsync(plan, storyIds, ct);
        var articleSeconds = clock.Elapsed.TotalSeconds;
        log.WriteLine($"generate: {articles:N0} articles with {links:N0} links in {articleSeconds:F2} s ({articles / articleSeconds:N0} articles/s)");

        var special = plan.SpecialStories.ToDictionary(s => s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), s => storyIds[s.Value]);
        var random = new Random(plan.Size.Seed);
        var typical = Enumerable.Range(0, storyIds.Length).Where(i => !plan.SpecialStories.Values.Contains(i))
            .OrderBy(_ => random.Next()).Take(5_000).Select(i => storyIds[i]).ToArray();
        return new Manifest(plan.Size.Describe(), plan.Outlets.Count, storyIds.Length, articles, links, outletSeconds, storySeconds, articleSeconds,
            special, typical, await OutletIdsAsync(ct));
    }

    /// <summary>Sends the articles in NDJSON chunks; a producer serializes the next chunk while the server imports the last.</summary>
    private async Task<(long Articles, long Links)> ImportArticlesAsync(DataPlan plan, long[] storyIds, CancellationToken ct)
    {
        var chunks = Channel.CreateBounded<(byte[] Body, int Rows, int Links)>(2);
        var producer = Task.Run(async () =>
        {
            var buffer = new MemoryStream();
            var writer = new Utf8JsonWriter(buffer);
            int rows = 0, links = 0;
            foreach (var article in plan.Articles())
            {
                writer.WriteStartObject();
                writer.WriteString("url", article.Url);
                writer.WriteString("title", article.Title);
                writer.WriteString("publishedAt", article.PublishedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteStartArray("storyIds");
                writer.WriteNumberValue(storyIds[article.Story]);
                links++;
                if (article.SecondStory >= 0)
                {
                    writer.WriteNumberValue(storyIds[article.SecondStory]);
                    links++;
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.Flush();
                writer.Reset();
                buffer.WriteByte((byte)'\n');
                if (++rows == ChunkRows)
                {
                    await chunks.Writer.WriteAsync((buffer.ToArray(), rows, links), ct);
                    buffer.SetLength(0);
                    (rows, links) = (0, 0);
                }
            }

            if (rows > 0)
            {
                await chunks.Writer.WriteAsync((buffer.ToArray(), rows, links), ct);
            }

            chunks.Writer.Complete();
        }, ct);

        long articles = 0, linked = 0;
        await foreach (var (body, rows, links) in chunks.Reader.ReadAllAsync(ct))
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var response = await http.PostAsync("/v1/articles/import", content, ct);
            await EnsureAsync(response, "article import");
            var result = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            if ((int)result["created"]! != rows)
            {
                throw new InvalidOperationException($"An article import created {result["created"]} of {rows} rows: is the database not empty?");
            }

            articles += rows;
            linked += links;
        }

        await producer;
        return (articles, linked);
    }

    private async Task<long[]> OutletIdsAsync(CancellationToken ct)
    {
        var ids = new List<long>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await http.GetStringAsync("/v1/outlets?limit=200" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), ct))!;
            ids.AddRange(page["items"]!.AsArray().Select(o => (long)o!["id"]!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);
        return [.. ids];
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
        }
    }
}

/// <summary>
/// Waits out a 429 for as long as its Retry-After says and sends the request again, as a polite client does, so
/// the generator also works against a server whose rate limiting is on (slowly: switch it off for a benchmark).
/// </summary>
public sealed class RetryAfterHandler() : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // Buffer the body once: a request message's content can be sent again only if it is buffered.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(ct);
        }

        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(request, ct);
            if (response.StatusCode != System.Net.HttpStatusCode.TooManyRequests || attempt == 100)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait, ct);
        }
    }
}

