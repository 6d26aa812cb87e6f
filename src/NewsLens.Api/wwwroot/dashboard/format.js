// Words and numbers as the page shows them.

export const LEANS = ['left', 'center', 'right'];

const leanNames = { left: 'Left', center: 'Center', right: 'Right' };

export function leanName(lean) {
  return leanNames[lean] ?? 'Unrated';
}

const factualityNames = {
  very_high: 'Very high', high: 'High', mostly_factual: 'Mostly factual', mixed: 'Mixed', low: 'Low', very_low: 'Very low', unrated: 'Unrated',
};

const ownershipNames = {
  independent: 'Independent', media_conglomerate: 'Media conglomerate', billionaire: 'Billionaire', private_equity: 'Private equity',
  government: 'Government', corporation: 'Corporation', telecom: 'Telecom', other: 'Other', unrated: 'Unknown',
};

export const factualityName = key => factualityNames[key] ?? key;
export const ownershipName = key => ownershipNames[key] ?? key;

export function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

/** "4 Sept 2025, 06:23 UTC" (every time on the page is UTC, as the API answers). */
export function when(iso) {
  return iso ? `${dateTime.format(new Date(iso))} UTC` : '—';
}

export function day(iso) {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

/** "14 hours", "2 days 3 hours", "25 minutes": how long from one time to another. */
export function elapsed(fromIso, toIso) {
  const minutes = Math.round((new Date(toIso) - new Date(fromIso)) / 60000);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${plural(hours % 24, 'hour')}`;
}

/** The blindspot in words: "Blindspot for the Right: the Right barely covers this". */
export function blindspotSentence(side) {
  const name = leanName(side);
  return `Blindspot for the ${name}: the ${name} barely covers this`;
}

export function percentText(share) {
  return share.percent === null ? '—' : `${share.percent}%`;
}
