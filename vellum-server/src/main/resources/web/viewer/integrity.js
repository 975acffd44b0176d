// The integrity page: latest checkpoint, history, the log key, and a consistency check between
// two checkpoints, all verified in this browser against the pinned key.
import { get } from './api.js';
import { el, clear, fmtTime } from './util.js';
import { verifyNote, verifyConsistency, b64decode } from './verify.js';
import { keyState, refreshKeyBanners } from './keys.js';

async function history() {
  const all = [];
  let since = 0;
  for (let i = 0; i < 10; i++) {
    const r = await get('/v1/log/checkpoints', { since_size: since });
    all.push(...r.checkpoints);
    if (r.checkpoints.length < 1000) break;
    since = r.checkpoints[r.checkpoints.length - 1].tree_size + 1;
  }
  return all;
}

export async function renderIntegrity(main) {
  clear(main);
  main.append(el('h1', { text: 'Integrity' }));
  const ks = keyState() || await refreshKeyBanners();
  const key = ks.pinned;
  const cps = await history();
  const latest = cps[cps.length - 1];
  const latestCard = el('section', { class: 'card', 'aria-labelledby': 'latest-h' }, el('h2', { id: 'latest-h', text: 'Latest checkpoint' }));
  if (!latest) {
    latestCard.append(el('p', { text: 'No checkpoint has been signed yet: the log is empty.' }));
  } else {
    const status = el('p', { id: 'latest-status', class: 'badge pending', text: 'Checking the signature…' });
    latestCard.append(
      el('dl', { class: 'fields' },
        el('dt', { text: 'Tree size' }), el('dd', { id: 'latest-size', text: String(latest.tree_size) }),
        el('dt', { text: 'Root hash' }), el('dd', { text: latest.root_hash }),
        el('dt', { text: 'Signed at' }), el('dd', { text: fmtTime(latest.signed_at) })),
      status, el('pre', { class: 'json', text: latest.note }));
    verifyNote(latest.note, key).then(
      (n) => { status.className = 'badge ok'; status.textContent = `Signature verified in this browser with the pinned key (key id ${key.keyId}); size ${n.size}.`; },
      (e) => { status.className = 'badge bad'; status.textContent = 'Signature check failed: ' + e.message; });
  }
  const keyCard = el('section', { class: 'card', 'aria-labelledby': 'key-h' }, el('h2', { id: 'key-h', text: 'Log key' }),
    el('dl', { class: 'fields' },
      el('dt', { text: 'Key name' }), el('dd', { text: ks.served.name }),
      el('dt', { text: 'Pinned key id' }), el('dd', { text: ks.pinned.keyId }),
      el('dt', { text: 'Pinned fingerprint (SHA-256 of the public key)' }), el('dd', {}, el('code', { text: ks.pinned.fingerprint })),
      el('dt', { text: 'Served key' }), el('dd', {}, el('code', { text: ks.served.text })),
      el('dt', { text: 'Status' }), el('dd', { text: ks.changed ? 'CHANGED since pinned — see the warning above' : 'matches the pinned key' })));
  const opts = (sel) => cps.slice().reverse().map((c, i) => el('option', { value: String(c.tree_size), text: `${c.tree_size} (${fmtTime(c.signed_at)})`, selected: sel(i) }));
  const fromSel = el('select', { id: 'cons-from' }, opts((i) => i === cps.length - 1));
  const toSel = el('select', { id: 'cons-to' }, opts((i) => i === 0));
  const result = el('p', { id: 'cons-result', role: 'status' });
  const form = el('form', { class: 'inline-form' },
    el('div', { class: 'field' }, el('label', { for: 'cons-from', text: 'Older checkpoint (size)' }), fromSel),
    el('div', { class: 'field' }, el('label', { for: 'cons-to', text: 'Newer checkpoint (size)' }), toSel),
    el('button', { type: 'submit', class: 'primary', text: 'Check consistency' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const a = cps.find((c) => c.tree_size === Number(fromSel.value));
    const b = cps.find((c) => c.tree_size === Number(toSel.value));
    result.className = 'badge pending';
    result.textContent = 'Checking…';
    try {
      if (!a || !b) throw new Error('choose two checkpoints');
      const [older, newer] = a.tree_size <= b.tree_size ? [a, b] : [b, a];
      const n1 = await verifyNote(older.note, key);
      const n2 = await verifyNote(newer.note, key);
      let proof = [];
      if (n1.size !== n2.size && n1.size > 0) {
        proof = (await get('/v1/log/consistency', { from: n1.size, to: n2.size })).proof.map(b64decode);
      }
      await verifyConsistency(n1.size, n2.size, n1.root, n2.root, proof);
      result.className = 'badge ok';
      result.textContent = `Consistent: the signed tree of size ${n2.size} extends the signed tree of size ${n1.size} (${proof.length} proof hashes, checked in this browser).`;
    } catch (e) {
      result.className = 'badge bad';
      result.textContent = 'Not consistent: ' + e.message;
    }
  });
  const consCard = el('section', { class: 'card', 'aria-labelledby': 'cons-h' }, el('h2', { id: 'cons-h', text: 'Consistency between two checkpoints' }),
    el('p', { text: 'Proves that the newer signed tree contains the older one unchanged (RFC 9162 §2.1.4).' }), form, result);
  const shown = cps.slice(-50).reverse();
  const histCard = el('section', { class: 'card', 'aria-labelledby': 'hist-h' }, el('h2', { id: 'hist-h', text: 'Checkpoint history' }),
    el('p', { class: 'muted', text: `${cps.length} signed checkpoints; the newest ${shown.length} are listed.` }),
    el('div', { class: 'table-wrap' }, el('table', { class: 'results' },
      el('thead', {}, el('tr', {}, ['Tree size', 'Root hash', 'Signed at (UTC)'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, shown.map((c) => el('tr', {}, el('td', { text: String(c.tree_size) }), el('td', { class: 'mono', text: c.root_hash }), el('td', { text: fmtTime(c.signed_at) })))))));
  main.append(el('div', { class: 'grid two' }, latestCard, keyCard), consCard, histCard);
  return null;
}
