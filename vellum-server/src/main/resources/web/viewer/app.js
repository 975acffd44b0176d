// Entry point: sign-in, navigation between views, keyboard shortcuts. Views live in their own
// modules and render into <main>; the filter state of every view is in the URL (hash).
import { apiKey, setApiKey, signOut, get, authMessage } from './api.js';
import { el, clear } from './util.js';
import { refreshKeyBanners } from './keys.js';
import { renderSearch, updateSearch } from './search.js';
import { renderDashboard } from './dashboard.js';
import { renderIntegrity } from './integrity.js';
import { closeDetail } from './detail.js';

const main = document.getElementById('main');
let leaving = null;

function route() {
  const h = location.hash.replace(/^#/, '') || '/search';
  const [path, qs] = h.split('?');
  return { view: path.replace(/^\//, '') || 'search', params: new URLSearchParams(qs || '') };
}

function renderSignIn(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  closeDetail();
  clear(main);
  const input = el('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = el('p', { id: 'sign-in-error', class: 'error', role: 'alert', text: message || '' });
  const form = el('form', { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    el('h1', { id: 'sign-in-title', text: 'Sign in to the audit viewer' }),
    el('p', { text: 'Paste an API key with the events:read scope. It is kept in this tab only (sessionStorage) and sent as a header, never in a URL or a cookie.' }),
    el('label', { for: 'api-key', text: 'API key' }), input,
    el('button', { type: 'submit', class: 'primary', text: 'Sign in' }), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    setApiKey(input.value.trim());
    try {
      await get('/v1/events', { limit: 1 });
    } catch (e) {
      signOut();
      error.textContent = authMessage(e);
      return;
    }
    await start();
  });
  main.append(form);
  input.focus();
}

async function render() {
  const { view, params } = route();
  if (view === 'search' && leaving && apiKey() && updateSearch(params)) return;
  if (leaving) { leaving(); leaving = null; }
  if (!apiKey()) { renderSignIn(); return; }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  try {
    if (view === 'dashboard') { closeDetail(); leaving = await renderDashboard(main); }
    else if (view === 'integrity') { closeDetail(); leaving = await renderIntegrity(main, params); }
    else leaving = await renderSearch(main, params);
  } catch (e) {
    if (e.status === 401 || e.status === 403) { signOut(); renderSignIn(authMessage(e)); return; }
    clear(main).append(el('p', { class: 'error', role: 'alert', text: 'Could not load this page: ' + e.message }));
  }
}

async function start() {
  document.getElementById('nav').hidden = false;
  document.getElementById('sign-out').hidden = false;
  try {
    await refreshKeyBanners();
  } catch (e) {
    if (e.status === 401 || e.status === 403) { signOut(); renderSignIn(authMessage(e)); return; }
    const warn = document.getElementById('key-warning');
    warn.textContent = 'Could not check the log signing key, so nothing can be verified: ' + e.message;
    warn.hidden = false;
  }
  if (!location.hash) location.hash = '#/search'; else await render();
}

document.getElementById('sign-out').addEventListener('click', () => {
  signOut();
  document.getElementById('key-warning').hidden = true;
  document.getElementById('key-notice').hidden = true;
  location.hash = '';
  renderSignIn('Signed out.');
});
window.addEventListener('hashchange', render);
if (apiKey()) start(); else renderSignIn();
