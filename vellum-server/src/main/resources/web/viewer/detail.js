// The event detail side panel: every field as text, pretty JSON, the changes as a before/after
// diff, related links, and the integrity badge computed in this page.
import { get, ApiError } from './api.js';
import { el, clear, fmtTime } from './util.js';
import { verifyEvent } from './verify.js';
import { pinnedKey } from './keys.js';

const panel = document.getElementById('detail');
let openId = null;
let returnFocus = null;

export function closeDetail() {
  openId = null;
  panel.hidden = true;
  clear(panel);
  if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  returnFocus = null;
}

function withoutEvent(extra) {
  const h = location.hash.split('?');
  const p = new URLSearchParams(h[1] || '');
  p.delete('event');
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return '#/search?' + p.toString();
}

function flatten(value, prefix, out) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    if (entries.length === 0) out.push([prefix, Array.isArray(value) ? '[]' : '{}']);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, value === null ? 'null' : String(value)]);
  }
  return out;
}

function show(v) {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function related(e) {
  const links = [];
  const t = Date.parse(e.occurred_at);
  if (e.session_id) {
    links.push(el('a', { href: '#/search?' + new URLSearchParams({ range: 'all', session_id: e.session_id }), text: 'Same session' }));
  }
  if (e.actor && e.actor.id && !Number.isNaN(t)) {
    links.push(el('a', {
      href: '#/search?' + new URLSearchParams({ range: 'custom', actor_id: e.actor.id,
        from: new Date(t - 600e3).toISOString(), to: new Date(t + 600e3).toISOString() }),
      text: 'Same actor ±10 minutes' }));
  }
  if (e.related_event_id) {
    links.push(el('a', { href: withoutEvent({ event: e.related_event_id }), text: 'Related event' }));
  }
  return links.length ? el('ul', { class: 'links' }, links.map((a) => el('li', {}, a))) : el('p', { class: 'muted', text: 'No related links.' });
}

async function badge(e, node) {
  const key = pinnedKey();
  if (!key) {
    node.className = 'badge unknown';
    node.textContent = 'Not verified: no pinned log key';
    return;
  }
  let proof;
  for (let attempt = 0; ; attempt++) {
    try {
      proof = await get(`/v1/events/${encodeURIComponent(e.id)}/proof`);
      break;
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && attempt < 5) {
        node.textContent = 'Waiting for a signed checkpoint that covers this event…';
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      node.className = 'badge bad';
      node.textContent = 'Not verified — step "fetch proof" failed: ' + err.message;
      return;
    }
  }
  const r = await verifyEvent(e, proof, key);
  const steps = el('ol', { class: 'steps' }, r.steps.map((s) =>
    el('li', { class: s.ok ? 'ok' : 'bad' }, el('strong', { text: (s.ok ? '✔ ' : '✘ ') + s.step + ': ' }), s.detail)));
  clear(node);
  if (r.ok) {
    node.className = 'badge ok';
    node.append(el('span', { class: 'badge-title', text: 'Verified in this browser' }), steps);
  } else {
    const failed = r.steps.find((s) => !s.ok);
    node.className = 'badge bad';
    node.append(el('span', { class: 'badge-title', text: `Verification failed at step "${failed.step}"` }), steps);
  }
  node.dataset.result = r.ok ? 'ok' : 'failed';
  node.dataset.step = r.ok ? '' : r.steps.find((s) => !s.ok).step;
}

export async function openDetail(id, known) {
  if (openId === id && !panel.hidden) return;
  openId = id;
  if (!returnFocus) returnFocus = document.activeElement;
  clear(panel);
  panel.hidden = false;
  const close = el('a', { href: withoutEvent(), class: 'button close', 'aria-label': 'Close event detail', text: '×' });
  panel.append(el('div', { class: 'detail-head' }, el('h2', { id: 'detail-title', text: 'Event' }), close));
  panel.setAttribute('aria-labelledby', 'detail-title');
  let e = known;
  if (!e) {
    try {
      e = await get(`/v1/events/${encodeURIComponent(id)}`);
    } catch (err) {
      panel.append(el('p', { class: 'error', role: 'alert', text: 'Could not load the event: ' + err.message }));
      return;
    }
  }
  if (openId !== id) return;
  panel.querySelector('h2').textContent = e.type || 'Event';
  const badgeNode = el('div', { class: 'badge pending', id: 'badge', role: 'status', text: 'Verifying in this browser…' });
  const fields = el('dl', { class: 'fields' }, flatten(e, '', []).map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  const changes = Array.isArray(e.changes) && e.changes.length
    ? el('table', { class: 'diff' },
      el('caption', { text: 'Changes' }),
      el('thead', {}, el('tr', {}, ['Path', 'Before', 'After'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, e.changes.map((c) => el('tr', {},
        el('td', { text: c.path }), el('td', { class: 'before', text: show(c.before) }), el('td', { class: 'after', text: show(c.after) })))))
    : null;
  panel.append(
    el('p', { class: 'muted', text: `${fmtTime(e.occurred_at)} · seq ${e.seq} · ${e.id}` }),
    badgeNode,
    changes ? el('section', { 'aria-label': 'Changes' }, changes) : '',
    el('h3', { text: 'Related' }), related(e),
    el('h3', { text: 'Fields' }), fields,
    el('h3', { text: 'JSON' }), el('pre', { class: 'json', tabindex: '0', text: JSON.stringify(e, null, 2) }));
  close.focus();
  badge(e, badgeNode).catch((err) => { badgeNode.className = 'badge bad'; badgeNode.textContent = 'Not verified: ' + err.message; });
}
