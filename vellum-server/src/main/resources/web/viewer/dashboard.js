// Dashboard tiles; each links to the matching search.
import { get } from './api.js';
import { el, clear, fmtTime, stackedBars } from './util.js';
import { searchLink } from './search.js';

function tile(title, href, ...body) {
  return el('section', { class: 'tile card', 'aria-label': title },
    el('h2', {}, el('a', { href, text: title })), ...body);
}

function topList(counts, param, extra) {
  const top = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (!top.length) return el('p', { class: 'muted', text: 'No events.' });
  return el('ol', { class: 'toplist' }, top.map(([name, n]) => el('li', {},
    el('a', { href: searchLink({ ...extra, [param]: name }), text: name || '(none)' }),
    el('span', { class: 'count', text: n.toLocaleString() }))));
}

function sums(stats) {
  const out = {};
  for (const b of stats.buckets) for (const [k, v] of Object.entries(b.counts)) out[k] = (out[k] || 0) + v;
  return out;
}

export async function renderDashboard(main) {
  clear(main);
  main.append(el('h1', { text: 'Dashboard' }));
  const grid = el('div', { class: 'grid' });
  main.append(grid);
  const now = Date.now();
  const hourAgo = new Date(now - 3600e3).toISOString();
  const dayStart = new Date(Math.floor(now / 86400e3) * 86400e3 - 29 * 86400e3).toISOString();
  const to = new Date(now).toISOString();
  const [perMinute, perDay, byType, bySource, latest] = await Promise.all([
    get('/v1/events/stats', { from: hourAgo, to, interval: '1m', group_by: 'outcome' }),
    get('/v1/events/stats', { from: dayStart, to, interval: '1d', group_by: 'outcome' }),
    get('/v1/events/stats', { from: dayStart, to, interval: '30d', group_by: 'type' }),
    get('/v1/events/stats', { from: dayStart, to, interval: '30d', group_by: 'source' }),
    get('/v1/events', { from: new Date(now - 86400e3).toISOString(), limit: 1000 }),
  ]);
  const series = (s) => Object.fromEntries(['success', 'failure', 'unknown']
    .map((o) => [o, s.buckets.map((b) => b.counts[o] || 0)]));
  const minuteTile = tile('Events per minute, last hour', searchLink({ range: '1h' }));
  const dayTile = tile('Events per day, last 30 days', searchLink({ range: '30d' }));
  const outcomes = sums(perDay);
  const total = perDay.total;
  const failures = outcomes.failure || 0;
  const actors = {};
  for (const e of latest.events) if (e.actor && e.actor.id) actors[e.actor.id] = (actors[e.actor.id] || 0) + 1;
  grid.append(minuteTile, dayTile,
    tile('Failure ratio, last 30 days', searchLink({ range: '30d', outcome: 'failure' }),
      el('p', { class: 'big', text: total ? `${((100 * failures) / total).toFixed(1)} %` : '—' }),
      el('p', { class: 'muted', text: `${failures.toLocaleString()} failures of ${total.toLocaleString()} events` })),
    tile('Top types, last 30 days', searchLink({ range: '30d' }), topList(sums(byType), 'type', { range: '30d' })),
    tile('Events by source, last 30 days', searchLink({ range: '30d' }), topList(sums(bySource), 'source', { range: '30d' })),
    tile('Top actors, last 24 hours', searchLink({ range: '24h' }), topList(actors, 'actor_id', { range: '24h' }),
      el('p', { class: 'muted small', text: `Counted over the newest ${latest.events.length.toLocaleString()} events of the last 24 hours.` })));
  stackedBars(minuteTile, perMinute.buckets.map((b) => fmtTime(b.start).slice(11, 16)), series(perMinute), { label: 'Events per minute in the last hour, by outcome' });
  stackedBars(dayTile, perDay.buckets.map((b) => fmtTime(b.start).slice(0, 10)), series(perDay), { label: 'Events per day in the last 30 days, by outcome' });
  return null;
}
