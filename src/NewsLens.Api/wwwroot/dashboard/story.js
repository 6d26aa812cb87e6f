// A story page: the bar, the coverage details, the timeline and the articles grouped by lean.
import { coverageSvgUrl, getAll, getJson, theme } from './api.js';
import { legend, mixBars, timelineChart } from './charts.js';
import { h, replace, safeHref } from './dom.js';
import { LEANS, blindspotSentence, elapsed, factualityName, leanName, ownershipName, percentText, plural, when } from './format.js';

const MAX_ARTICLES = 1000;
const HOUR = 3600 * 1000;

function contentWidth() {
  const main = document.getElementById('main');
  const style = getComputedStyle(main);
  return Math.floor(main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
}

function barSection(story, coverage) {
  const width = Math.max(120, Math.min(1200, contentWidth(), 720));
  const { bias } = coverage;
  return h('section', { class: 'bar-section', 'aria-labelledby': 'bar-heading' },
    h('h2', { id: 'bar-heading' }, 'Bias distribution'),
    h('img', {
      class: 'bias-bar', id: 'story-bar', src: coverageSvgUrl(story.id, width, theme()), width,
      alt: bias.rated === 0 ? 'Bias bar: no rated sources' : `Bias bar: Left ${bias.left.percent}%, Center ${bias.center.percent}%, Right ${bias.right.percent}%`,
    }),
    h('p', { class: 'story-label big', id: 'story-label' }, bias.label),
    coverage.blindspot ? blindspot(coverage) : null);
}

function blindspot(coverage) {
  const side = coverage.blindspot;
  const share = coverage.bias[side];
  return h('p', { class: `blindspot blindspot-${side}`, id: 'story-blindspot' },
    h('strong', null, blindspotSentence(side)),
    ` (${share.count} of ${plural(coverage.bias.rated, 'rated source')}, ${percentText(share)}).`);
}

function details(coverage) {
  const { bias } = coverage;
  const item = (term, value) => [h('dt', null, term), h('dd', null, value)];
  return h('section', { class: 'details', 'aria-labelledby': 'details-heading' },
    h('h2', { id: 'details-heading' }, 'Coverage details'),
    h('div', { class: 'details-grid' },
    h('dl', { class: 'totals' },
      item('Sources', String(coverage.totalSources)),
      item('Articles', String(coverage.totalArticles)),
      item('Rated sources', String(bias.rated)),
      item('Unrated sources', String(bias.unrated)),
      item('First published', when(coverage.firstPublishedAt)),
      item('Last published', when(coverage.lastPublishedAt)),
      coverage.disagreement.multiRated > 0
        ? item('Raters disagree on', `${coverage.disagreement.contested} of the ${plural(coverage.disagreement.multiRated, 'source')} that several raters rate`)
        : null),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'leans' },
        h('caption', null, 'Rated sources by lean, with the 95% interval of each share'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Lean'), h('th', { scope: 'col' }, 'Sources'), h('th', { scope: 'col' }, 'Share'), h('th', { scope: 'col' }, '95% interval'))),
        h('tbody', null, LEANS.map(lean => {
          const share = bias[lean];
          return h('tr', { class: `lean-row-${lean}` },
            h('th', { scope: 'row' }, leanName(lean)),
            h('td', null, String(share.count)),
            h('td', null, percentText(share)),
            h('td', null, share.low === null ? '—' : `${share.low}–${share.high}%`));
        }))))),
    h('div', { class: 'mixes' },
      mixBars('Factuality', Object.entries(coverage.factuality), factualityName),
      mixBars('Ownership', Object.entries(coverage.ownership), ownershipName)));
}

/** "The Left covered it first, 4 Sept 2025, 06:23 UTC; the Center 2 hours later; the Right 14 hours later." */
function firstBySideSentence(firstBySide) {
  const seen = LEANS.filter(lean => firstBySide?.[lean]).sort((a, b) => new Date(firstBySide[a].publishedAt) - new Date(firstBySide[b].publishedAt));
  if (seen.length === 0) return 'No rated source has covered it yet.';
  const first = firstBySide[seen[0]];
  const parts = [`The ${leanName(seen[0])} covered it first, ${when(first.publishedAt)}`];
  for (const lean of seen.slice(1)) {
    const at = firstBySide[lean].publishedAt;
    parts.push(at === first.publishedAt ? `the ${leanName(lean)} at the same time` : `the ${leanName(lean)} ${elapsed(first.publishedAt, at)} later`);
  }
  const missing = LEANS.filter(lean => !seen.includes(lean)).map(lean => `the ${leanName(lean)} has not covered it`);
  return `${[...parts, ...missing].join('; ')}.`;
}

function cumulativeText(bucket, lean) {
  const percent = bucket.cumulative?.[lean];
  return percent === null || percent === undefined ? '—' : `${percent}%`;
}

function timelineTable(timeline) {
  return h('details', { class: 'timeline-table' },
    h('summary', null, 'The timeline as a table'),
    h('div', { class: 'table-wrap' },
      h('table', null,
        h('caption', null, `New ${timeline.basis} per ${timeline.bucket}, and the coverage after each`),
        h('thead', null, h('tr', null,
          ['Start (UTC)', 'Left', 'Center', 'Right', 'Unrated', 'Left so far', 'Center so far', 'Right so far', 'So far'].map(text => h('th', { scope: 'col' }, text)))),
        h('tbody', null, timeline.buckets.map(bucket => h('tr', null,
          h('th', { scope: 'row' }, when(bucket.start)),
          ['left', 'center', 'right', 'unrated'].map(unit => h('td', null, String(bucket[unit] ?? 0))),
          LEANS.map(lean => h('td', null, cumulativeText(bucket, lean))),
          h('td', null, bucket.cumulative?.label ?? '')))))));
}

function timelineSection(story, coverage, signal) {
  const span = coverage.firstPublishedAt ? new Date(coverage.lastPublishedAt) - new Date(coverage.firstPublishedAt) : 0;
  const choice = { bucket: span <= 3 * 24 * HOUR ? 'hour' : 'day', basis: 'sources' };
  const body = h('div', { class: 'timeline-body', id: 'timeline-body', 'aria-live': 'polite' });

  const radios = (name, legendText, options) => h('fieldset', { class: 'choice' },
    h('legend', null, legendText),
    options.map(([value, text]) => h('label', null,
      h('input', { type: 'radio', name: `timeline-${name}`, value, checked: choice[name] === value, onchange: () => { choice[name] = value; load(); } }),
      ` ${text}`)));

  async function load() {
    replace(body, h('p', { class: 'status' }, 'Loading the timeline…'));
    try {
      const timeline = await getJson(`/v1/stories/${story.id}/timeline`, choice, signal);
      timeline.bucket ??= choice.bucket;
      timeline.basis ??= choice.basis;
      replace(body,
        h('p', { class: 'first-by-side', id: 'first-by-side' }, firstBySideSentence(timeline.firstBySide)),
        timeline.buckets.length === 0
          ? h('p', null, 'No article is linked yet.')
          : [
            timelineChart(timeline, Math.max(280, Math.min(contentWidth(), 960))),
            legend(),
            h('p', { class: 'chart-note' }, `Columns: the ${timeline.basis} first seen in each ${timeline.bucket}, by lean. Band: the shares of the rated ${timeline.basis} so far.`),
            timelineTable(timeline),
          ]);
    } catch (error) {
      if (error.name !== 'AbortError') replace(body, h('p', { class: 'error', role: 'alert' }, `The timeline could not be shown: ${error.message}`));
    }
  }

  load();
  return h('section', { class: 'timeline', 'aria-labelledby': 'timeline-heading' },
    h('h2', { id: 'timeline-heading' }, 'How coverage grew'),
    h('div', { class: 'choices' },
      radios('bucket', 'Per', [['hour', 'hour'], ['day', 'day']]),
      radios('basis', 'Count', [['sources', 'sources'], ['articles', 'articles']])),
    body);
}

function articleItem(article) {
  const href = safeHref(article.url);
  return h('li', { class: 'article', 'data-article-id': article.id },
    href ? h('a', { href, rel: 'noopener noreferrer' }, article.title) : h('span', null, article.title),
    h('span', { class: 'article-meta' }, when(article.publishedAt)));
}

/** One lean's articles, by outlet (the outlet with the most articles first), newest first within each. */
function leanGroup(lean, articles) {
  const byOutlet = new Map();
  for (const article of articles) {
    if (!byOutlet.has(article.outlet.id)) byOutlet.set(article.outlet.id, { outlet: article.outlet, articles: [] });
    byOutlet.get(article.outlet.id).articles.push(article);
  }
  const outlets = [...byOutlet.values()].sort((a, b) => b.articles.length - a.articles.length || a.outlet.name.localeCompare(b.outlet.name));
  const key = lean ?? 'unrated';
  return h('section', { class: `article-group group-${key}`, 'data-lean': key, 'aria-labelledby': `group-${key}` },
    h('h3', { id: `group-${key}` }, `${leanName(lean)}: ${plural(articles.length, 'article')} from ${plural(outlets.length, 'outlet')}`),
    h('ul', { class: 'outlets' }, outlets.map(({ outlet, articles: theirs }) =>
      h('li', { class: 'outlet', 'data-outlet-id': outlet.id },
        h('p', { class: 'outlet-name' }, h('strong', null, outlet.name), ` · ${outlet.domain} · ${plural(theirs.length, 'article')}`),
        h('ul', { class: 'outlet-articles' }, theirs.map(articleItem))))));
}

function articlesSection(story, signal) {
  const body = h('div', { class: 'article-groups', id: 'article-groups' }, h('p', { class: 'status' }, 'Loading the articles…'));
  const heading = h('h2', { id: 'articles-heading' }, 'Articles');
  (async () => {
    try {
      const { items, complete } = await getAll(`/v1/stories/${story.id}/articles`, { limit: 200 }, MAX_ARTICLES, signal, story.articles);
      heading.textContent = complete ? `Articles (${items.length})` : `Articles (the newest ${items.length})`;
      const groups = [...LEANS, null].map(lean => [lean, items.filter(a => (a.outlet.lean ?? null) === lean)]).filter(([, list]) => list.length > 0);
      replace(body, groups.length === 0 ? h('p', null, 'No article is linked yet.') : groups.map(([lean, list]) => leanGroup(lean, list)));
    } catch (error) {
      if (error.name !== 'AbortError') replace(body, h('p', { class: 'error', role: 'alert' }, `The articles could not be shown: ${error.message}`));
    }
  })();
  return h('section', { class: 'articles', 'aria-labelledby': 'articles-heading' }, heading, body);
}

/** The story page for a story id. */
export async function renderStory(id, signal) {
  const story = await getJson(`/v1/stories/${id}`, { include: 'coverage,articles' }, signal);
  const coverage = story.coverage;
  return {
    title: `${story.title} — NewsLens`,
    nodes: [
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/', id: 'back-to-list' }, '← All stories')),
      h('article', { class: 'story-page', 'data-story-id': story.id },
        h('h1', { tabindex: -1, class: 'page-title' }, story.title),
        story.summary ? h('p', { class: 'summary' }, story.summary) : null,
        barSection(story, coverage),
        details(coverage),
        timelineSection(story, coverage, signal),
        articlesSection(story, signal)),
    ],
  };
}
