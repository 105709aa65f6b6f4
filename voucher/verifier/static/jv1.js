// JV1 voucher verification in the browser, exactly as docs/FORMAT.md specifies.
// No network: WebCrypto Ed25519 (secure contexts: https or localhost), and where a browser
// lacks it, the audited @noble/ed25519 (vendored from npm) with the same RFC 8032 rules.

export const PREFIX = "JV1:";
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
const BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const SIGNATURE_BYTES = 64;
const FIXED_BYTES = 2 + 8 + 4;
const LAST_MINUTE = Date.UTC(9999, 11, 31, 23, 59) / 60000; // windows end by 9999-12-31T23:59Z

export class InvalidVoucher extends Error {
  constructor(reason, detail, claims = null) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
    this.detail = detail;
    this.claims = claims;
  }
}

const malformed = (detail) => new InvalidVoucher("malformed", detail);

export function b45decode(text) {
  const values = Array.from(text, (c) => {
    const v = BASE45.indexOf(c);
    if (v < 0) throw malformed(`character ${JSON.stringify(c)} is not Base45`);
    return v;
  });
  if (values.length % 3 === 1) throw malformed("Base45 text length leaves a single character");
  const out = [];
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
      if (n > 0xffff) throw malformed("Base45 group exceeds two bytes");
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw malformed("Base45 group exceeds one byte");
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export function idToText(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  for (let i = 12; i >= 0; i--) out += CROCKFORD[Number((n >> BigInt(5 * i)) & 31n)];
  return out;
}

/** Luhn mod 32 over Crockford characters (voucher/token/codes.py). */
function checkChar(id) {
  let total = 0;
  let factor = 2;
  for (const c of Array.from(id).reverse()) {
    const addend = factor * CROCKFORD.indexOf(c);
    total += Math.floor(addend / 32) + (addend % 32);
    factor = 3 - factor;
  }
  return CROCKFORD[(32 - (total % 32)) % 32];
}

export function shortCode(id) {
  return (id + checkChar(id)).match(/.{1,4}/g).join("-");
}

/** The voucher id in a typed ticket number, read as voucher/token/codes.py reads it (case,
 * dashes, spaces and the look-alikes O, I, L tolerated): null when `text` is not shaped like one,
 * {id: null} when its check character does not match (a typo, caught before any lookup). */
export function shortCodeId(text) {
  const chars = text.toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1").replace(/[\s-]/g, "");
  // 13 characters of 5 bits carry 65 bits: the first is at most F (15) for a 64-bit id.
  if (!/^[0-9A-F][0-9A-Z]{12,13}$/.test(chars) || Array.from(chars).some((c) => !CROCKFORD.includes(c))) return null;
  const id = chars.slice(0, 13);
  return chars.length === 13 || checkChar(id) === chars[13] ? { id } : { id: null };
}

const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");
const utf8 = new TextDecoder("utf-8", { fatal: true });

class Reader {
  constructor(bytes) { this.bytes = bytes; this.pos = 0; }
  take(n) {
    if (this.pos + n > this.bytes.length) throw malformed("code ends early (truncated?)");
    const chunk = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return chunk;
  }
  varint() {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.take(1)[0];
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (!(byte & 0x80)) {
        if (byte === 0 && i > 0) throw malformed("non-minimal duration");
        return value;
      }
    }
    throw malformed("duration too long");
  }
  text() {
    const length = this.take(1)[0];
    if (length === 0) throw malformed("empty text field");
    let value;
    try { value = utf8.decode(this.take(length)); } catch { throw malformed("text is not UTF-8"); }
    if (value.normalize("NFC") !== value) throw malformed("text is not in NFC form");
    return value;
  }
}

/** Claims, signed message and signature of a code, without checking the signature. */
export function parse(input) {
  if (typeof input !== "string") throw malformed("a voucher code is text");
  const text = input.replace(/^\s+/, "").replace(/[\r\n\t\v\f]+$/, "");
  if (!text.startsWith(PREFIX)) {
    const other = /^JV\d+:/.exec(text);
    if (other) throw new InvalidVoucher("unsupported_version", `format ${other[0].slice(0, -1)}`);
    throw malformed("not a Jobcenter travel voucher code");
  }
  const raw = b45decode(text.slice(PREFIX.length));
  if (raw.length < SIGNATURE_BYTES + FIXED_BYTES) throw malformed("code is too short (truncated?)");
  const body = raw.subarray(0, raw.length - SIGNATURE_BYTES);
  const signature = raw.subarray(raw.length - SIGNATURE_BYTES);
  const r = new Reader(body);
  const kid = hex(r.take(2));
  const voucherId = idToText(r.take(8));
  const start = r.take(4).reduce((n, b) => n * 256 + b, 0);
  const duration = r.varint();
  const flags = r.take(1)[0];
  const travellers = flags & 15;
  if (flags & 128 || travellers < 1 || travellers > 9 || duration < 1) throw malformed("field out of range");
  const holder = r.text();
  const office = r.text();
  let zone = null, origin = null, destination = null;
  if (flags & 64) zone = r.text(); else { origin = r.text(); destination = r.text(); }
  if (r.pos !== body.length) throw malformed("unexpected bytes after the route");
  if (start + duration > LAST_MINUTE) throw malformed("validity ends after the year 9999");
  const from = start * 60000;
  const claims = {
    voucher_id: voucherId, kid, valid_from: iso(from), valid_until: iso(from + duration * 60000),
    holder_name: holder, office, fare_class: flags & 16 ? 1 : 2, travellers,
    return_trip: Boolean(flags & 32), zone, origin, destination, short_code: shortCode(voucherId),
  };
  const message = new Uint8Array(PREFIX.length + body.length);
  message.set(new TextEncoder().encode(PREFIX));
  message.set(body, PREFIX.length);
  return { claims, message, signature };
}

const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));


/** Import a trust list document; entries whose kid does not match their key are dropped. The
 * development keys a server lists apart (`development_keys`, once it has a production key) come
 * in marked development: what they signed is recognised as a test, never as a ticket. */
export async function importTrust(document) {
  const keys = [];
  const development = (document.development_keys || []).map((entry) => ({ ...entry, development: true }));
  for (const entry of [...(document.keys || []), ...development]) {
    if (entry.alg !== "Ed25519") continue;
    const raw = unb64url(entry.public_key);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
    if (hex(digest.subarray(0, 2)) !== entry.kid) continue;
    keys.push({
      kid: entry.kid, issuer: entry.issuer, development: Boolean(entry.development),
      notBefore: Date.parse(entry.not_before), notAfter: Date.parse(entry.not_after),
      key: await ed25519Key(raw),
    });
  }
  return keys;
}

async function ed25519Key(raw) {
  try {
    return { subtle: await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]) };
  } catch {
    return { raw }; // no WebCrypto Ed25519 here: verify with the fallback
  }
}

async function verifies(key, signature, message) {
  if (key.key.subtle) return crypto.subtle.verify({ name: "Ed25519" }, key.key.subtle, signature, message);
  const noble = await import("./vendor/noble-ed25519.js");
  return noble.verifyAsync(signature, message, key.key.raw, { zip215: false });
}

/** Which implementation verifies signatures here (shown for support, tested both ways). */
export const engine = (trust) => (trust.length && !trust[0].key.subtle ? "noble-ed25519" : "webcrypto");

/** The verified claims and key, or an InvalidVoucher saying why not. */
export async function verify(code, trust, now = Date.now(), revoked = new Set()) {
  const { claims, message, signature } = parse(code);
  const candidates = trust.filter((k) => k.kid === claims.kid
    && k.notBefore - CLOCK_SKEW_MS <= now && now <= k.notAfter + CLOCK_SKEW_MS);
  if (!candidates.length) throw new InvalidVoucher("unknown_key", `key ${claims.kid} is not in the trust list`);
  let key = null;
  for (const candidate of candidates) {
    if (await verifies(candidate, signature, message)) { key = candidate; break; }
  }
  if (!key) throw new InvalidVoucher("bad_signature", "signature does not match (forged or damaged)");
  if (revoked.has(claims.voucher_id)) throw new InvalidVoucher("revoked", "voucher was cancelled", claims);
  const outside = windowReason(claims, now);
  if (outside) throw new InvalidVoucher(outside, outside === "expired" ? "validity has ended" : "validity has not started", claims);
  return { claims, key };
}

/** "not_yet_valid", "expired" or null: the validity window at `now`, with the clock skew allowed
 * (the same rule for a scanned code and for a ticket number's record looked up online). */
export function windowReason(claims, now) {
  if (now < Date.parse(claims.valid_from) - CLOCK_SKEW_MS) return "not_yet_valid";
  if (now >= Date.parse(claims.valid_until) + CLOCK_SKEW_MS) return "expired";
  return null;
}

function compactIds(raw, count) {
  const ids = [];
  let number = 0n, value = 0n, shift = 0n;
  for (const byte of raw) {
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (!(byte & 0x80)) {
      number += value;
      const bytes = new Uint8Array(8);
      for (let i = 7, n = number; i >= 0; i--, n >>= 8n) bytes[i] = Number(n & 0xffn);
      ids.push(idToText(bytes));
      value = 0n;
      shift = 0n;
    }
  }
  if (shift !== 0n || ids.length !== count) throw new Error("compact revocation list is malformed");
  return ids;
}

function revocationMessage(doc) {
  const encoder = new TextEncoder();
  if (doc.format === "ids-delta") {
    const raw = unb64url(doc.ids);
    const header = encoder.encode(`JVR1C\nkid=${doc.kid}\nsince=${doc.since}\nseq=${doc.seq}\ngenerated_at=${doc.generated_at}\ncount=${doc.count}\n`);
    const message = new Uint8Array(header.length + raw.length);
    message.set(header);
    message.set(raw, header.length);
    return { message, ids: compactIds(raw, doc.count) };
  }
  const lines = ["JVR1", `kid=${doc.kid}`, `since=${doc.since}`, `seq=${doc.seq}`, `generated_at=${doc.generated_at}`,
    ...doc.entries.map((e) => `${e.seq} ${e.id} ${e.revoked_at}`)];
  return { message: encoder.encode(lines.join("\n") + "\n"), ids: doc.entries.map((e) => e.id) };
}

/** The revoked ids of a signed revocation list, either form (docs/FORMAT.md, section 6); throws if forged. */
export async function verifyRevocationList(doc, trust) {
  const { message, ids } = revocationMessage(doc);
  const signature = unb64url(doc.signature);
  for (const key of trust.filter((k) => k.kid === doc.kid)) {
    if (await verifies(key, signature, message)) return new Set(ids);
  }
  throw new Error("revocation list signature does not match any trusted key");
}
