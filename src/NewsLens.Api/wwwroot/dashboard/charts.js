// Small SVG charts drawn with attributes and classes only: the page's style policy allows no inline style.
import { h, svg } from './dom.js';
import { LEANS, day, leanName, when } from './format.js';

/** One row per category: its name, a bar as long as its share of the total, and its count. */
export function mixBars(label, entries, nameOf) {
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return h('div', { class: 'mix' },
    h('h3', null, label),
    h('ul', { class: 'mix-rows' }, entries.map(([key, count]) => {
      const share = total === 0 ? 0 : (100 * count) / total;
      return h('li', { class: 'mix-row', 'data-key': key },
        h('span', { class: 'mix-name' }, nameOf(key)),
        svg('svg', { class: 'mix-bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
          svg('rect', { class: 'mix-track', x: 0, y: 0, width: 100, height: 10 }),
          svg('rect', { class: `mix-fill mix-${key}`, x: 0, y: 0, width: share.toFixed(2), height: 10 })),
        h('span', { class: 'mix-count' }, String(count)));
    })));
}

const UNITS = [...LEANS, 'unrated'];

/**
 * The timeline as stacked columns: per bucket, the units first seen in it by lean (left at the bottom), and under them
 * a band of the shares so far. The same numbers are in the table that follows the chart, which a screen reader reads.
 */
export function timelineChart(timeline, width) {
  const buckets = timeline.buckets;
  const height = 240;
  const band = { height: 40, gap: 10 };
  const margin = { top: 12, right: 8, bottom: 28 + band.height + band.gap, left: 36 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const totals = buckets.map(b => UNITS.reduce((sum, unit) => sum + (b[unit] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = plotWidth / Math.max(1, buckets.length);
  const columnWidth = Math.max(1, step * 0.8);
  const y = value => margin.top + plotHeight - (plotHeight * value) / max;

  const columns = buckets.map((bucket, index) => {
    let base = 0;
    const x = margin.left + index * step + (step - columnWidth) / 2;
    const parts = UNITS.filter(unit => (bucket[unit] ?? 0) > 0).map(unit => {
      const top = y(base + bucket[unit]);
      const rect = svg('rect', { class: `segment lean-${unit}`, x: x.toFixed(2), y: top.toFixed(2), width: columnWidth.toFixed(2), height: (y(base) - top).toFixed(2) });
      base += bucket[unit];
      return rect;
    });
    return svg('g', { class: 'bucket', 'data-start': bucket.start, 'data-total': totals[index] }, parts);
  });

  // Under the columns, the shares so far: after each bucket, the rated units' percentages by lean (the bar's colours).
  const bandTop = y(0) + band.gap;
  const shares = buckets.map((bucket, index) => {
    const x = margin.left + index * step;
    const cumulative = bucket.cumulative ?? {};
    if (cumulative.left === null || cumulative.left === undefined) {
      return svg('rect', { class: 'share lean-unrated', x: x.toFixed(2), y: bandTop, width: step.toFixed(2), height: band.height });
    }
    let offset = 0;
    return svg('g', { class: 'share', 'data-label': cumulative.label ?? '' }, LEANS.filter(lean => cumulative[lean] > 0).map(lean => {
      const top = bandTop + (band.height * offset) / 100;
      offset += cumulative[lean];
      return svg('rect', { class: `lean-${lean}`, x: x.toFixed(2), y: top.toFixed(2), width: step.toFixed(2), height: ((band.height * cumulative[lean]) / 100).toFixed(2) });
    }));
  });

  const last = buckets.at(-1);
  const label = `New ${timeline.basis ?? 'sources'} per ${timeline.bucket ?? 'bucket'} from ${when(buckets[0]?.start)} to ${when(last?.start)}`;
  return svg('svg', { class: 'timeline-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    svg('line', { class: 'axis', x1: margin.left, y1: y(0), x2: width - margin.right, y2: y(0) }),
    svg('line', { class: 'axis', x1: margin.left, y1: margin.top, x2: margin.left, y2: y(0) }),
    svg('text', { class: 'tick', x: margin.left - 4, y: margin.top + 4, 'text-anchor': 'end' }, String(max)),
    svg('text', { class: 'tick', x: margin.left - 4, y: y(0), 'text-anchor': 'end' }, '0'),
    svg('text', { class: 'tick', x: margin.left - 4, y: bandTop + 9, 'text-anchor': 'end' }, '0%'),
    svg('text', { class: 'tick', x: margin.left - 4, y: bandTop + band.height, 'text-anchor': 'end' }, '100%'),
    svg('text', { class: 'tick', x: margin.left, y: height - 8, 'text-anchor': 'start' }, bucketLabel(timeline, buckets[0]?.start)),
    buckets.length > 1 ? svg('text', { class: 'tick', x: width - margin.right, y: height - 8, 'text-anchor': 'end' }, bucketLabel(timeline, last.start)) : null,
    columns,
    shares);
}

function bucketLabel(timeline, start) {
  if (!start) return '';
  return timeline.bucket === 'day' ? day(start) : when(start);
}

/** A colour key for the chart, in the page's text. */
export function legend() {
  return h('ul', { class: 'legend' }, UNITS.map(unit =>
    h('li', null,
      svg('svg', { class: 'swatch', width: 12, height: 12, viewBox: '0 0 12 12', 'aria-hidden': 'true', focusable: 'false' },
        svg('rect', { class: `lean-${unit}`, width: 12, height: 12 })),
      leanName(unit))));
}
