// Search: filters held in the URL, the timeline, the result table paged by the API cursor,
// keyboard navigation, export and the live tail.
import { get, request, query } from './api.js';
import { el, clear, fmtTime, RANGES, intervalFor, stackedBars } from './util.js';
import { openDetail, closeDetail } from './detail.js';

export const FILTERS = ['type', 'category', 'source', 'actor_id', 'actor_ip', 'target_type', 'target_id',
  'outcome', 'severity', 'session_id', 'tag', 'q'];
const LABELS = {
  type: 'Type', category: 'Category', source: 'Source', actor_id: 'Actor id', actor_ip: 'Actor IP',
  target_type: 'Target type', target_id: 'Target id', outcome: 'Outcome', severity: 'Severity',
  session_id: 'Session', tag: 'Tag', q: 'Free text',
};
const PAGE = 50;

let state = null;

/** Link to the search with these parameters. */
export function searchLink(params) {
  return '#/search' + query(params);
}

/** The from/to of the URL's range: relative ranges end now; "all" has no bounds. */
export function resolveRange(params) {
  const range = params.get('range') || '24h';
  if (range === 'custom') {
    return { from: params.get('from') || undefined, to: params.get('to') || undefined };
  }
  if (range === 'all') return {};
  const span = RANGES[range] || RANGES['24h'];
  const now = Date.now();
  return { from: new Date(now - span).toISOString(), to: new Date(now).toISOString() };
}

function filterKey(params) {
  const p = new URLSearchParams(params);
  p.delete('event');
  p.sort();
  return p.toString();
}

/** Called on a URL change while the search is shown; true if only the open event changed. */
export function updateSearch(params) {
  if (!state || filterKey(params) !== state.key) return false;
  const id = params.get('event');
  if (id) openDetail(id, state.byId.get(id)); else closeDetail();
  return true;
}

function apiFilters(params) {
  const out = {};
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v) out[f] = v;
  }
  return out;
}

function filterForm(params) {
  const range = params.get('range') || '24h';
  const field = (name, control) => el('div', { class: 'field' }, el('label', { for: 'f-' + name, text: LABELS[name] || name }), control);
  const text = (name, placeholder) => field(name, el('input', { id: 'f-' + name, name, value: params.get(name) || '', placeholder: placeholder || '', autocomplete: 'off' }));
  const select = (name, options) => {
    const s = el('select', { id: 'f-' + name, name }, el('option', { value: '', text: 'any' }),
      options.map((o) => el('option', { value: o, text: o, selected: params.get(name) === o })));
    return field(name, s);
  };
  const rangeSel = el('select', { id: 'f-range', name: 'range' },
    [['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'],
      ['30d', 'Last 30 days'], ['all', 'All time'], ['custom', 'Custom']]
      .map(([v, t]) => el('option', { value: v, text: t, selected: v === range })));
  const toLocal = (iso) => (iso ? iso.replace(/(\.\d+)?Z$/, '').slice(0, 16) : '');
  const custom = el('div', { class: 'custom', hidden: range !== 'custom' },
    el('div', { class: 'field' }, el('label', { for: 'f-from', text: 'From (UTC)' }),
      el('input', { id: 'f-from', name: 'from', type: 'datetime-local', value: toLocal(params.get('from')) })),
    el('div', { class: 'field' }, el('label', { for: 'f-to', text: 'To (UTC)' }),
      el('input', { id: 'f-to', name: 'to', type: 'datetime-local', value: toLocal(params.get('to')) })));
  rangeSel.addEventListener('change', () => { custom.hidden = rangeSel.value !== 'custom'; });
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter events' },
    el('div', { class: 'field' }, el('label', { for: 'f-range', text: 'Time range' }), rangeSel), custom,
    text('q', 'words…'), text('type', 'e.g. LOGIN_FAILED'), text('category'), text('source'),
    text('actor_id'), text('actor_ip'), text('target_type'), text('target_id'),
    select('outcome', ['success', 'failure', 'unknown']),
    select('severity', ['debug', 'info', 'notice', 'warning', 'error', 'critical']),
    text('session_id'), text('tag'),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', text: 'Search' }),
      el('a', { href: '#/search', class: 'button', text: 'Reset' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const p = {};
    for (const [k, v] of fd.entries()) if (v) p[k] = v;
    if (p.range !== 'custom') { delete p.from; delete p.to; } else {
      if (p.from) p.from = new Date(p.from + ':00Z').toISOString();
      if (p.to) p.to = new Date(p.to + ':00Z').toISOString();
    }
    location.hash = searchLink(p);
  });
  return form;
}

function rowFor(e) {
  const target = (e.targets || []).map((t) => `${t.type}:${t.id}`).join(', ');
  const tr = el('tr', { tabindex: '-1', 'data-id': e.id, class: 'row' },
    el('td', { class: 'nowrap', text: fmtTime(e.occurred_at) }),
    el('td', { text: e.type }),
    el('td', {}, el('span', { class: 'outcome ' + (e.outcome || 'unknown'), text: e.outcome || '' })),
    el('td', { text: e.actor ? (e.actor.name || e.actor.id || '') : '' }),
    el('td', { text: target }),
    el('td', { text: e.source }));
  tr.addEventListener('click', () => select(tr, true));
  return tr;
}

function select(tr, open) {
  if (!tr) return;
  for (const r of state.tbody.querySelectorAll('tr.selected')) { r.classList.remove('selected'); r.removeAttribute('aria-selected'); }
  tr.classList.add('selected');
  tr.setAttribute('aria-selected', 'true');
  tr.focus();
  if (open) {
    const p = new URLSearchParams(state.params);
    p.set('event', tr.dataset.id);
    location.hash = '#/search?' + p.toString();
  }
}

function onKey(ev) {
  if (!state) return;
  const t = ev.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
  const rows = Array.from(state.tbody.querySelectorAll('tr.row'));
  const at = rows.findIndex((r) => r.classList.contains('selected'));
  if (ev.key === 'j') { select(rows[Math.min(rows.length - 1, at + 1)], false); ev.preventDefault(); }
  else if (ev.key === 'k') { select(rows[Math.max(0, at - 1)], false); ev.preventDefault(); }
  else if (ev.key === 'Enter' && at >= 0 && t && t.tagName === 'TR') { select(rows[at], true); ev.preventDefault(); }
  else if (ev.key === 'Escape') {
    const p = new URLSearchParams(location.hash.split('?')[1] || '');
    if (p.has('event')) { p.delete('event'); location.hash = '#/search?' + p.toString(); }
    if (at >= 0) rows[at].focus();
  }
}

async function timeline(container, params, range) {
  clear(container);
  const filters = apiFilters(params);
  const from = range.from ? Date.parse(range.from) : Date.now() - RANGES['30d'];
  const to = range.to ? Date.parse(range.to) : Date.now();
  const iv = intervalFor(Math.max(60e3, to - from));
  let labels = [];
  let series = {};
  let note = range.from ? '' : 'All time: the timeline shows the last 30 days.';
  let starts = [];
  if (Object.keys(filters).length === 0) {
    const s = await get('/v1/events/stats', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval: iv.name, group_by: 'outcome' });
    starts = s.buckets.map((b) => Date.parse(b.start));
    labels = s.buckets.map((b) => fmtTime(b.start).replace(' UTC', ''));
    for (const o of ['success', 'failure', 'unknown']) series[o] = s.buckets.map((b) => b.counts[o] || 0);
  } else {
    // the stats endpoint counts all events; a filtered timeline is counted here from the
    // matching events themselves, at most 3 pages of 1,000
    const first = Math.floor(from / iv.ms) * iv.ms;
    for (let t = first; t < to; t += iv.ms) starts.push(t);
    labels = starts.map((t) => fmtTime(new Date(t).toISOString()).replace(' UTC', ''));
    for (const o of ['success', 'failure', 'unknown']) series[o] = starts.map(() => 0);
    let cursor;
    let n = 0;
    for (let page = 0; page < 3; page++) {
      const r = await get('/v1/events', { ...filters, ...range, limit: 1000, cursor });
      for (const e of r.events) {
        const i = Math.floor((Date.parse(e.occurred_at) - first) / iv.ms);
        const o = series[e.outcome] ? e.outcome : 'unknown';
        if (i >= 0 && i < starts.length) series[o][i]++;
        n++;
      }
      cursor = r.next_cursor;
      if (!cursor) break;
    }
    if (cursor) note = `Timeline of the newest ${n.toLocaleString()} matching events only. ${note}`;
  }
  container.append(el('h2', { class: 'sr-only', text: 'Timeline' }));
  stackedBars(container, labels, series, {
    label: `Events per ${iv.name} by outcome`,
    onZoom: (a, b) => {
      const p = new URLSearchParams(params);
      p.delete('event');
      p.set('range', 'custom');
      p.set('from', new Date(starts[a]).toISOString());
      p.set('to', new Date(starts[b] + iv.ms).toISOString());
      location.hash = '#/search?' + p.toString();
    },
  });
  container.append(el('p', { class: 'muted small', text: (note ? note + ' ' : '') + 'Drag across the chart (or click a bar) to zoom in.' }));
}

async function download(format, params, range, status) {
  status.textContent = `Exporting ${format.toUpperCase()}…`;
  try {
    const res = await request('/v1/events/export' + query({ format, ...apiFilters(params), ...range }), { accept: 'response' });
    const blob = await res.blob();
    const a = el('a', { href: URL.createObjectURL(blob), download: `vellum-events.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    status.textContent = `Export done (${blob.size.toLocaleString()} bytes).`;
  } catch (e) {
    status.textContent = 'Export failed: ' + e.message;
  }
}

/** Reads the SSE stream with fetch (EventSource cannot send the key in a header). */
async function tail(params, onEvent, setStatus, signal) {
  let last = null;
  while (!signal.aborted) {
    try {
      const res = await request('/v1/events/stream' + query(apiFilters(params)),
        { headers: last ? { 'Last-Event-ID': last } : {}, signal, accept: 'response' });
      setStatus('Live: connected');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let type = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) last = line.slice(4);
            else if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (type === 'message' && data) onEvent(JSON.parse(data));
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      setStatus('Live: reconnecting (' + e.message + ')');
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function renderSearch(main, params) {
  clear(main);
  const range = resolveRange(params);
  const filters = apiFilters(params);
  const tbody = el('tbody');
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const more = el('button', { type: 'button', text: 'Load more', hidden: true });
  const chart = el('section', { class: 'timeline', 'aria-label': 'Timeline' });
  const exportStatus = el('span', { class: 'muted small', role: 'status' });
  const liveStatus = el('span', { class: 'muted small', id: 'live-status', role: 'status' });
  const live = el('input', { type: 'checkbox', id: 'live' });
  const controller = new AbortController();
  const keyListener = (ev) => onKey(ev);
  state = { params, key: filterKey(params), tbody, byId: new Map(), cursor: null, loading: false };
  const mine = state;
  main.append(
    el('h1', { class: 'sr-only', text: 'Search audit events' }),
    filterForm(params),
    chart,
    el('div', { class: 'toolbar' },
      el('button', { type: 'button', text: 'Export CSV', onclick: () => download('csv', params, range, exportStatus) }),
      el('button', { type: 'button', text: 'Export JSON Lines', onclick: () => download('jsonl', params, range, exportStatus) }),
      exportStatus,
      el('span', { class: 'spacer' }),
      el('label', { for: 'live', class: 'inline' }, live, ' Live tail'), liveStatus),
    el('div', { class: 'table-wrap' },
      el('table', { class: 'results', id: 'results' },
        el('caption', { class: 'sr-only', text: 'Matching events, newest first. Keys: j and k move, Enter opens, Escape closes.' }),
        el('thead', {}, el('tr', {}, ['Time (UTC)', 'Type', 'Outcome', 'Actor', 'Target', 'Source'].map((h) => el('th', { scope: 'col', text: h })))),
        tbody)),
    status, more);

  const loadPage = async () => {
    if (mine.loading || mine !== state) return;
    mine.loading = true;
    status.textContent = 'Loading…';
    try {
      const r = await get('/v1/events', { ...filters, ...range, limit: PAGE, cursor: mine.cursor || undefined }, { signal: controller.signal });
      for (const e of r.events) { mine.byId.set(e.id, e); tbody.append(rowFor(e)); }
      mine.cursor = r.next_cursor;
      more.hidden = !mine.cursor;
      const n = tbody.children.length;
      status.textContent = n === 0 ? 'No events match these filters.' : `${n} event${n === 1 ? '' : 's'} shown${mine.cursor ? ' — scroll for more' : ''}.`;
    } catch (e) {
      if (e.name !== 'AbortError') { status.textContent = 'Search failed: ' + e.message; status.classList.add('error'); }
    } finally {
      mine.loading = false;
    }
  };
  more.addEventListener('click', loadPage);
  const sentinel = new IntersectionObserver((entries) => {
    if (entries.some((x) => x.isIntersecting) && mine.cursor) loadPage();
  });
  sentinel.observe(more);
  document.addEventListener('keydown', keyListener);

  let tailCtl = null;
  live.addEventListener('change', () => {
    if (live.checked) {
      tailCtl = new AbortController();
      liveStatus.textContent = 'Live: connecting';
      tail(params, (e) => {
        if (mine.byId.has(e.id)) return;
        mine.byId.set(e.id, e);
        const tr = rowFor(e);
        tr.classList.add('new');
        tbody.prepend(tr);
      }, (s) => { liveStatus.textContent = s; }, tailCtl.signal);
    } else if (tailCtl) {
      tailCtl.abort();
      liveStatus.textContent = 'Live: off';
    }
  });

  await loadPage();
  timeline(chart, params, range).catch((e) => chart.append(el('p', { class: 'error', text: 'Timeline failed: ' + e.message })));
  if (params.get('event')) openDetail(params.get('event'), mine.byId.get(params.get('event')));
  return () => {
    controller.abort();
    if (tailCtl) tailCtl.abort();
    sentinel.disconnect();
    document.removeEventListener('keydown', keyListener);
    closeDetail();
    if (state === mine) state = null;
  };
}
