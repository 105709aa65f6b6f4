// German and English texts of the verifier page. Plain words: the reader may be in a hurry.
const TEXTS = {
  de: {
    title: "Fahrschein prüfen",
    scan: "Code scannen",
    stop_scan: "Kamera aus",
    upload: "Foto vom Code wählen",
    guide_hint: "QR-Code in den Rahmen halten",
    torch: "Licht",
    zoom: "Zoom",
    code_label: "Oder Code eintippen oder mit dem Handscanner lesen (ganzer Code oder Fahrschein-Nr. vom Brief; Enter prüft)",
    check: "Prüfen",
    other_devices: "Hinweis: Ob ein Fahrschein auf einem anderen Gerät schon benutzt wurde, sieht man erst, wenn beide Geräte synchronisiert haben.",
    settings: "Einstellungen (Gerät einrichten)",
    enrol_title: "Mit Einrichtungs-Code",
    enrol_how: "Den Einrichtungs-Code von der Verwaltung hier scannen. Er gilt erst, wenn Sie ihn bestätigen und der Server das Token als Prüfer-Token erkennt (dafür ist Netz nötig).",
    enrol_scan: "Einrichtungs-Code scannen",
    enrol_upload: "Foto vom Einrichtungs-Code",
    enrol_offer: "Dieses Gerät so einrichten?",
    enrol_confirm: "Übernehmen",
    cancel: "Abbrechen",
    enrolled: "Gerät eingerichtet.",
    manual_title: "Von Hand",
    token: "Zugangs-Token (Rolle Prüfer)",
    device_id: "Gerätename",
    location: "Ort (z. B. Bus 142 / Empfang)",
    max_age: "Warnen, wenn Sperrliste oder Schlüsselliste älter als (Stunden, 1–720)",
    save: "Speichern",
    sync_now: "Jetzt synchronisieren",
    saved: "Gespeichert.",
    checking_token: "Token wird beim Server geprüft …",
    bad_enrolment: "Kein gültiger Einrichtungs-Code ({detail}). Nichts wurde geändert.",
    bad_setting: "Ungültige Eingabe: {detail}",
    enrol_offline: "Ein neues Token wird nur mit Netz übernommen: der Server muss es als Prüfer-Token bestätigen. Bitte online gehen und erneut versuchen.",
    token_unknown: "Der Server kennt dieses Token nicht (oder es ist gesperrt). Nichts wurde geändert.",
    token_role: "Das Token hat die Rolle „{detail}“. Ein Prüfgerät nimmt nur Prüfer-Tokens (Rolle verifier). Nichts wurde geändert.",
    token_unchecked: "Das Token konnte nicht geprüft werden ({detail}). Nichts wurde geändert; bitte später erneut versuchen.",
    next: "Nächster Fahrschein",
    online: "online",
    offline: "offline",
    last_sync: "Letzte Synchronisierung: {age}",
    not_synced: "Noch nie synchronisiert",
    sync_failed: "Synchronisierung fehlgeschlagen: {error}",
    device_blocked: "Gerät gesperrt – es erfasst keine Fahrten mehr. Bitte bei der Verwaltung neu einrichten lassen.",
    revocation_age: "Sperrliste: {age} alt",
    revocation_stale: "Sperrliste {age} alt – bitte online gehen",
    no_revocations: "Keine Sperrliste – gesperrte Fahrscheine werden nicht erkannt",
    trust_stale: "Schlüsselliste {age} alt – bitte online gehen, sonst wird ein zurückgezogener Schlüssel nicht erkannt",
    trust_age_unknown: "Alter der Schlüsselliste unbekannt – bitte online gehen",
    pending: "{n} Entwertung(en) warten auf Übertragung",
    pending_reception: "{n} Anmeldung(en) warten auf Übertragung",
    enrol_hint: "Gerät noch nicht eingerichtet: unter „Einstellungen“ den Einrichtungs-Code scannen oder das Token eintragen.",
    valid: "GÜLTIG",
    invalid: "UNGÜLTIG",
    unchecked: "NICHT GEPRÜFT",
    test_key: "TESTSCHLÜSSEL",
    info: "KEIN FAHRSCHEIN",
    checked_online: "Online geprüft",
    reason_test_key: "Testschlüssel – kein gültiger Fahrschein. Dieser Code kommt aus einer Test- oder Demo-Installation.",
    reason_enrol_at_scanner: "Das ist ein Einrichtungs-Code für Prüfgeräte, kein Fahrschein. Er wird nur unter „Einstellungen“ → „Einrichtungs-Code scannen“ angenommen; hier wurde nichts geändert.",
    reason_malformed: "Kein Jobcenter-Fahrschein oder Code beschädigt",
    reason_unsupported_version: "Neuere Fahrschein-Version – Seite aktualisieren",
    reason_unknown_key: "Unbekannter Aussteller (Schlüssel nicht in der Liste)",
    reason_bad_signature: "Fälschung oder beschädigter Code",
    reason_not_yet_valid: "Noch nicht gültig",
    reason_expired: "Abgelaufen",
    reason_revoked: "Gesperrt (Termin abgesagt oder neu ausgestellt)",
    reason_unknown: "Fahrschein-Nr. unbekannt",
    reason_short_typo: "Das Prüfzeichen der Fahrschein-Nr. passt nicht – bitte die Nummer noch einmal genau eingeben.",
    reason_offline_short: "Die Fahrschein-Nr. kann nur mit Netz geprüft werden. Bitte den QR-Code scannen oder später erneut versuchen.",
    reason_network: "Keine Verbindung zum Server – die Fahrschein-Nr. wurde nicht geprüft. Bitte den QR-Code scannen oder später erneut versuchen.",
    reason_rate_limited: "Der Server nimmt gerade keine Anfragen an (zu viele, HTTP 429) – nicht geprüft. Bitte in einer Minute erneut versuchen.",
    reason_server_error: "Fehler beim Server (HTTP {status}) – nicht geprüft. Bitte den QR-Code scannen oder später erneut versuchen.",
    reason_token_refused: "Der Server lehnt das Token dieses Geräts ab (HTTP {status}) – nicht geprüft. Gerät neu einrichten.",
    reason_lookup_failed: "Abfrage fehlgeschlagen (HTTP {status}) – nicht geprüft.",
    reason_no_token: "Für die Fahrschein-Nr. muss das Gerät eingerichtet sein (Token).",
    reason_no_trust: "Noch keine Schlüsselliste – einmal online öffnen.",
    reason_no_qr: "Auf dem Bild wurde kein QR-Code gefunden.",
    reason_replaced: "Ersetzt durch einen neu ausgestellten Fahrschein – nur der neue gilt",
    reason_used: "Die Fahrt ist schon entwertet – keine weitere Fahrt mit diesem Fahrschein.",
    reason_used_return: "Hin- und Rückfahrt sind schon entwertet – keine weitere Fahrt mit diesem Fahrschein.",
    reason_refused: "Vom Server abgelehnt ({outcome})",
    camera_denied: "Kamera nicht freigegeben. Bitte im Browser erlauben – oder ein Foto vom Code wählen oder den Code eintippen.",
    camera_missing: "Keine Kamera gefunden. Bitte ein Foto vom Code wählen oder den Code eintippen.",
    camera_busy: "Die Kamera wird gerade von einer anderen App benutzt. Diese schließen und erneut versuchen.",
    camera_insecure: "Die Kamera geht nur über eine sichere Verbindung (https). Bitte ein Foto vom Code wählen oder den Code eintippen.",
    camera_failed: "Die Kamera ließ sich nicht starten. Bitte ein Foto vom Code wählen oder den Code eintippen.",
    name: "Name", valid_label: "Gültig", route: "Strecke", zone: "Tarifzone", travellers: "Personen",
    fare_class: "Klasse", trip: "Fahrt", return_trip: "Hin- und Rückfahrt", single_trip: "Einfache Fahrt",
    code: "Fahrschein-Nr.", hours: "{n} Stunden",
    used_label: "Benutzt", unknown_place: "Ort unbekannt", use_unreported: "laut Server (Zeit und Ort nicht übermittelt)",
    appointment_label: "Termin", no_appointment: "kein Termin hinterlegt", appointment_offline: "nur mit Netz sichtbar",
    arrived_label: "Angekommen",
    redeem: "Fahrt entwerten",
    redeemed: "Entwertet um {time}",
    one_ride_used: "Eine der zwei Fahrten ist schon entwertet – dies ist die letzte.",
    server_not_reached: "Server nicht erreicht – ob der Fahrschein anderswo schon benutzt wurde, ist nicht geprüft.",
    already_arrived: "Schon angemeldet um {time}.",
    id_check: "Bitte Lichtbildausweis prüfen.",
    purpose_journey: "Fahrt", purpose_reception: "Empfang",
    title_reception: "Ankunft am Empfang",
    used: "SCHON BENUTZT",
    checked_in: "ANGEMELDET",
    language_name: "Sprache / Language",
  },
  en: {
    title: "Check travel voucher",
    scan: "Scan code",
    stop_scan: "Camera off",
    upload: "Choose a photo of the code",
    guide_hint: "Hold the QR code inside the frame",
    torch: "Light",
    zoom: "Zoom",
    code_label: "Or type the code or read it with a handheld scanner (whole code or ticket number from the letter; Enter checks)",
    check: "Check",
    other_devices: "Note: use of a voucher on another device shows only after both devices have synced.",
    settings: "Settings (set up this device)",
    enrol_title: "With a set-up code",
    enrol_how: "Scan the set-up code from the office here. It takes effect only once you confirm it and the server recognises its token as a verifier token (this needs a network).",
    enrol_scan: "Scan set-up code",
    enrol_upload: "Photo of the set-up code",
    enrol_offer: "Set up this device like this?",
    enrol_confirm: "Apply",
    cancel: "Cancel",
    enrolled: "Device set up.",
    manual_title: "By hand",
    token: "Access token (verifier role)",
    device_id: "Device name",
    location: "Place (e.g. Bus 142 / Reception)",
    max_age: "Warn when the revocation or key list is older than (hours, 1–720)",
    save: "Save",
    sync_now: "Sync now",
    saved: "Saved.",
    checking_token: "Checking the token with the server …",
    bad_enrolment: "Not a valid set-up code ({detail}). Nothing was changed.",
    bad_setting: "Invalid entry: {detail}",
    enrol_offline: "A new token is only taken with a network: the server must confirm it is a verifier token. Please go online and try again.",
    token_unknown: "The server does not know this token (or it is disabled). Nothing was changed.",
    token_role: "The token has the role “{detail}”. A verifier device only takes verifier tokens. Nothing was changed.",
    token_unchecked: "The token could not be checked ({detail}). Nothing was changed; please try again later.",
    next: "Next voucher",
    online: "online",
    offline: "offline",
    last_sync: "Last sync: {age}",
    not_synced: "Never synced",
    sync_failed: "Sync failed: {error}",
    device_blocked: "Device blocked – it records no more journeys. Ask the office to set it up again.",
    revocation_age: "Revocation list: {age} old",
    revocation_stale: "Revocation list {age} old – please go online",
    no_revocations: "No revocation list – revoked vouchers are not recognised",
    trust_stale: "Key list {age} old – please go online, or a withdrawn key is not recognised",
    trust_age_unknown: "Age of the key list unknown – please go online",
    pending: "{n} redemption(s) waiting to upload",
    pending_reception: "{n} check-in(s) waiting to upload",
    enrol_hint: "Device not set up yet: scan the set-up code or enter the token under “Settings”.",
    valid: "VALID",
    invalid: "INVALID",
    unchecked: "NOT CHECKED",
    test_key: "TEST KEY",
    info: "NOT A TICKET",
    checked_online: "Checked online",
    reason_test_key: "Test key – not a valid ticket. This code comes from a test or demo installation.",
    reason_enrol_at_scanner: "This is a set-up code for verifier devices, not a ticket. It is only accepted under “Settings” → “Scan set-up code”; nothing was changed here.",
    reason_malformed: "Not a Jobcenter voucher, or the code is damaged",
    reason_unsupported_version: "Newer voucher version – update this page",
    reason_unknown_key: "Unknown issuer (key not in the list)",
    reason_bad_signature: "Forged or damaged code",
    reason_not_yet_valid: "Not valid yet",
    reason_expired: "Expired",
    reason_revoked: "Revoked (appointment cancelled or re-issued)",
    reason_unknown: "Ticket number unknown",
    reason_short_typo: "The ticket number's check character does not match – please type the number again carefully.",
    reason_offline_short: "The ticket number can only be checked with a network. Scan the QR code or try again later.",
    reason_network: "No connection to the server – the ticket number was not checked. Scan the QR code or try again later.",
    reason_rate_limited: "The server is not taking requests right now (too many, HTTP 429) – not checked. Please try again in a minute.",
    reason_server_error: "Server error (HTTP {status}) – not checked. Scan the QR code or try again later.",
    reason_token_refused: "The server refuses this device's token (HTTP {status}) – not checked. Set the device up again.",
    reason_lookup_failed: "Lookup failed (HTTP {status}) – not checked.",
    reason_no_token: "Checking a ticket number needs this device to be set up (token).",
    reason_no_trust: "No key list yet – open this page online once.",
    reason_no_qr: "No QR code found in the picture.",
    reason_replaced: "Replaced by a newly issued voucher – only the new one is valid",
    reason_used: "The journey has been redeemed already – no further journey with this voucher.",
    reason_used_return: "Both journeys have been redeemed already – no further journey with this voucher.",
    reason_refused: "Refused by the server ({outcome})",
    camera_denied: "Camera not allowed. Please allow it in the browser – or choose a photo of the code or type the code.",
    camera_missing: "No camera found. Please choose a photo of the code or type the code.",
    camera_busy: "Another app is using the camera. Close it and try again.",
    camera_insecure: "The camera needs a secure connection (https). Please choose a photo of the code or type the code.",
    camera_failed: "The camera could not be started. Please choose a photo of the code or type the code.",
    name: "Name", valid_label: "Valid", route: "Route", zone: "Fare zone", travellers: "People",
    fare_class: "Class", trip: "Trip", return_trip: "Return trip", single_trip: "Single trip",
    code: "Ticket no.", hours: "{n} hours",
    used_label: "Used", unknown_place: "place unknown", use_unreported: "says the server (time and place not sent)",
    appointment_label: "Appointment", no_appointment: "no appointment on record", appointment_offline: "shown only online",
    arrived_label: "Arrived",
    redeem: "Redeem journey",
    redeemed: "Redeemed at {time}",
    one_ride_used: "One of the two journeys has been redeemed already – this is the last one.",
    server_not_reached: "Server not reached – whether the voucher was used elsewhere is not checked.",
    already_arrived: "Checked in already at {time}.",
    id_check: "Please check the photo ID.",
    purpose_journey: "Journey", purpose_reception: "Reception",
    title_reception: "Arrival at reception",
    used: "ALREADY USED",
    checked_in: "CHECKED IN",
    language_name: "Sprache / Language",
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

let timeZone; // the office's (trust list); undefined: the device's own

/** Show times in `zone` (an IANA name from the trust list); an unknown name is ignored. */
export function setTimeZone(zone) {
  try {
    timeZone = zone ? new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone : undefined;
  } catch {
    timeZone = undefined; // RangeError: this browser does not know the zone
  }
}

const format = (ms, options) => new Date(ms).toLocaleString(locale(), { timeZone, ...options });
const dateOnly = (ms) => format(ms, { dateStyle: "medium" });
const isMidnight = (ms) => format(ms, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).replace(/\D/g, "") === "0000";

/** A validity window as people say it in the office: whole days as dates ("03.12.2026"), else times. */
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
  return format(Date.parse(iso), { dateStyle: "medium", timeStyle: "short" });
}

/** "09:30" for a time today in the office, else date and time. */
export function timeOfDay(iso) {
  const ms = Date.parse(iso);
  return dateOnly(ms) === dateOnly(Date.now()) ? format(ms, { timeStyle: "short" }) : dateTime(iso);
}
