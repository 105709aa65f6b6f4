// German and English texts of the verifier page. Plain words: the reader may be in a hurry.
const TEXTS = {
  de: {
    title: "Fahrschein prüfen",
    scan: "📷 Code scannen",
    stop_scan: "Kamera aus",
    upload: "🖼 Foto vom Code wählen",
    code_label: "Oder Code eintippen (ganzer Code oder Fahrschein-Nr. vom Brief)",
    check: "Prüfen",
    other_devices: "Hinweis: Ob ein Fahrschein auf einem anderen Gerät schon benutzt wurde, sieht man erst, wenn beide Geräte synchronisiert haben.",
    settings: "Einstellungen (Gerät einrichten)",
    token: "Zugangs-Token (Rolle Prüfer)",
    device_id: "Gerätename",
    location: "Ort (z. B. Bus 142 / Empfang)",
    max_age: "Warnen, wenn Sperrliste älter als (Stunden)",
    save: "Speichern",
    sync_now: "Jetzt synchronisieren",
    saved: "Gespeichert.",
    next: "Nächster Fahrschein",
    online: "online",
    offline: "offline",
    never: "nie",
    last_sync: "Letzte Synchronisierung: {age}",
    revocation_age: "Sperrliste: {age} alt",
    revocation_stale: "⚠ Sperrliste {age} alt – bitte online gehen",
    no_revocations: "⚠ Keine Sperrliste – bitte online gehen",
    pending: "{n} Entwertung(en) warten auf Übertragung",
    enrol_hint: "Gerät noch nicht eingerichtet: Token unter „Einstellungen“ eintragen oder Einrichtungs-Code scannen.",
    enrolled: "Gerät eingerichtet.",
    valid: "GÜLTIG",
    invalid: "UNGÜLTIG",
    unchecked: "NICHT GEPRÜFT",
    checked_online: "Online geprüft (Fahrschein-Nr.)",
    dev_key: "Testschlüssel – kein gültiger Fahrschein für echte Fahrten",
    reason_malformed: "Kein Jobcenter-Fahrschein oder Code beschädigt",
    reason_unsupported_version: "Neuere Fahrschein-Version – Seite aktualisieren",
    reason_unknown_key: "Unbekannter Aussteller (Schlüssel nicht in der Liste)",
    reason_bad_signature: "Fälschung oder beschädigter Code",
    reason_not_yet_valid: "Noch nicht gültig",
    reason_expired: "Abgelaufen",
    reason_revoked: "Gesperrt (Termin abgesagt oder neu ausgestellt)",
    reason_unknown: "Fahrschein-Nr. unbekannt",
    reason_offline_short: "Die Fahrschein-Nr. kann nur mit Netz geprüft werden. Bitte den QR-Code scannen oder später erneut versuchen.",
    reason_no_token: "Für die Fahrschein-Nr. muss das Gerät eingerichtet sein (Token).",
    reason_no_trust: "Noch keine Schlüsselliste – einmal online öffnen.",
    reason_no_qr: "Auf dem Bild wurde kein QR-Code gefunden.",
    reason_camera: "Kamera nicht verfügbar: {error}",
    name: "Name", valid_label: "Gültig", route: "Strecke", zone: "Tarifzone", travellers: "Personen",
    fare_class: "Klasse", trip: "Fahrt", return_trip: "Hin- und Rückfahrt", single_trip: "Einfache Fahrt",
    code: "Fahrschein-Nr.",
    redeem: "Fahrt entwerten",
    redeem_anyway: "Trotzdem entwerten",
    redeemed: "✔ Entwertet um {time}",
    already_here: "Auf diesem Gerät schon entwertet: {times}",
    server_redeemed: "Laut Server schon benutzt.",
    id_check: "Bitte Lichtbildausweis prüfen.",
  },
  en: {
    title: "Check travel voucher",
    scan: "📷 Scan code",
    stop_scan: "Camera off",
    upload: "🖼 Choose a photo of the code",
    code_label: "Or type the code (whole code or ticket number from the letter)",
    check: "Check",
    other_devices: "Note: use of a voucher on another device shows only after both devices have synced.",
    settings: "Settings (set up this device)",
    token: "Access token (verifier role)",
    device_id: "Device name",
    location: "Place (e.g. Bus 142 / Reception)",
    max_age: "Warn when the revocation list is older than (hours)",
    save: "Save",
    sync_now: "Sync now",
    saved: "Saved.",
    next: "Next voucher",
    online: "online",
    offline: "offline",
    never: "never",
    last_sync: "Last sync: {age}",
    revocation_age: "Revocation list: {age} old",
    revocation_stale: "⚠ Revocation list {age} old – please go online",
    no_revocations: "⚠ No revocation list – please go online",
    pending: "{n} redemption(s) waiting to upload",
    enrol_hint: "Device not set up yet: enter the token under “Settings” or scan the set-up code.",
    enrolled: "Device set up.",
    valid: "VALID",
    invalid: "INVALID",
    unchecked: "NOT CHECKED",
    checked_online: "Checked online (ticket number)",
    dev_key: "Test key – not a valid ticket for real journeys",
    reason_malformed: "Not a Jobcenter voucher, or the code is damaged",
    reason_unsupported_version: "Newer voucher version – update this page",
    reason_unknown_key: "Unknown issuer (key not in the list)",
    reason_bad_signature: "Forged or damaged code",
    reason_not_yet_valid: "Not valid yet",
    reason_expired: "Expired",
    reason_revoked: "Revoked (appointment cancelled or re-issued)",
    reason_unknown: "Ticket number unknown",
    reason_offline_short: "The ticket number can only be checked with a network. Scan the QR code or try again later.",
    reason_no_token: "Checking a ticket number needs this device to be set up (token).",
    reason_no_trust: "No key list yet – open this page online once.",
    reason_no_qr: "No QR code found in the picture.",
    reason_camera: "Camera not available: {error}",
    name: "Name", valid_label: "Valid", route: "Route", zone: "Fare zone", travellers: "People",
    fare_class: "Class", trip: "Trip", return_trip: "Return trip", single_trip: "Single trip",
    code: "Ticket no.",
    redeem: "Redeem journey",
    redeem_anyway: "Redeem anyway",
    redeemed: "✔ Redeemed at {time}",
    already_here: "Already redeemed on this device: {times}",
    server_redeemed: "The server says it was used already.",
    id_check: "Please check the photo ID.",
  },
};

let language = localStorage.getItem("verifier-language")
  || (navigator.language || "de").slice(0, 2);
if (!TEXTS[language]) language = "de";

export const currentLanguage = () => language;
export const locale = () => (language === "de" ? "de-DE" : "en-GB");

export function setLanguage(code) {
  language = TEXTS[code] ? code : "de";
  localStorage.setItem("verifier-language", language);
  document.documentElement.lang = language;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

export function t(key, vars = {}) {
  const text = TEXTS[language][key] ?? TEXTS.de[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** "5 min", "3 h", "2 d" for ages; the page shows how stale its data is. */
export function age(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

const dateOnly = (ms) => new Date(ms).toLocaleDateString(locale(), { dateStyle: "medium" });
const isMidnight = (ms) => { const d = new Date(ms); return d.getHours() === 0 && d.getMinutes() === 0; };

/** A validity window as people say it: whole days as dates ("03.12.2026"), else times. */
export function validityWindow(fromIso, untilIso) {
  const from = Date.parse(fromIso);
  const until = Date.parse(untilIso);
  if (isMidnight(from) && isMidnight(until)) {
    const last = until - 12 * 3600_000; // the day before the end (DST-safe)
    return dateOnly(from) === dateOnly(last) ? dateOnly(from) : `${dateOnly(from)} – ${dateOnly(last)}`;
  }
  return `${dateTime(fromIso)} – ${dateTime(untilIso)}`;
}

export function dateTime(iso) {
  return new Date(iso).toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" });
}
