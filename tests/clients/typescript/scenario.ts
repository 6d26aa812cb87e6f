// End-to-end scenario for the TypeScript client generated from openapi/newslens.v1.json
// (openapi-typescript types + openapi-fetch), run against a live server by run.sh.
//
// Needs NEWSLENS_BASE_URL (e.g. http://127.0.0.1:5123) and NEWSLENS_API_KEY. The database may already
// hold data from other scenarios: everything here is created fresh under a random suffix.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type StoryCoverage = components["schemas"]["StoryCoverage"];

const baseUrl = (process.env.NEWSLENS_BASE_URL ?? "").replace(/\/+$/, "");
const apiKey = process.env.NEWSLENS_API_KEY ?? "";
if (!baseUrl || !apiKey) {
  console.error("scenario: NEWSLENS_BASE_URL and NEWSLENS_API_KEY must be set");
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// A tiny assertion kit: `check` records a pass or a failure and goes on; `must` stops the scenario
// (used where later steps depend on the answer).

let passed = 0;
const failures: string[] = [];

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function check(what: string, actual: unknown, expected: unknown): boolean {
  const a = stable(actual);
  const e = stable(expected);
  if (a === e) {
    passed++;
    console.log(`  ok   ${what}`);
    return true;
  }
  failures.push(`${what}: expected ${e}, got ${a}`);
  console.log(`  FAIL ${what}\n       expected ${e}\n       actual   ${a}`);
  return false;
}

function checkTrue(what: string, condition: boolean, detail = ""): boolean {
  return check(what + (detail && !condition ? ` (${detail})` : ""), condition, true);
}

class ScenarioAbort extends Error {}

function must<T>(what: string, value: T | undefined, response: Response, expectedStatus: number): T {
  if (!check(`${what} -> ${expectedStatus}`, response.status, expectedStatus) || value === undefined) {
    throw new ScenarioAbort(`${what}: cannot go on without its answer (status ${response.status})`);
  }
  return value;
}

function section(title: string): void {
  console.log(`\n${title}`);
}

// ---------------------------------------------------------------------------------------------
// Clients. `requests` records every URL sent, so the query serialization can be checked on the wire.

const requests: string[] = [];
const recordingFetch = (request: Request): Promise<Response> => {
  requests.push(`${request.method} ${request.url}`);
  return globalThis.fetch(request);
};

// storyIds (GET /v1/coverage) and include (GET /v1/stories, GET /v1/stories/{storyId}) are `style: form,
// explode: false` in the document: comma-separated. openapi-fetch only has types, not the document's
// serialization styles, and defaults to explode: true (storyIds=1&storyIds=2), so it is configured here.
const querySerializer = { array: { style: "form", explode: false } } as const;

const api = createClient<paths>({
  baseUrl,
  headers: { "X-Api-Key": apiKey },
  querySerializer,
  fetch: recordingFetch,
});
const anonymous = createClient<paths>({ baseUrl, querySerializer, fetch: recordingFetch });
const wrongKey = createClient<paths>({
  baseUrl,
  headers: { "X-Api-Key": `not-a-key-${Date.now()}` },
  querySerializer,
  fetch: recordingFetch,
});

const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

function contentType(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`NewsLens TypeScript client scenario against ${baseUrl} (suffix ${suffix})`);

  section("1. Three outlets (left, lean_left, right)");
  const outletSpecs = [
    { tag: "left", bias: "left", factuality: "high", ownership: "independent", country: "us" },
    { tag: "leanleft", bias: "lean_left", factuality: "mixed", ownership: "corporation", country: "gb" },
    { tag: "right", bias: "right", factuality: null, ownership: null, country: null },
  ] as const;
  const outlets: components["schemas"]["Outlet"][] = [];
  for (const spec of outletSpecs) {
    const domain = `${spec.tag}-${suffix}.example`;
    const { data, response } = await api.POST("/v1/outlets", {
      body: {
        name: `  TS ${spec.tag} ${suffix}  `,
        // a URL with scheme, www., upper case and a path: stored as the bare host
        domain: `https://WWW.${domain.toUpperCase()}/news?x=1`,
        bias: spec.bias,
        factuality: spec.factuality,
        ownership: spec.ownership,
        country: spec.country,
      },
    });
    const outlet = must(`POST /v1/outlets (${spec.bias})`, data, response, 201);
    check(`outlet ${spec.tag}: domain normalized`, outlet.domain, domain);
    check(`outlet ${spec.tag}: name trimmed`, outlet.name, `TS ${spec.tag} ${suffix}`);
    check(`outlet ${spec.tag}: lean derived`, outlet.lean, spec.bias === "right" ? "right" : "left");
    check(`outlet ${spec.tag}: country upper case`, outlet.country, spec.country?.toUpperCase() ?? null);
    checkTrue(`outlet ${spec.tag}: ETag on the POST answer`, !!response.headers.get("etag"));
    check(`outlet ${spec.tag}: its bias is its NewsLens rating`, outlet.ratings.map((r) => [r.rater, r.bias, r.recordedBy !== null]),
      [["newslens", spec.bias, true]]);
    outlets.push(outlet);
  }
  const [leftOutlet, leanLeftOutlet, rightOutlet] = outlets as [
    components["schemas"]["Outlet"],
    components["schemas"]["Outlet"],
    components["schemas"]["Outlet"],
  ];

  section("2. A story");
  const storyTitle = `TS client scenario ${suffix}`;
  const created = await api.POST("/v1/stories", { body: { title: storyTitle, summary: "Four articles, three sources." } });
  const story = must("POST /v1/stories", created.data, created.response, 201);
  check("story title", story.title, storyTitle);

  section("3. Four articles (two from the left outlet, one each from the others)");
  const articleSpecs = [
    // outletId given
    { url: `https://${leftOutlet.domain}/a1?utm_source=feed&id=1`, canonical: `https://${leftOutlet.domain}/a1?id=1`,
      outletId: leftOutlet.id, publishedAt: "2025-06-01T09:30:00+02:00", utc: "2025-06-01T07:30:00Z" },
    // outletId omitted: found from the URL's host through its closest parent domain
    { url: `https://Edition.${leftOutlet.domain}:443/a2#top`, canonical: `https://edition.${leftOutlet.domain}/a2`,
      outletId: undefined, publishedAt: "2025-06-01T08:15:30.250Z", utc: "2025-06-01T08:15:30.25Z" },
    { url: `https://${leanLeftOutlet.domain}/b1`, canonical: `https://${leanLeftOutlet.domain}/b1`,
      outletId: leanLeftOutlet.id, publishedAt: "2025-06-02T00:00:00-05:00", utc: "2025-06-02T05:00:00Z" },
    { url: `http://${rightOutlet.domain}/c1`, canonical: `http://${rightOutlet.domain}/c1`,
      outletId: rightOutlet.id, publishedAt: "2025-05-31T23:59:59Z", utc: "2025-05-31T23:59:59Z" },
  ];
  const expectedOutletIds = [leftOutlet.id, leftOutlet.id, leanLeftOutlet.id, rightOutlet.id];
  const articles: components["schemas"]["Article"][] = [];
  for (const [i, spec] of articleSpecs.entries()) {
    const { data, response } = await api.POST("/v1/articles", {
      body: {
        url: spec.url,
        title: `Article ${i + 1} ${suffix}`,
        publishedAt: spec.publishedAt,
        ...(spec.outletId !== undefined ? { outletId: spec.outletId } : {}),
      },
    });
    const article = must(`POST /v1/articles #${i + 1}`, data, response, 201);
    check(`article ${i + 1}: canonical url`, article.url, spec.canonical);
    check(`article ${i + 1}: outlet`, article.outletId, expectedOutletIds[i]);
    check(`article ${i + 1}: publishedAt in UTC`, Date.parse(article.publishedAt), Date.parse(spec.utc));
    checkTrue(`article ${i + 1}: publishedAt ends in Z`, article.publishedAt.endsWith("Z"), article.publishedAt);
    articles.push(article);
  }

  section("4. Link the articles to the story");
  for (const article of articles) {
    const { response } = await api.PUT("/v1/stories/{storyId}/articles/{articleId}", {
      params: { path: { storyId: story.id, articleId: article.id } },
    });
    check(`PUT /v1/stories/${story.id}/articles/${article.id}`, response.status, 204);
  }
  {
    const { response } = await api.PUT("/v1/stories/{storyId}/articles/{articleId}", {
      params: { path: { storyId: story.id, articleId: articles[0]!.id } },
    });
    check("linking again is idempotent (204)", response.status, 204);
  }

  section("5. Coverage of the story");
  const first = "2025-05-31T23:59:59Z";
  const last = "2025-06-02T05:00:00Z";
  const expectedSources: StoryCoverage = {
    storyId: story.id,
    basis: "sources",
    totalArticles: 4,
    totalSources: 3,
    bias: {
      rated: 3,
      unrated: 0,
      left: { count: 2, percent: 67, low: 20, high: 94 },
      center: { count: 0, percent: 0, low: 0, high: 57 },
      right: { count: 1, percent: 33, low: 6, high: 80 },
      majority: "left",
      label: "67% of the sources lean Left",
    },
    blindspot: null,
    factuality: { very_high: 0, high: 1, mostly_factual: 0, mixed: 1, low: 0, very_low: 0, unrated: 1 },
    ownership: {
      independent: 1, media_conglomerate: 0, billionaire: 0, private_equity: 0, government: 0,
      corporation: 1, telecom: 0, other: 0, unrated: 1,
    },
    firstPublishedAt: first,
    lastPublishedAt: last,
    ratings: { rater: "combined", method: "mean", asOf: null },
    disagreement: { multiRated: 0, contested: 0 },
  };
  const expectedArticles: StoryCoverage = {
    ...expectedSources,
    basis: "articles",
    bias: {
      rated: 4,
      unrated: 0,
      left: { count: 3, percent: 75, low: 30, high: 96 },
      center: { count: 0, percent: 0, low: 0, high: 49 },
      right: { count: 1, percent: 25, low: 4, high: 70 },
      majority: "left",
      label: "75% of the articles lean Left",
    },
    factuality: { very_high: 0, high: 2, mostly_factual: 0, mixed: 1, low: 0, very_low: 0, unrated: 1 },
    ownership: {
      independent: 2, media_conglomerate: 0, billionaire: 0, private_equity: 0, government: 0,
      corporation: 1, telecom: 0, other: 0, unrated: 1,
    },
  };

  // Compare timestamps as instants (the server may write 07:30:00Z or 07:30:00.000Z).
  const iso = (c: StoryCoverage): StoryCoverage => ({
    ...c,
    firstPublishedAt: c.firstPublishedAt === null ? null : new Date(c.firstPublishedAt).toISOString(),
    lastPublishedAt: c.lastPublishedAt === null ? null : new Date(c.lastPublishedAt).toISOString(),
  });

  const sources = await api.GET("/v1/stories/{storyId}/coverage", { params: { path: { storyId: story.id } } });
  const coverage = must("GET /v1/stories/{storyId}/coverage", sources.data, sources.response, 200);
  check("coverage (sources) content type", contentType(sources.response), "application/json");
  check("coverage (sources): totals", [coverage.totalSources, coverage.totalArticles], [3, 4]);
  check("coverage (sources): rated/unrated", [coverage.bias.rated, coverage.bias.unrated], [3, 0]);
  check("coverage (sources): left 2 -> 67%", coverage.bias.left, { count: 2, percent: 67, low: 20, high: 94 });
  check("coverage (sources): center 0 -> 0%", coverage.bias.center, { count: 0, percent: 0, low: 0, high: 57 });
  check("coverage (sources): right 1 -> 33%", coverage.bias.right, { count: 1, percent: 33, low: 6, high: 80 });
  check("coverage (sources): majority", coverage.bias.majority, "left");
  check("coverage (sources): label", coverage.bias.label, "67% of the sources lean Left");
  check("coverage (sources): whole object", iso(coverage), iso(expectedSources));
  const cacheControl = sources.response.headers.get("cache-control") ?? "";
  checkTrue("coverage Cache-Control is public/private with a max-age", /^(public|private), max-age=\d+$/.test(cacheControl), cacheControl);

  const etag = sources.response.headers.get("etag");
  checkTrue("coverage carries an ETag", !!etag);
  if (etag) {
    const again = await api.GET("/v1/stories/{storyId}/coverage", {
      params: { path: { storyId: story.id }, header: { "If-None-Match": etag } },
    });
    check("coverage with If-None-Match -> 304", again.response.status, 304);
  }

  const byArticles = await api.GET("/v1/stories/{storyId}/coverage", {
    params: { path: { storyId: story.id }, query: { basis: "articles" } },
  });
  const articleCoverage = must("GET /v1/stories/{storyId}/coverage?basis=articles", byArticles.data, byArticles.response, 200);
  check("coverage (articles): rated", articleCoverage.bias.rated, 4);
  check("coverage (articles): left 3 -> 75%", articleCoverage.bias.left, { count: 3, percent: 75, low: 30, high: 96 });
  check("coverage (articles): right 1 -> 25%", articleCoverage.bias.right, { count: 1, percent: 25, low: 4, high: 70 });
  check("coverage (articles): label", articleCoverage.bias.label, "75% of the articles lean Left");
  check("coverage (articles): whole object", iso(articleCoverage), iso(expectedArticles));

  section("5b. The bias bar as SVG and the timeline");
  const bar = await api.GET("/v1/stories/{storyId}/coverage.svg", {
    params: { path: { storyId: story.id }, query: { width: 300, theme: "dark" } },
    parseAs: "text",
  });
  check("coverage.svg status", bar.response.status, 200);
  check("coverage.svg content type", contentType(bar.response), "image/svg+xml");
  check("coverage.svg Content-Security-Policy", bar.response.headers.get("content-security-policy"), "default-src 'none'");
  const svg = typeof bar.data === "string" ? bar.data : "";
  checkTrue("coverage.svg title is the label", svg.includes("<title>67% of the sources lean Left</title>"), svg.slice(0, 300));
  checkTrue("coverage.svg is 300 px wide", svg.includes('width="300"'), svg.slice(0, 120));

  const timelineAnswer = await api.GET("/v1/stories/{storyId}/timeline", {
    params: { path: { storyId: story.id }, query: { bucket: "day", basis: "sources" } },
  });
  const timeline = must("GET /v1/stories/{storyId}/timeline", timelineAnswer.data, timelineAnswer.response, 200);
  check("timeline: bucket and basis", [timeline.bucket, timeline.basis], ["day", "sources"]);
  const lastBucket = timeline.buckets[timeline.buckets.length - 1];
  check("timeline: after the last bucket, the coverage's label", lastBucket?.cumulative.label, "67% of the sources lean Left");
  check(
    "timeline: sources counted once, in their first article's bucket",
    timeline.buckets.reduce((n, b) => n + b.left + b.center + b.right + b.unrated, 0),
    3,
  );
  checkTrue("timeline: the Left's first article is named", typeof timeline.firstBySide.left?.articleId === "number");

  section("5c. A reader's own bias profile (ids and URLs, nothing stored)");
  const profileAnswer = await api.POST("/v1/reader-profile", {
    body: { articles: [String(articles[0]!.id), articleSpecs[1]!.url, String(articles[2]!.id), articles[3]!.url, `https://unread-${suffix}.example/x?utm_source=y`] },
  });
  const profile = must("POST /v1/reader-profile", profileAnswer.data, profileAnswer.response, 200);
  check("profile Cache-Control", profileAnswer.response.headers.get("cache-control"), "no-store");
  check("profile: items, matched", [profile.items, profile.matched], [5, 4]);
  check("profile: unmatched, canonical", profile.unmatched, [`https://unread-${suffix}.example/x`]);
  check("profile: sources label (the story's outlets)", profile.sources.bias.label, "67% of the sources lean Left");
  check("profile: articles label", profile.articles.bias.label, "75% of the articles lean Left");
  check("profile: reads the Right least", profile.readsLeast, "right");

  section("6. Batch coverage (storyIds as form, explode: false)");
  const empty = await api.POST("/v1/stories", { body: { title: `TS empty story ${suffix}` } });
  const emptyStory = must("POST /v1/stories (empty story)", empty.data, empty.response, 201);
  const gone = await api.POST("/v1/stories", { body: { title: `TS deleted story ${suffix}` } });
  const goneStory = must("POST /v1/stories (to delete)", gone.data, gone.response, 201);
  const deleted = await api.DELETE("/v1/stories/{storyId}", { params: { path: { storyId: goneStory.id } } });
  check(`DELETE /v1/stories/${goneStory.id}`, deleted.response.status, 204);

  const storyIds = [story.id, goneStory.id, emptyStory.id, story.id];
  const batch = await api.GET("/v1/coverage", { params: { query: { storyIds } } });
  const sentUrl = new URL(batch.response.url || requests[requests.length - 1]!.split(" ")[1]!);
  check(
    "batch URL carries storyIds comma-separated",
    sentUrl.search,
    `?storyIds=${story.id},${goneStory.id},${emptyStory.id},${story.id}`,
  );
  const batchBody = must("GET /v1/coverage", batch.data, batch.response, 200);
  check("batch: items in the order asked, duplicates folded", batchBody.items.map((c) => c.storyId), [story.id, emptyStory.id]);
  check("batch: missing", batchBody.missing, [goneStory.id]);
  check("batch: item equals the single-story coverage", batchBody.items[0] && iso(batchBody.items[0]), iso(expectedSources));
  check("batch: empty story label", batchBody.items[1]?.bias.label, "No rated sources");
  check("batch: empty story percents null", [batchBody.items[1]?.bias.left.percent, batchBody.items[1]?.bias.center.percent, batchBody.items[1]?.bias.right.percent], [null, null, null]);

  const batchArticles = await api.GET("/v1/coverage", { params: { query: { storyIds: [story.id], basis: "articles" } } });
  const batchArticlesBody = must("GET /v1/coverage?basis=articles", batchArticles.data, batchArticles.response, 200);
  check("batch (articles): item equals the single-story coverage", batchArticlesBody.items.map(iso), [iso(expectedArticles)]);

  section("7. Story page in one call (include=coverage,articles)");
  const page = await api.GET("/v1/stories/{storyId}", {
    params: { path: { storyId: story.id }, query: { include: ["coverage", "articles"] } },
  });
  const pageUrl = new URL(requests[requests.length - 1]!.split(" ")[1]!);
  check("include is comma-separated", decodeURIComponent(pageUrl.search), "?include=coverage,articles");
  const storyPage = must("GET /v1/stories/{storyId}?include=coverage,articles", page.data, page.response, 200);
  check("story page: coverage", storyPage.coverage && iso(storyPage.coverage), iso(expectedSources));
  check(
    "story page: articles newest first",
    storyPage.articles?.items.map((a) => a.id),
    [articles[2]!.id, articles[1]!.id, articles[0]!.id, articles[3]!.id],
  );
  check("story page: article outlet embedded", storyPage.articles?.items[0]?.outlet.domain, leanLeftOutlet.domain);
  const plain = await api.GET("/v1/stories/{storyId}", { params: { path: { storyId: story.id } } });
  const plainStory = must("GET /v1/stories/{storyId}", plain.data, plain.response, 200);
  checkTrue("without include, coverage and articles are absent", !("coverage" in plainStory) && !("articles" in plainStory));

  section("8. A bad request is a problem+json naming each field");
  const bad = await api.POST("/v1/outlets", { body: { name: "", domain: "nope" } });
  check("POST /v1/outlets {name:'',domain:'nope'} -> 400", bad.response.status, 400);
  check("400 content type", contentType(bad.response), "application/problem+json");
  const problem = bad.error;
  const errorKeys =
    problem && typeof problem === "object" && "errors" in problem && problem.errors ? Object.keys(problem.errors).sort() : null;
  check("problem.errors keys", errorKeys, ["domain", "name"]);
  check("problem.status", problem && typeof problem === "object" && "status" in problem ? problem.status : null, 400);
  checkTrue("no data on an error", bad.data === undefined);

  section("9. Writes need the key");
  const noKey = await anonymous.POST("/v1/stories", { body: { title: `TS unauthorized ${suffix}` } });
  check("POST /v1/stories without X-Api-Key -> 401", noKey.response.status, 401);
  check("401 content type", contentType(noKey.response), "application/problem+json");
  check("401 WWW-Authenticate", noKey.response.headers.get("www-authenticate"), 'ApiKey header="X-Api-Key"');
  const noKeyDelete = await anonymous.DELETE("/v1/stories/{storyId}", { params: { path: { storyId: story.id } } });
  check("DELETE /v1/stories/{storyId} without X-Api-Key -> 401", noKeyDelete.response.status, 401);
  const openRead = await anonymous.GET("/v1/stories/{storyId}/coverage", { params: { path: { storyId: story.id } } });
  check("reads are open without a key (200)", openRead.response.status, 200);
  const unknownKey = await wrongKey.GET("/v1/stories/{storyId}/coverage", { params: { path: { storyId: story.id } } });
  check("an unknown key is refused on an open read (401)", unknownKey.response.status, 401);
  const stillThere = await api.GET("/v1/stories/{storyId}", { params: { path: { storyId: story.id } } });
  check("the refused delete changed nothing", stillThere.response.status, 200);
}

const started = Date.now();
try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  failures.push(error instanceof ScenarioAbort ? message : `unexpected error: ${error instanceof Error ? error.stack : message}`);
  console.log(`\n  ABORT ${message}`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\nTypeScript client scenario: ${requests.length} requests in ${seconds}s`);
if (failures.length > 0) {
  console.log("Failures:");
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length > 0 ? 1 : 0);
