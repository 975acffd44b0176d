// In-browser verification of Vellum's integrity proofs. Pure functions over bytes and JSON;
// nothing here talks to the server. Formats: docs/integrity.md.
//   leaf hash   = SHA-256(0x00 || RFC 8785 canonical JSON of the event without leaf_hash)
//   node hash   = SHA-256(0x01 || left || right)                       (RFC 6962 §2.1)
//   inclusion   = RFC 9162 §2.1.3.2, consistency = RFC 9162 §2.1.4.2
//   checkpoint  = C2SP tlog-checkpoint inside a C2SP signed note, Ed25519 (RFC 8032)
// Ed25519 is checked with WebCrypto (Chromium ≥ 137, Firefox ≥ 129, Safari ≥ 17 support it).

const enc = new TextEncoder();

export function b64decode(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/**
 * RFC 8785 (JCS): members sorted by UTF-16 code units (JavaScript's default string order),
 * no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them, which is
 * what JCS specifies (ECMA-262 Number::toString; control characters as \b \t \n \f \r or
 * \u00xx in lower-case hex).
 */
export function canonicalize(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error('JCS: numbers must be finite');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map(canonicalize).join(',') + ']';
  }
  const keys = Object.keys(value).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalize(value[k])).join(',') + '}';
}

export async function leafHash(leafInput) {
  return sha256(concat(new Uint8Array([0]), leafInput));
}

export async function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** The leaf input of an event as served by the API: canonical JSON without leaf_hash. */
export function eventLeafInput(event) {
  const copy = { ...event };
  delete copy.leaf_hash;
  return enc.encode(canonicalize(copy));
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or an Error saying why not. */
function requireHashes(...hashes) {
  for (const h of hashes) {
    if (!(h instanceof Uint8Array) || h.length !== 32) throw new Error('a hash must be 32 bytes');
  }
}

export async function rootFromInclusionProof(index, size, leaf, proof) {
  requireHashes(leaf, ...proof);
  if (!(index >= 0 && index < size)) {
    throw new Error(`leaf index ${index} is not below tree size ${size}`);
  }
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new Error('proof is longer than the path to the root');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('proof is shorter than the path to the root');
  return r;
}

export async function verifyInclusion(index, size, leaf, proof, root) {
  requireHashes(root);
  const r = await rootFromInclusionProof(index, size, leaf, proof);
  if (!equal(r, root)) {
    throw new Error(`root mismatch at size ${size}: expected ${b64encode(root)}, calculated ${b64encode(r)}`);
  }
}

/** RFC 9162 §2.1.4.2; throws an Error naming what does not hold. */
export async function verifyConsistency(size1, size2, root1, root2, proof) {
  requireHashes(...proof);
  // a proof from the empty tree proves nothing; the merkle probes reject it
  if (size1 < 1) throw new Error('the older tree must have at least one leaf');
  if (size2 < size1) throw new Error(`tree shrank from ${size1} to ${size2}`);
  if (size1 === size2) {
    if (proof.length > 0) throw new Error('proof must be empty for equal sizes');
    if (!equal(root1, root2)) throw new Error(`fork: two roots for size ${size1}`);
    return;
  }
  if (proof.length === 0) throw new Error('empty proof');
  requireHashes(root1, root2);
  let path = proof;
  let fn = BigInt(size1) - 1n;
  let sn = BigInt(size2) - 1n;
  if ((BigInt(size1) & (BigInt(size1) - 1n)) === 0n) path = [root1, ...proof];
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new Error('proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('proof is too short');
  if (!equal(fr, root1)) throw new Error(`old root mismatch at size ${size1}`);
  if (!equal(sr, root2)) throw new Error(`new root mismatch at size ${size2}`);
}

/** Parses a verifier key string: name+hexid+base64(0x01 || 32-byte public key). */
export async function parseVerifierKey(text) {
  const s = text.trim();
  // the name holds no '+', the base64 key may: split at the first two only
  const a = s.indexOf('+');
  const b = a < 0 ? -1 : s.indexOf('+', a + 1);
  if (a <= 0 || b < 0) throw new Error('verifier key must be name+keyid+key');
  const name = s.slice(0, a);
  const idHex = s.slice(a + 1, b);
  const keyB64 = s.slice(b + 1);
  if (!/^[0-9a-f]{8}$/i.test(idHex)) throw new Error('verifier key id must be 8 hex digits');
  const raw = b64decode(keyB64);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('verifier key is not an Ed25519 key');
  const pub = raw.slice(1);
  const id = await keyId(name, pub);
  if (hex(id) !== idHex.toLowerCase()) throw new Error(`key id ${idHex} does not match the key (${hex(id)})`);
  const fingerprint = hex(await sha256(pub));
  return { text: s, name, keyId: hex(id), publicKey: pub, fingerprint };
}

/** C2SP signed-note key id: first 4 bytes of SHA-256(name || "\n" || 0x01 || public key). */
export async function keyId(name, pub) {
  const h = await sha256(concat(enc.encode(name + '\n'), new Uint8Array([1]), pub));
  return h.slice(0, 4);
}

/** Splits a signed note (C2SP signed-note) into its text and signature lines. */
export function parseNote(note) {
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const text = note.slice(0, at + 1);
  const sigs = note.slice(at + 2, -1).split('\n').map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    const blob = b64decode(m[2]);
    if (blob.length < 5) throw new Error('signature too short');
    return { name: m[1], keyId: hex(blob.slice(0, 4)), signature: blob.slice(4) };
  });
  return { text, signatures: sigs };
}

/** The origin, size and root of a C2SP tlog-checkpoint text. */
export function parseCheckpoint(text) {
  const lines = text.split('\n');
  if (lines.length < 4) throw new Error('checkpoint text needs origin, size and root');
  const size = lines[1];
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new Error('checkpoint size is not a number');
  const root = b64decode(lines[2]);
  if (root.length !== 32) throw new Error('checkpoint root is not 32 bytes');
  return { origin: lines[0], size: Number(size), root };
}

export function ed25519Supported() {
  return crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'Ed25519' }, false, ['verify'])
    .then(() => true, () => false);
}

/** Checks a checkpoint note's signature by the pinned key; returns the parsed checkpoint. */
export async function verifyNote(note, key) {
  const n = parseNote(note);
  const sig = n.signatures.find((s) => s.name === key.name && s.keyId === key.keyId);
  if (!sig) throw new Error(`no signature by the pinned key ${key.name}+${key.keyId}`);
  if (sig.signature.length !== 64) throw new Error('Ed25519 signature must be 64 bytes');
  let pub;
  try {
    pub = await crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    throw new Error('this browser has no Ed25519 in WebCrypto: ' + e.message);
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, pub, sig.signature, enc.encode(n.text));
  if (!ok) throw new Error(`Ed25519 signature by ${key.name}+${key.keyId} does not verify`);
  const cp = parseCheckpoint(n.text);
  if (cp.origin !== key.name) throw new Error(`checkpoint origin ${cp.origin} is not the key name ${key.name}`);
  return { ...n, ...cp };
}

/**
 * The whole chain for one event. Returns {ok, steps:[{step, ok, detail}]}; the first failing
 * step stops the chain and is named, so the badge can say exactly what failed.
 */
export async function verifyEvent(event, proof, key) {
  const steps = [];
  const run = async (step, fn) => {
    try {
      const detail = await fn();
      steps.push({ step, ok: true, detail });
      return true;
    } catch (e) {
      steps.push({ step, ok: false, detail: e.message });
      return false;
    }
  };
  let leaf;
  let cp;
  const ok = await run('leaf hash', async () => {
    leaf = await leafHash(eventLeafInput(event));
    if (b64encode(leaf) !== event.leaf_hash) {
      throw new Error(`the event's content hashes to ${b64encode(leaf)}, its leaf_hash is ${event.leaf_hash}`);
    }
    if (proof.leaf_hash !== event.leaf_hash) throw new Error('the proof is for another leaf hash');
    return 'SHA-256(0x00 ‖ canonical JSON) = ' + b64encode(leaf);
  }) && await run('checkpoint signature', async () => {
    if (!proof.checkpoint) throw new Error('no signed checkpoint covers this event yet');
    cp = await verifyNote(proof.checkpoint, key);
    return `signed by ${key.name} (key id ${key.keyId}), tree size ${cp.size}`;
  }) && await run('inclusion proof', async () => {
    if (proof.leaf_index !== event.seq) throw new Error(`proof is for leaf ${proof.leaf_index}, event seq is ${event.seq}`);
    if (proof.tree_size !== cp.size) throw new Error(`proof is for size ${proof.tree_size}, checkpoint is ${cp.size}`);
    await verifyInclusion(event.seq, cp.size, leaf, proof.audit_path.map(b64decode), cp.root);
    return `${proof.audit_path.length} hashes lead from leaf ${event.seq} to the signed root of size ${cp.size}`;
  });
  return { ok, steps };
}
