// The verifier page: scan, upload or type a code (a keyboard-wedge scanner types and presses
// Enter), show a verdict that fills the screen, record the redemption on this device, and sync
// whenever the network is there.
import * as db from "./db.js";
import { decodeFile, warmUp } from "./decoder.js";
import { age, currentLanguage, dateTime, setLanguage, t } from "./i18n.js";
import { InvalidVoucher, verify } from "./jv1.js";
import * as settings from "./settings.js";
import * as sync from "./sync.js";
import { interpret } from "./typed.js";
import * as verdict from "./verdict.js";
import * as viewfinder from "./viewfinder.js";

const SYNC_EVERY_MS = 60_000;
const $ = (id) => document.getElementById(id);

let current = null; // {claims, code, voucher_id} of the voucher on screen, if it may be redeemed
let syncError = null; // why the last sync round failed, shown until one succeeds

// ---- status line -------------------------------------------------------------------------

function item(id, text, { warn = false, icon = null } = {}) {
  const element = $(id);
  element.querySelector(".label").textContent = text;
  element.classList.toggle("stale", warn);
  element.hidden = !text;
  if (icon) element.querySelector("use").setAttribute("href", `#i-${warn ? "warning" : icon}`);
}

/** What this device knows, and nothing it does not: no "last sync" without a revocation list. */
async function showStatus() {
  const online = navigator.onLine;
  item("online", t(online ? "online" : "offline"));
  $("online").className = `pill ${online ? "online" : "offline"}`;
  $("online").querySelector("use").setAttribute("href", online ? "#i-online" : "#i-offline");
  const config = await sync.settings();
  const list = await db.get("revocations");
  const lastSync = await db.get("last_sync");
  if (await sync.blocked(config)) item("synced", t("device_blocked"), { warn: true, icon: "sync" });
  else if (syncError) item("synced", t("sync_failed", { error: syncError }), { warn: true, icon: "sync" });
  else if (list && lastSync) item("synced", t("last_sync", { age: age(Date.now() - Date.parse(lastSync)) }), { icon: "sync" });
  else item("synced", t("not_synced"), { warn: true, icon: "sync" });
  if (!list) {
    item("revocation-age", t("no_revocations"), { warn: true, icon: "list" });
  } else {
    const listAge = Date.now() - Date.parse(list.synced_at);
    const stale = listAge > config.max_age_hours * 3600_000;
    item("revocation-age", t(stale ? "revocation_stale" : "revocation_age", { age: age(listAge) }), { warn: stale, icon: "list" });
  }
  // Only a stale trust list is mentioned: it may still hold a key dropped after a compromise.
  const trust = await sync.trustAge(config);
  let trustWarning = "";
  if (trust && trust.age === null) trustWarning = t("trust_age_unknown");
  else if (trust && trust.age > trust.limit) trustWarning = t("trust_stale", { age: age(trust.age) });
  item("trust-age", trustWarning, { warn: true });
  const pending = (await db.pendingRedemptions()).length;
  item("pending", pending ? t("pending", { n: pending }) : "");
  $("enrol-hint").hidden = Boolean(config.token);
}

async function syncNow() {
  if (navigator.onLine) syncError = await sync.syncAll();
  await showStatus();
}

// ---- verdicts ----------------------------------------------------------------------------

async function offerRedemption(warning) {
  if (await sync.blocked(await sync.settings())) return; // a blocked device records no journeys
  const button = $("redeem-button");
  button.textContent = t(warning ? "redeem_anyway" : "redeem");
  button.hidden = false;
}

async function localWarning(claims) {
  const earlier = await db.redemptionsOf(claims.voucher_id);
  const allowed = claims.return_trip ? 2 : 1;
  return earlier.length >= allowed
    ? t("already_here", { times: earlier.map((r) => dateTime(r.redeemed_at)).join(", ") }) : "";
}

async function checkFullCode(code) {
  const trust = await sync.trust();
  if (!trust.length) return verdict.show({ kind: "unchecked", reason: t("reason_no_trust") });
  try {
    const { claims, key } = await verify(code, trust, Date.now(), await sync.revoked());
    // docs/FORMAT.md: a development key's voucher is never shown as valid for travel.
    if (key.development) return verdict.show({ kind: "test_key", reason: t("reason_test_key"), claims });
    current = { claims, code, voucher_id: claims.voucher_id };
    const warning = await localWarning(claims);
    verdict.show({ kind: "valid", reason: t("id_check"), warning, claims });
    await offerRedemption(warning);
  } catch (error) {
    if (!(error instanceof InvalidVoucher)) throw error;
    verdict.show({ kind: "invalid", reason: t(`reason_${error.reason}`), claims: error.claims });
  }
}

/** Why a lookup brought no answer about the voucher: only a 404 says anything about it. */
function lookupFailure(error) {
  if (!(error instanceof sync.ApiError)) throw error;
  const { status } = error;
  if (status === 404) return { kind: "invalid", reason: t("reason_unknown") };
  const reason = status === 0 ? "reason_network" : status === 429 ? "reason_rate_limited"
    : status >= 500 ? "reason_server_error" : status === 401 || status === 403 ? "reason_token_refused" : "reason_lookup_failed";
  return { kind: "unchecked", reason: t(reason, { status }) };
}

async function checkShortCode(id) {
  const config = await sync.settings();
  if (!navigator.onLine) return verdict.show({ kind: "unchecked", reason: t("reason_offline_short") });
  if (!config.token) return verdict.show({ kind: "unchecked", reason: t("reason_no_token") });
  let voucher;
  try {
    voucher = await sync.lookup(id);
  } catch (error) {
    return verdict.show(lookupFailure(error));
  }
  const now = Date.now();
  const reason = voucher.status === "revoked" ? "revoked"
    : now < Date.parse(voucher.valid_from) ? "not_yet_valid"
    : now >= Date.parse(voucher.valid_until) ? "expired" : null;
  const claims = { ...voucher, voucher_id: voucher.id };
  if (reason) return verdict.show({ kind: "invalid", reason: t(`reason_${reason}`), claims });
  current = { claims, code: null, voucher_id: voucher.id };
  const local = await localWarning(claims);
  const warning = [local, voucher.status === "redeemed" ? t("server_redeemed") : ""].filter(Boolean).join(" ");
  verdict.show({ kind: "valid", reason: `${t("checked_online")}. ${t("id_check")}`, warning, claims });
  await offerRedemption(local);
}

async function check(raw) {
  current = null;
  $("redeem-button").hidden = true;
  const input = interpret(raw);
  // A set-up code shown at the scanner is not a ticket and changes nothing (Settings takes it).
  if (input.kind === "enrolment") return verdict.show({ kind: "info", reason: t("reason_enrol_at_scanner") });
  if (input.kind === "short_typo") return verdict.show({ kind: "unchecked", reason: t("reason_short_typo") });
  if (input.kind === "short") return checkShortCode(input.id);
  return checkFullCode(input.code);
}

async function redeem() {
  const config = await sync.settings();
  if (!current || await sync.blocked(config)) return;
  const record = {
    client_id: crypto.randomUUID(), voucher_id: current.voucher_id, code: current.code,
    redeemed_at: new Date().toISOString(), device_id: config.device_id, location: config.location || null,
    synced: 0,
  };
  await db.addRedemption(record);
  current = null;
  $("redeem-button").hidden = true;
  $("redeem-done").querySelector(".label").textContent = t("redeemed", { time: dateTime(record.redeemed_at) });
  $("redeem-done").hidden = false;
  syncNow();
}

/** Back to the scanning view; the code field gets the focus where a keyboard is at hand (a
 * desk with a mouse, or keys being typed), never on a touch screen, where it would pop one up. */
function backToScan(typing = false) {
  verdict.hide();
  $("code-input").value = "";
  if (typing || matchMedia("(pointer: fine)").matches) $("code-input").focus();
  showStatus();
}

// ---- wiring ------------------------------------------------------------------------------

function guard(action) {
  return (...args) => action(...args).catch((error) => verdict.show({ kind: "unchecked", reason: String(error.message || error) }));
}

function wireInput() {
  $("code-form").addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    await check($("code-input").value);
  }));
  // A wedge scanner ends every code with Enter: check at once. Shift+Enter still breaks the line.
  $("code-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("code-form").requestSubmit();
    }
  });
  // The next code a wedge scanner types while a verdict is up goes to the code field (codes start
  // with a letter or digit; space and Enter still press the focused button).
  document.addEventListener("keydown", (event) => {
    if (verdict.showing() && /^[0-9A-Za-z]$/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) backToScan(true);
  });
  $("upload").addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    const text = await decodeFile(file);
    return text ? check(text) : verdict.show({ kind: "unchecked", reason: t("reason_no_qr") });
  }));
  $("scan-button").addEventListener("click", () => viewfinder.toggle($("scan-area"), $("scan-button"), guard(check))
    .catch((error) => verdict.show({ kind: "unchecked", reason: t("reason_camera", { error: error.message }) })));
}

async function start() {
  setLanguage(currentLanguage());
  $("language").textContent = currentLanguage() === "de" ? "EN" : "DE";
  $("language").addEventListener("click", () => {
    setLanguage(currentLanguage() === "de" ? "en" : "de");
    $("language").textContent = currentLanguage() === "de" ? "EN" : "DE";
    showStatus();
  });
  wireInput();
  settings.init(syncNow);
  $("redeem-button").addEventListener("click", guard(redeem));
  $("next-button").addEventListener("click", () => backToScan());
  $("sync-button").addEventListener("click", guard(syncNow));
  window.addEventListener("online", () => syncNow());
  window.addEventListener("offline", () => showStatus());
  setInterval(() => syncNow(), SYNC_EVERY_MS);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/verify/sw.js", { scope: "/verify/" });
  // Ask the browser not to evict IndexedDB under storage pressure: it holds unsynced redemptions.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  await settings.fill();
  await showStatus();
  await syncNow();
  document.body.dataset.ready = "true";
  (self.requestIdleCallback || setTimeout)(() => warmUp()); // compile the decoder before the first scan
}

start();
