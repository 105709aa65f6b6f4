// The verifier page: scan, upload or type a code (a keyboard-wedge scanner types and presses
// Enter), show the one verdict (decide.js) on a screen of its own, record the ride (or, at a
// reception device, the arrival) on this device, and sync whenever the network is there.
import * as db from "./db.js";
import { decodeFile, warmUp } from "./decoder.js";
import { JOURNEY, RECEPTION, afterUpload, decide } from "./decide.js";
import { age, currentLanguage, setLanguage, setTimeZone, t, timeOfDay } from "./i18n.js";
import * as settings from "./settings.js";
import * as sync from "./sync.js";
import * as verdict from "./verdict.js";
import * as viewfinder from "./viewfinder.js";

const SYNC_EVERY_MS = 60_000;
const $ = (id) => document.getElementById(id);

let current = null; // the verdict on screen ({claims, code, ...}) while its ride may be redeemed
let syncError = null; // why the last sync round failed, shown until one succeeds

// ---- status line -------------------------------------------------------------------------

function item(id, text, { warn = false, icon = null } = {}) {
  const element = $(id);
  element.querySelector(".label").textContent = text;
  element.classList.toggle("stale", warn);
  element.hidden = !text;
  if (icon) element.querySelector("use").setAttribute("href", `#i-${warn ? "warning" : icon}`);
}

/** What this device is for, on screen at all times: a reception scan is not a ride. */
function showPurpose(purpose) {
  $("purpose").querySelector(".label").textContent = t(`purpose_${purpose}`);
  $("purpose").className = `pill purpose ${purpose}`;
  $("title").dataset.i18n = purpose === RECEPTION ? "title_reception" : "title";
  $("title").textContent = t($("title").dataset.i18n);
}

/** What this device knows, and nothing it does not: no "last sync" without a revocation list. */
async function showStatus() {
  const online = navigator.onLine;
  item("online", t(online ? "online" : "offline"));
  $("online").className = `pill ${online ? "online" : "offline"}`;
  $("online").querySelector("use").setAttribute("href", online ? "#i-online" : "#i-offline");
  const config = await sync.settings();
  setTimeZone(await sync.officeTimeZone());
  showPurpose(config.purpose || JOURNEY);
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
  item("pending", pending ? t(config.purpose === RECEPTION ? "pending_reception" : "pending", { n: pending }) : "");
  $("enrol-hint").hidden = Boolean(config.token);
}

async function syncNow() {
  if (navigator.onLine) syncError = await sync.syncAll();
  await showStatus();
}

// ---- verdicts ----------------------------------------------------------------------------

let shown = 0; // which verdict is on screen: an answer that comes late never lands on the next one

/** Store a scan on this device (uploaded at the next sync): a ride, or an arrival at reception.
 * A device whose token the server refused (revoked) records nothing: null. */
async function record(voucher, purpose) {
  const config = await sync.settings();
  if (await sync.blocked(config)) return null;
  const entry = {
    client_id: crypto.randomUUID(), voucher_id: voucher.claims.voucher_id, code: voucher.code || null,
    redeemed_at: new Date().toISOString(), device_id: config.device_id, location: config.location || null,
    purpose, synced: 0,
  };
  await db.addRedemption(entry);
  return entry;
}

/** "Termin 09:30, Raum 2.14" from the server (the QR carries no appointment), when online. */
async function appointmentLine(voucherId) {
  const label = t("appointment_label");
  if (!navigator.onLine) return `${label}: ${t("appointment_offline")}`;
  try {
    const { appointment_at: at, appointment_place: place } = await sync.appointment(voucherId);
    if (!at && !place) return `${label}: ${t("no_appointment")}`;
    return `${label} ${[at && timeOfDay(at), place].filter(Boolean).join(", ")}`;
  } catch (error) {
    if (!(error instanceof sync.ApiError)) throw error;
    return `${label}: ${t("appointment_offline")}`;
  }
}

/** A reception device checks the holder in at the scan: an arrival, never a ride. */
async function checkIn(found, serial) {
  const earlier = found.arrivals[0];
  const entry = earlier ? null : await record(found, RECEPTION);
  if (earlier) verdict.done(t("already_arrived", { time: timeOfDay(earlier.redeemed_at) }));
  else if (!entry) verdict.done(t("device_blocked"));
  else verdict.done(`${t("arrived_label")} ${timeOfDay(entry.redeemed_at)}`);
  const line = await appointmentLine(found.claims.voucher_id);
  if (serial === shown) verdict.appointment(line);
  syncNow();
}

async function check(raw) {
  current = null;
  $("redeem-button").hidden = true;
  const found = await decide(raw);
  const serial = ++shown;
  verdict.show(found);
  if (found.kind === "checked_in") return checkIn(found, serial);
  if (found.redeemable && !(await sync.blocked(await sync.settings()))) {
    current = found;
    $("redeem-button").hidden = false;
  }
}

/** Record the ride; once the server has answered the upload, a ride it refused (used up on
 * another device, revoked meanwhile) replaces the green screen with what the record says. */
async function redeem() {
  if (!current) return;
  const voucher = current;
  const serial = shown;
  current = null;
  $("redeem-button").hidden = true;
  const entry = await record(voucher, JOURNEY);
  if (!entry) return verdict.done(t("device_blocked"));
  verdict.done(t("redeemed", { time: timeOfDay(entry.redeemed_at) }));
  await syncNow();
  const refused = afterUpload(await db.redemption(entry.client_id), voucher.claims);
  if (refused && serial === shown) verdict.show(refused);
}

/** Back to the scanning view; the code field gets the focus where a keyboard is at hand (a
 * desk with a mouse, or keys being typed), never on a touch screen, where it would pop one up. */
function backToScan(typing = false) {
  shown += 1; // what is still on its way for the verdict just closed stays off the screen
  verdict.hide();
  $("code-input").value = "";
  if (typing || matchMedia("(pointer: fine)").matches) $("code-input").focus();
  showStatus();
}

// ---- wiring ------------------------------------------------------------------------------

function cameraNote(text) {
  $("camera-note").querySelector(".label").textContent = text;
  $("camera-note").hidden = !text;
}

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
  // A camera that does not open is a note beside its button, never a verdict about a voucher.
  $("scan-button").addEventListener("click", () => {
    cameraNote("");
    viewfinder.toggle($("scan-area"), $("scan-button"), guard(check)).catch((error) => cameraNote(t(viewfinder.problem(error))));
  });
}

/** The language picker shows the language in use; its accessible name says what it picks. */
function languagePicker() {
  $("language").value = currentLanguage();
  $("language").setAttribute("aria-label", t("language_name"));
}

async function start() {
  await setLanguage(currentLanguage());
  languagePicker();
  $("language").addEventListener("change", async () => {
    await setLanguage($("language").value);
    languagePicker();
    $("settings-result").hidden = true; // said in the language before
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
