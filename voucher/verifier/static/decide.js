// The one verdict. Camera, photo, typed code and wedge scanner all end here, so the same voucher
// gets the same answer whichever way it came in:
//
//   1. what the voucher is: a scanned code is verified offline (jv1.js); a typed ticket number
//      has no signature and is looked up online, its key judged from the same trust list;
//   2. what the record says: online, the server's record (revoked or replaced, expired) overrules
//      a good signature, and its journeys count with the ones this device recorded;
//   3. what the device is for: a journey device shows GÜLTIG or SCHON BENUTZT; a reception device
//      records an arrival (ANGEMELDET), which never uses up a ride.
//
// A development key's voucher is never valid, whichever path found its key.
import * as db from "./db.js";
import { t } from "./i18n.js";
import { InvalidVoucher, verify, windowReason } from "./jv1.js";
import * as sync from "./sync.js";
import { interpret } from "./typed.js";

export const JOURNEY = "journey";
export const RECEPTION = "reception";
const QUICK_LOOKUP_MS = 3000; // a scanned code is judged offline after this: the driver waits

/** Why a lookup brought no answer about the voucher: only a 404 says anything about it. */
function lookupFailure(error) {
  if (!(error instanceof sync.ApiError)) throw error;
  const { status } = error;
  if (status === 404) return { kind: "invalid", reason: t("reason_unknown") };
  const reason = status === 0 ? "reason_network" : status === 429 ? "reason_rate_limited"
    : status >= 500 ? "reason_server_error" : status === 401 || status === 403 ? "reason_token_refused" : "reason_lookup_failed";
  return { kind: "unchecked", reason: t(reason, { status }) };
}

/** A scanned code: verified offline; online, the server's record is asked for too (briefly). */
async function fromCode(code, config, trust) {
  let claims, key, reason = null;
  try {
    ({ claims, key } = await verify(code, trust, Date.now(), await sync.revoked()));
  } catch (error) {
    if (!(error instanceof InvalidVoucher)) throw error;
    if (!error.claims) return { verdict: { kind: "invalid", reason: t(`reason_${error.reason}`) } };
    return { claims: error.claims, reason: error.reason, code };
  }
  let record = null, note = "";
  if (navigator.onLine && config.token) {
    try {
      record = await sync.lookup(claims.voucher_id, { timeoutMs: QUICK_LOOKUP_MS });
    } catch (error) {
      if (!(error instanceof sync.ApiError)) throw error;
      if (error.status !== 404) note = t("server_not_reached");
    }
  }
  return { claims, key, reason, record, note, code };
}

/** A typed ticket number: only the server's record knows it; its key is judged on the device. */
async function fromRecord(id, config, trust) {
  if (!navigator.onLine) return { verdict: { kind: "unchecked", reason: t("reason_offline_short") } };
  if (!config.token) return { verdict: { kind: "unchecked", reason: t("reason_no_token") } };
  let record;
  try {
    record = await sync.lookup(id);
  } catch (error) {
    return { verdict: lookupFailure(error) };
  }
  const claims = { ...record, voucher_id: record.id };
  const key = trust.find((k) => k.kid === record.kid);
  // As a scanned code with this key: its claims are nobody's word, so none are shown.
  if (!key) return { verdict: { kind: "invalid", reason: t("reason_unknown_key") } };
  return { claims, key, reason: windowReason(claims, Date.now()), record, note: "", code: null };
}

/** What the server's record adds: revoked (or replaced), or expired by the server's clock. */
function recordReason(record) {
  if (!record) return null;
  if (record.status === "revoked") return record.replaced_by ? "replaced" : "revoked";
  return record.status === "expired" ? "expired" : null;
}

const isJourney = (r) => (r.purpose || JOURNEY) === JOURNEY;

/** The rides known so far: the server's (its list when it sends one, else "redeemed" counts as
 * one) and this device's not yet uploaded. {count, list: [{redeemed_at, location}]}. */
function journeys(record, local) {
  const mine = local.filter(isJourney);
  const pending = mine.filter((r) => !r.synced);
  const uploaded = mine.filter((r) => r.synced && r.outcome === "accepted");
  let known = uploaded;
  let count = uploaded.length;
  if (record && Array.isArray(record.redemptions)) {
    known = record.redemptions.filter((r) => (r.outcome || "accepted") === "accepted" && isJourney(r));
    count = known.length;
  } else if (record && record.status === "redeemed") {
    count = Math.max(count, 1);
    if (!known.length) known = [{ redeemed_at: null, location: null }];
  }
  return { count: count + pending.length, list: [...known, ...pending] };
}

/** The verdict for the identified voucher. */
async function judge({ claims, key, reason, record, note, code }, config) {
  reason ||= recordReason(record);
  if (reason) return { kind: "invalid", reason: t(`reason_${reason}`), claims };
  if (key && key.development) return { kind: "test_key", reason: t("reason_test_key"), claims };
  const local = await db.redemptionsOf(claims.voucher_id);
  const checked = record ? `${t("checked_online")}. ` : "";
  if (config.purpose === RECEPTION) {
    const arrivals = local.filter((r) => !isJourney(r));
    return { kind: "checked_in", reason: checked + t("id_check"), warning: note, claims, code, arrivals };
  }
  const rides = journeys(record, local);
  const allowed = claims.return_trip ? 2 : 1;
  if (rides.count >= allowed) {
    return { kind: "used", reason: t(claims.return_trip ? "reason_used_return" : "reason_used"), claims, uses: rides.list };
  }
  const warning = [rides.count ? t("one_ride_used") : "", note].filter(Boolean).join(" ");
  return { kind: "valid", reason: checked + t("id_check"), warning, claims, code, uses: rides.list, redeemable: true };
}

/** The verdict for whatever text reached the page: {kind, reason, warning, claims, code, uses,
 * arrivals, redeemable}. */
export async function decide(raw) {
  const input = interpret(raw);
  // A set-up code shown at the scanner is not a ticket and changes nothing (Settings takes it).
  if (input.kind === "enrolment") return { kind: "info", reason: t("reason_enrol_at_scanner") };
  if (input.kind === "short_typo") return { kind: "unchecked", reason: t("reason_short_typo") };
  const config = await sync.settings();
  const trust = await sync.trust();
  if (!trust.length) return { kind: "unchecked", reason: t("reason_no_trust") };
  const found = input.kind === "short" ? await fromRecord(input.id, config, trust) : await fromCode(input.code, config, trust);
  return found.verdict || judge(found, config);
}

/** The verdict once the server has answered an upload of this device's ride: a ride it refused
 * (used up elsewhere, revoked, a development key) is shown as what it is. null when accepted. */
export function afterUpload(record, claims) {
  if (!record || !record.synced || record.outcome === "accepted") return null;
  const flags = record.flags || [];
  if (flags.includes("test_key")) return { kind: "test_key", reason: t("reason_test_key"), claims };
  if (record.outcome === "duplicate") {
    const first = record.first_use ? [record.first_use] : [{ redeemed_at: null, location: null }];
    return { kind: "used", reason: t(claims.return_trip ? "reason_used_return" : "reason_used"), claims, uses: first };
  }
  const known = ["revoked", "expired", "not_yet_valid", "unknown"].includes(record.outcome);
  return { kind: "invalid", reason: t(known ? `reason_${record.outcome}` : "reason_refused", { outcome: record.outcome }), claims };
}
