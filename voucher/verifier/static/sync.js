// Talking to the server when there is a network: the public trust list, the signed revocation
// list (delta since the last sequence number) and the redemptions waiting to upload.
import * as db from "./db.js";
import { importTrust, verifyRevocationList } from "./jv1.js";

const API = "/api/v1";
const BATCH = 200;

export async function settings() {
  return db.get("settings", { token: "", device_id: "", location: "", max_age_hours: 24, purpose: "journey" });
}

/** A call that did not get its answer: `status` is the HTTP status, 0 when no answer came. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function call(path, token, { timeoutMs = 0, ...options } = {}) {
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (timeoutMs) options.signal = AbortSignal.timeout(timeoutMs); // an answer too late is no answer
  // "no-cache": revalidate every time, so a poll with nothing new is a 304 (ETag) and the body
  // comes from the browser's cache.
  let response;
  try {
    response = await fetch(API + path, { ...options, headers, cache: "no-cache" });
  } catch (error) {
    throw new ApiError(0, String(error.message || error)); // no network, or the server is unreachable
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem.detail || `${response.status} ${response.statusText}`);
  }
  return response.json();
}

/** The office's time zone (IANA name) as the trust list publishes it; null before the first sync
 * or from a server that does not publish one (the device's own zone is used then). */
export async function officeTimeZone() {
  const document = await db.get("trust");
  return document && typeof document.timezone === "string" ? document.timezone : null;
}

/** The trust list as imported WebCrypto keys, from the last copy this device stored. */
export async function trust() {
  const document = await db.get("trust");
  return document ? importTrust(document) : [];
}

export async function revoked() {
  const list = await db.get("revocations");
  return new Set(list ? list.ids : []);
}

/** The server's trust list replaces the stored one, a dropped key with it. Its age is counted
 * from this fetch on the device's own clock (a 304 confirms the copy is current, so it counts). */
async function syncTrust() {
  const document = await call("/trust-list");
  await importTrust(document); // throws on a malformed list before it replaces a good one
  await db.put("trust", document);
  await db.put("trust_synced_at", new Date().toISOString());
}

/** How old the stored trust list is and how old it may be: {age, limit} in ms, age null when
 * unknown; the limit is the lesser of the list's own max_age_hours and this device's setting. */
export async function trustAge(config) {
  const document = await db.get("trust");
  if (!document) return null;
  const fetched = await db.get("trust_synced_at");
  const published = Number(document.max_age_hours); // NaN when absent or not a number
  const hours = published > 0 ? Math.min(config.max_age_hours, published) : config.max_age_hours;
  return { age: fetched ? Date.now() - Date.parse(fetched) : null, limit: hours * 3600_000 };
}

async function syncRevocations(token) {
  const stored = await db.get("revocations", { seq: 0, ids: [], synced_at: null });
  const list = await call(`/revocations?since=${stored.seq}&format=compact`, token);
  const ids = await verifyRevocationList(list, await trust()); // a forged list is never stored
  const merged = new Set([...stored.ids, ...ids]);
  await db.put("revocations", { seq: list.seq, ids: [...merged], synced_at: list.generated_at });
}

async function pushRedemptions(token, deviceId) {
  let pending = await db.pendingRedemptions();
  while (pending.length) {
    const chunk = pending.slice(0, BATCH);
    const body = {
      device_id: deviceId,
      redemptions: chunk.map(({ client_id, code, voucher_id, redeemed_at, location }) =>
        (code ? { client_id, code, redeemed_at, location } : { client_id, voucher_id, redeemed_at, location })),
    };
    const answer = await call("/redemptions", token, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    await db.markSynced(answer.results);
    pending = pending.slice(BATCH);
  }
}

/** Whether the server refused this device's token (revoked or expired) at a sync: the device
 * then records nothing until it is set up with another token. */
export async function blocked(config) {
  return Boolean(config.token) && (await db.get("refused_token")) === config.token;
}

/** One sync round; returns the error message, or null when everything went through. Only a
 * round that also brought the revocation list counts as a sync (`last_sync`): the trust list
 * alone, on a device without a token, is not what "synchronised" promises. */
export async function syncAll() {
  const config = await settings();
  try {
    await syncTrust();
    if (config.token) {
      await syncPurpose(config);
      await syncRevocations(config.token);
      await pushRedemptions(config.token, config.device_id);
      await db.put("last_sync", new Date().toISOString());
      await db.put("refused_token", null);
    }
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) await db.put("refused_token", config.token);
    return String(error.message || error);
  }
}

/** The server's record of a voucher, by id or typed short code (which has no signature to check
 * offline); `timeoutMs` gives up early (an ApiError with status 0). */
export async function lookup(shortCode, { timeoutMs = 0 } = {}) {
  const config = await settings();
  return call(`/vouchers/${encodeURIComponent(shortCode)}`, config.token, { timeoutMs });
}

/** The appointment a reception device checks a voucher in for: {appointment_at, appointment_place, ...}. */
export async function appointment(voucherId) {
  const config = await settings();
  return call(`/vouchers/${encodeURIComponent(voucherId)}/appointment`, config.token, { timeoutMs: 5000 });
}

/** What the server says this device is for (journey or reception): it follows the token, so an
 * administrator's change reaches the device at its next sync. */
async function syncPurpose(config) {
  const me = await call("/me", config.token);
  const purpose = me.purpose || "journey";
  if (purpose !== config.purpose) await db.put("settings", { ...(await settings()), purpose });
}

/** Whose token this is: {role, name} from the server (GET /api/v1/me). */
export async function whoseToken(token) {
  return call("/me", token);
}
