// The dashboard: one page whose routes live in the address's fragment.
//   #/ and #/?blindspot=right&sort=most_sources   the story list with its filters
//   #/stories/{id}                                 a story page
import { ApiError } from './api.js';
import { h, replace } from './dom.js';
import { renderList } from './list.js';
import { renderStory } from './story.js';

const main = document.getElementById('main');
let current = null;
let routed = false;

function listParams(hash) {
  const query = hash.indexOf('?');
  return new URLSearchParams(query < 0 ? '' : hash.slice(query + 1));
}

function search(params) {
  const next = params.size === 0 ? '#/' : `#/?${params}`;
  if (window.location.hash === next) route();
  else window.location.hash = next;
}

function failure(error) {
  const title = error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong';
  return {
    title: `${title} — NewsLens`,
    nodes: [
      h('h1', { tabindex: -1, class: 'page-title' }, title),
      h('p', { class: 'error', role: 'alert' }, error.message),
      h('p', null, h('a', { href: '#/' }, 'Back to the story list')),
    ],
  };
}

async function route() {
  const hash = window.location.hash;
  // Only #/… addresses are routes; others (the skip link's #main) are left to the browser.
  if (hash !== '' && !hash.startsWith('#/') && routed) return;
  const first = !routed;
  routed = true;

  current?.abort();
  const controller = new AbortController();
  current = controller;
  const focusedId = main.contains(document.activeElement) ? document.activeElement.id : '';
  const story = /^#\/stories\/(\d+)$/.exec(hash);

  let view;
  try {
    view = story ? await renderStory(story[1], controller.signal) : await renderList(listParams(hash), search, controller.signal);
  } catch (error) {
    if (error.name === 'AbortError') return;
    view = failure(error);
  }
  if (controller.signal.aborted) return;

  document.title = view.title;
  replace(main, ...view.nodes);
  // A new page puts the reader at its heading; a new search keeps them on the control they used.
  // The first page of a visit leaves focus where the browser put it.
  const keep = focusedId && document.getElementById(focusedId);
  if (keep) keep.focus({ preventScroll: true });
  else if (!first) main.querySelector('h1').focus();
  document.body.dataset.view = story ? 'story' : 'list';
}

window.addEventListener('hashchange', route);
route();
