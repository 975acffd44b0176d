// The pinned log key: trusted on first use, remembered per origin (localStorage), and a loud
// warning when the server later serves another key under the same name.
import { request } from './api.js';
import { parseVerifierKey } from './verify.js';
import { el, clear } from './util.js';

const PINS = 'vellum.pinnedLogKeys';

function pins() {
  try { return JSON.parse(localStorage.getItem(PINS) || '{}'); } catch (e) { return {}; }
}

export function pin(key) {
  const p = pins();
  p[key.name] = key.text;
  localStorage.setItem(PINS, JSON.stringify(p));
}

/** State of the key: {served, pinned, changed, firstUse}; pins the served key on first use. */
export async function checkLogKey() {
  const served = await parseVerifierKey(await request('/v1/log/key', { accept: 'text' }));
  const pinnedText = pins()[served.name];
  if (!pinnedText) {
    pin(served);
    return { served, pinned: served, changed: false, firstUse: true };
  }
  const pinned = await parseVerifierKey(pinnedText);
  return { served, pinned, changed: pinned.text !== served.text, firstUse: false };
}

let current = null;

/** The key that proofs are checked against: always the pinned one. */
export function pinnedKey() { return current ? current.pinned : null; }
export function keyState() { return current; }

export async function refreshKeyBanners() {
  const warn = document.getElementById('key-warning');
  const note = document.getElementById('key-notice');
  current = await checkLogKey();
  clear(warn); clear(note);
  warn.hidden = !current.changed;
  if (current.changed) {
    warn.append(
      el('strong', { text: 'Warning: the log signing key has changed. ' }),
      `The server now signs as ${current.served.name} with key id ${current.served.keyId} `
        + `(fingerprint ${current.served.fingerprint}), but you pinned key id ${current.pinned.keyId} `
        + `(fingerprint ${current.pinned.fingerprint}). Proofs are still checked against the pinned key, `
        + 'so they will fail. Ask the operator why before trusting the new key. ',
      el('button', {
        type: 'button', text: 'Trust the new key',
        onclick: async () => { pin(current.served); await refreshKeyBanners(); window.dispatchEvent(new HashChangeEvent('hashchange')); },
      }));
  }
  note.hidden = !current.firstUse;
  if (current.firstUse) {
    note.append(
      `Pinned the log key ${current.served.name}, key id ${current.served.keyId}, fingerprint `,
      el('code', { text: current.served.fingerprint }),
      '. Compare it with the key your operator published; later checks use this pinned key. ',
      el('button', { type: 'button', text: 'Dismiss', onclick: () => { note.hidden = true; } }));
  }
  return current;
}
