// The verifier page: scan or type a code, show a verdict that fills the screen, record the
// redemption on this device, and sync whenever the network is there.
import * as db from "./db.js";
import { InvalidVoucher, verify } from "./jv1.js";
import { age, currentLanguage, dateTime, setLanguage, t, validityWindow } from "./i18n.js";
import { decodeFile, scanning, startCamera, stopCamera } from "./scanner.js";
import * as sync from "./sync.js";

const SYNC_EVERY_MS = 60_000;
const ENROL_PREFIX = "JVENROL:";
const SHORT_CODE = /^[0-9A-Z]{13,14}$/;
const $ = (id) => document.getElementById(id);

let current = null; // {claims, code, voucher_id} of the voucher on screen, if it may be redeemed

// ---- status line -------------------------------------------------------------------------

async function showStatus() {
  const online = navigator.onLine;
  $("online").textContent = t(online ? "online" : "offline");
  $("online").className = `pill ${online ? "online" : "offline"}`;
  const lastSync = await db.get("last_sync");
  $("synced").textContent = t("last_sync", { age: lastSync ? age(Date.now() - Date.parse(lastSync)) : t("never") });
  const config = await sync.settings();
  const list = await db.get("revocations");
  const revocations = $("revocation-age");
  if (!list) {
    revocations.textContent = t("no_revocations");
    revocations.className = "stale";
  } else {
    const listAge = Date.now() - Date.parse(list.synced_at);
    const stale = listAge > config.max_age_hours * 3600_000;
    revocations.textContent = t(stale ? "revocation_stale" : "revocation_age", { age: age(listAge) });
    revocations.className = stale ? "stale" : "";
  }
  const pending = (await db.pendingRedemptions()).length;
  $("pending").textContent = pending ? t("pending", { n: pending }) : "";
  $("enrol-hint").hidden = Boolean(config.token);
}

async function syncNow() {
  if (navigator.onLine) await sync.syncAll();
  await showStatus();
}

// ---- verdicts ----------------------------------------------------------------------------

function cue(ok) {
  if (navigator.vibrate) navigator.vibrate(ok ? 120 : [300, 120, 300]);
  try {
    const audio = new AudioContext();
    const tones = ok ? [880] : [220, 180];
    tones.forEach((frequency, i) => {
      const osc = audio.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(audio.destination);
      osc.start(audio.currentTime + i * 0.25);
      osc.stop(audio.currentTime + i * 0.25 + 0.18);
    });
  } catch { /* no audio: the screen says it all */ }
}

function details(claims) {
  const route = claims.zone ? [t("zone"), claims.zone] : [t("route"), `${claims.origin} → ${claims.destination}`];
  return [
    [t("name"), claims.holder_name, "holder"],
    [t("valid_label"), validityWindow(claims.valid_from, claims.valid_until)],
    route,
    [t("trip"), t(claims.return_trip ? "return_trip" : "single_trip")],
    [t("travellers"), String(claims.travellers)],
    [t("fare_class"), `${claims.fare_class}.`],
    [t("code"), claims.short_code],
  ];
}

function render({ kind, reason = "", warning = "", claims = null }) {
  const view = $("verdict");
  view.className = kind;
  $("verdict-title").textContent = t(kind);
  $("verdict-reason").textContent = reason;
  $("verdict-warning").textContent = warning;
  $("verdict-warning").hidden = !warning;
  const list = $("verdict-details");
  list.replaceChildren();
  for (const [label, value, cls] of claims ? details(claims) : []) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (cls) dd.className = cls;
    list.append(dt, dd);
  }
  $("redeem-done").hidden = true;
  $("check-view").hidden = true;
  view.hidden = false;
  view.focus();
  cue(kind === "valid");
}

async function localWarning(claims) {
  const earlier = await db.redemptionsOf(claims.voucher_id);
  const allowed = claims.return_trip ? 2 : 1;
  const warning = earlier.length >= allowed
    ? t("already_here", { times: earlier.map((r) => dateTime(r.redeemed_at)).join(", ") }) : "";
  const button = $("redeem-button");
  button.textContent = t(warning ? "redeem_anyway" : "redeem");
  button.hidden = false;
  return warning;
}

async function checkFullCode(code) {
  const trust = await sync.trust();
  if (!trust.length) return render({ kind: "unchecked", reason: t("reason_no_trust") });
  try {
    const { claims, key } = await verify(code, trust, Date.now(), await sync.revoked());
    current = { claims, code, voucher_id: claims.voucher_id };
    const warning = await localWarning(claims);
    const reason = [t("id_check"), key.development ? t("dev_key") : ""].filter(Boolean).join(" ");
    render({ kind: "valid", reason, warning, claims });
  } catch (error) {
    if (!(error instanceof InvalidVoucher)) throw error;
    render({ kind: "invalid", reason: t(`reason_${error.reason}`), claims: error.claims });
  }
}

async function checkShortCode(shortCode) {
  const config = await sync.settings();
  if (!navigator.onLine) return render({ kind: "unchecked", reason: t("reason_offline_short") });
  if (!config.token) return render({ kind: "unchecked", reason: t("reason_no_token") });
  let voucher;
  try {
    voucher = await sync.lookup(shortCode);
  } catch (error) {
    return render({ kind: "invalid", reason: t("reason_unknown") });
  }
  const now = Date.now();
  const reason = voucher.status === "revoked" ? "revoked"
    : now < Date.parse(voucher.valid_from) ? "not_yet_valid"
    : now >= Date.parse(voucher.valid_until) ? "expired" : null;
  const claims = { ...voucher, voucher_id: voucher.id };
  if (reason) return render({ kind: "invalid", reason: t(`reason_${reason}`), claims });
  current = { claims, code: null, voucher_id: voucher.id };
  const warnings = [await localWarning(claims), voucher.status === "redeemed" ? t("server_redeemed") : ""];
  render({ kind: "valid", reason: `${t("checked_online")}. ${t("id_check")}`, warning: warnings.filter(Boolean).join(" "), claims });
}

async function enrol(text) {
  const data = JSON.parse(text.slice(ENROL_PREFIX.length));
  const config = await sync.settings();
  await db.put("settings", { ...config, ...data });
  await fillSettings();
  await syncNow();
  render({ kind: "valid", reason: t("enrolled") });
  $("redeem-button").hidden = true;
}

async function check(raw) {
  current = null;
  $("redeem-button").hidden = true;
  const text = raw.replace(/^\s+/, "").replace(/[\r\n\t]+$/, "");
  if (text.startsWith(ENROL_PREFIX)) return enrol(text);
  const compact = text.toUpperCase().replace(/[\s-]/g, "");
  if (SHORT_CODE.test(compact) && !text.startsWith("JV")) return checkShortCode(compact);
  return checkFullCode(text);
}

async function redeem() {
  if (!current) return;
  const config = await sync.settings();
  const record = {
    client_id: crypto.randomUUID(), voucher_id: current.voucher_id, code: current.code,
    redeemed_at: new Date().toISOString(), device_id: config.device_id, location: config.location || null,
    synced: 0,
  };
  await db.addRedemption(record);
  current = null;
  $("redeem-button").hidden = true;
  $("redeem-done").textContent = t("redeemed", { time: dateTime(record.redeemed_at) });
  $("redeem-done").hidden = false;
  syncNow();
}

function backToScan() {
  $("verdict").hidden = true;
  $("check-view").hidden = false;
  $("code-input").value = "";
  showStatus();
}

// ---- settings ----------------------------------------------------------------------------

async function fillSettings() {
  const config = await sync.settings();
  if (!config.device_id) {
    config.device_id = `device-${crypto.randomUUID().slice(0, 8)}`;
    await db.put("settings", config);
  }
  $("token").value = config.token;
  $("device-id").value = config.device_id;
  $("location").value = config.location;
  $("max-age").value = config.max_age_hours;
}

async function saveSettings(event) {
  event.preventDefault();
  await db.put("settings", {
    token: $("token").value.trim(), device_id: $("device-id").value.trim() || (await sync.settings()).device_id,
    location: $("location").value.trim(), max_age_hours: Number($("max-age").value) || 24,
  });
  await syncNow();
}

// ---- wiring ------------------------------------------------------------------------------

function guard(action) {
  return (...args) => action(...args).catch((error) => render({ kind: "unchecked", reason: String(error.message || error) }));
}

async function start() {
  setLanguage(currentLanguage());
  $("language").textContent = currentLanguage() === "de" ? "EN" : "DE";
  $("language").addEventListener("click", () => {
    setLanguage(currentLanguage() === "de" ? "en" : "de");
    $("language").textContent = currentLanguage() === "de" ? "EN" : "DE";
    showStatus();
  });
  $("code-form").addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    await check($("code-input").value);
  }));
  $("upload").addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    const text = await decodeFile(file);
    return text ? check(text) : render({ kind: "unchecked", reason: t("reason_no_qr") });
  }));
  $("scan-button").addEventListener("click", guard(async () => {
    const video = $("camera");
    if (scanning()) { stopCamera(video); $("scan-button").textContent = t("scan"); return; }
    try {
      await startCamera(video, (text) => { $("scan-button").textContent = t("scan"); guard(check)(text); });
      $("scan-button").textContent = t("stop_scan");
    } catch (error) {
      render({ kind: "unchecked", reason: t("reason_camera", { error: error.message }) });
    }
  }));
  $("redeem-button").addEventListener("click", guard(redeem));
  $("next-button").addEventListener("click", backToScan);
  $("settings-form").addEventListener("submit", guard(saveSettings));
  $("sync-button").addEventListener("click", guard(syncNow));
  window.addEventListener("online", () => syncNow());
  window.addEventListener("offline", () => showStatus());
  setInterval(() => syncNow(), SYNC_EVERY_MS);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/verify/sw.js", { scope: "/verify/" });
  // Ask the browser not to evict IndexedDB under storage pressure: it holds unsynced redemptions.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  await fillSettings();
  await showStatus();
  await syncNow();
  document.body.dataset.ready = "true";
}

start();
