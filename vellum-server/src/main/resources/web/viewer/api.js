// The viewer's only door to the server: the public /v1 API, with the API key in a header.
// The key lives in sessionStorage (gone when the tab closes), never in a URL or a cookie.

const KEY = 'vellum.apiKey';

export function apiKey() { return sessionStorage.getItem(KEY); }
export function setApiKey(k) { sessionStorage.setItem(KEY, k); }
export function signOut() { sessionStorage.removeItem(KEY); }

/** An error carrying the problem+json document (RFC 9457) or a network failure. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x)); else q.append(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

export async function request(path, { headers = {}, signal, accept = 'json' } = {}) {
  const key = apiKey();
  let res;
  try {
    res = await fetch(path, {
      headers: { ...(key ? { Authorization: 'Bearer ' + key } : {}), ...headers },
      signal, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { detail: 'cannot reach the server: ' + e.message });
  }
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch (ignored) { problem = null; }
    throw new ApiError(res.status, problem);
  }
  if (accept === 'response') return res;
  if (accept === 'text') return res.text();
  return res.json();
}

export const get = (path, params = {}, opts = {}) => request(path + query(params), opts);

/** A message for a failed sign-in or a request that lost its key's rights. */
export function authMessage(err) {
  if (err.status === 401) return 'This API key is unknown or revoked. Check it, or ask an admin for a new one.';
  if (err.status === 403) return 'This API key lacks the events:read scope the viewer needs.';
  if (err.status === 429) return 'Too many requests for this key; try again in a moment.';
  return err.message;
}
