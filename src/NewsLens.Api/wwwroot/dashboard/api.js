// The public NewsLens API, read without a key, as any browser client would.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The API answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }

  /** The problem's field errors as "field: message" lines. */
  get fieldErrors() {
    return Object.entries(this.problem?.errors ?? {}).flatMap(([field, messages]) => messages.map(m => `${field}: ${m}`));
  }
}

/** The URL of an API path with its query; empty and missing values are left out. */
export function apiUrl(path, query = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  return url.pathname + url.search;
}

export async function getJson(path, query, signal) {
  const response = await fetch(apiUrl(path, query), { headers: { Accept: 'application/json' }, signal });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // Not a problem document (a proxy's page); the status says enough.
    }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}

/** Every page of a list, following nextCursor, up to a number of items. */
export async function getAll(path, query, max, signal, first) {
  const items = [...(first?.items ?? [])];
  let cursor = first ? first.nextCursor : undefined;
  while (items.length < max && cursor !== null) {
    const page = await getJson(path, { ...query, cursor }, signal);
    items.push(...page.items);
    cursor = page.nextCursor;
  }
  return { items: items.slice(0, max), complete: cursor === null && items.length <= max };
}

/** The story's bias bar as an SVG image (GET /v1/stories/{id}/coverage.svg). */
export function coverageSvgUrl(storyId, width, theme, basis) {
  const clamped = Math.max(120, Math.min(1200, Math.round(width)));
  return apiUrl(`/v1/stories/${encodeURIComponent(storyId)}/coverage.svg`, { width: clamped, theme, basis });
}

/** light or dark, as the reader's system prefers, for the SVG bars. */
export function theme() {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
