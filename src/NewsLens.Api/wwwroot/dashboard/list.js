// The story list: GET /v1/stories with its search, filters and sort, each story with its bias bar and counts.
import { ApiError, coverageSvgUrl, getJson, theme } from './api.js';
import { h, replace } from './dom.js';
import { blindspotSentence, plural } from './format.js';

const PAGE_SIZE = 20;
const BAR_WIDTH = 320;

/** The list's query parameters, as the API names them; the page's address carries them (#/?blindspot=right). */
export const FILTERS = ['q', 'blindspot', 'majority', 'minSources', 'sort'];

function select(name, label, value, options) {
  return h('div', { class: 'field' },
    h('label', { for: `filter-${name}` }, label),
    h('select', { id: `filter-${name}`, name },
      options.map(([optionValue, text]) => h('option', { value: optionValue, selected: optionValue === value }, text))));
}

function filterForm(params, onSearch) {
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find stories' },
    h('div', { class: 'field field-wide' },
      h('label', { for: 'filter-q' }, 'Search titles and summaries'),
      h('input', { id: 'filter-q', name: 'q', type: 'search', value: params.get('q') ?? '', autocomplete: 'off' })),
    select('blindspot', 'Blindspot', params.get('blindspot') ?? '', [
      ['', 'Any story'], ['any', 'A blindspot on either side'], ['left', 'Blindspot for the Left'], ['right', 'Blindspot for the Right']]),
    select('majority', 'Majority', params.get('majority') ?? '', [
      ['', 'Any majority'], ['left', 'Left'], ['center', 'Center'], ['right', 'Right'], ['none', 'No majority']]),
    h('div', { class: 'field field-narrow' },
      h('label', { for: 'filter-minSources' }, 'At least this many sources'),
      h('input', { id: 'filter-minSources', name: 'minSources', type: 'number', min: 1, step: 1, inputmode: 'numeric', value: params.get('minSources') ?? '' })),
    select('sort', 'Sort', params.get('sort') ?? 'newest', [
      ['newest', 'Newest first'], ['most_sources', 'Most sources'], ['recently_updated', 'Recently updated']]),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'filter-submit' }, 'Show stories'),
      h('a', { href: '#/', class: 'button-link', id: 'filter-clear' }, 'Clear filters')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const chosen = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      const text = String(value).trim();
      if (text !== '' && !(name === 'sort' && text === 'newest')) chosen.set(name, text);
    }
    onSearch(chosen);
  });
  return form;
}

function barAlt(coverage) {
  const { left, center, right, rated } = coverage.bias;
  return rated === 0 ? 'Bias bar: no rated sources' : `Bias bar: Left ${left.percent}%, Center ${center.percent}%, Right ${right.percent}%`;
}

function storyCard(story) {
  const coverage = story.coverage;
  const { bias } = coverage;
  return h('li', { class: 'story-card', 'data-story-id': story.id },
    h('h3', { class: 'story-title' }, h('a', { href: `#/stories/${story.id}` }, story.title)),
    h('img', { class: 'bias-bar', src: coverageSvgUrl(story.id, BAR_WIDTH, theme()), width: BAR_WIDTH, alt: barAlt(coverage), loading: 'lazy', decoding: 'async' }),
    h('p', { class: 'story-label' }, bias.label),
    h('p', { class: 'story-counts' },
      `${plural(coverage.totalSources, 'source')} · ${plural(coverage.totalArticles, 'article')} · `,
      `Left ${bias.left.count} · Center ${bias.center.count} · Right ${bias.right.count} · unrated ${bias.unrated}`),
    coverage.blindspot ? h('p', { class: `blindspot blindspot-${coverage.blindspot}` }, blindspotSentence(coverage.blindspot)) : null);
}

function problemMessage(error) {
  if (!(error instanceof ApiError)) return [h('p', { class: 'error', role: 'alert' }, `The API could not be reached: ${error.message}`)];
  return [
    h('p', { class: 'error', role: 'alert' }, error.problem?.title ?? `The API answered ${error.status}.`),
    error.fieldErrors.length ? h('ul', { class: 'error-list' }, error.fieldErrors.map(line => h('li', null, line))) : null,
  ];
}

/** The list view for the address's parameters; onSearch(params) is called with the filters a reader submits. */
export async function renderList(params, onSearch, signal) {
  const query = Object.fromEntries(FILTERS.map(name => [name, params.get(name) ?? undefined]));
  const status = h('p', { class: 'status', role: 'status', id: 'story-count' }, 'Loading stories…');
  const list = h('ol', { class: 'story-list', id: 'story-list' });
  const more = h('div', { class: 'more' });
  const results = h('section', { class: 'results', 'aria-labelledby': 'results-heading' },
    h('h2', { id: 'results-heading' }, 'Stories'), status, list, more);
  const view = [h('h1', { tabindex: -1, class: 'page-title' }, 'Stories and their coverage'), filterForm(params, onSearch), results];

  let shown = 0;
  async function load(cursor) {
    const page = await getJson('/v1/stories', { ...query, include: 'coverage', limit: PAGE_SIZE, cursor }, signal);
    list.append(...page.items.map(storyCard));
    shown += page.items.length;
    status.textContent = page.nextCursor
      ? `${plural(shown, 'story', 'stories')} shown; more below`
      : shown === 0 ? 'No story matches these filters.' : plural(shown, 'story', 'stories');
    replace(more, page.nextCursor
      ? h('button', { type: 'button', id: 'more-stories', onclick: () => loadMore(page.nextCursor) }, 'Show more stories')
      : null);
  }

  async function loadMore(cursor) {
    try {
      await load(cursor);
    } catch (error) {
      if (error.name !== 'AbortError') replace(more, ...problemMessage(error));
    }
  }

  try {
    await load(undefined);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    status.textContent = 'No stories could be shown.';
    replace(more, ...problemMessage(error));
  }
  return { title: 'Stories — NewsLens', nodes: view };
}
