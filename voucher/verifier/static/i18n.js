// The page's words, one catalogue per language: gettext catalogues on the server
// (voucher/verifier/locale), served as /verify/i18n/<lang>.json and precached by the service
// worker, so the language chosen on this device works offline. The choice stays on the device.
const STORED = "verifier-language";
const ISOLATE = ["\u2068", "\u2069"]; // first-strong isolate: a code or time keeps its own direction

/** A language's catalogue, or null when it cannot be had (unknown code, offline before caching). */
async function fetchCatalogue(code) {
  if (!/^[a-z]{2,3}$/.test(code)) return null;
  try {
    const response = await fetch(new URL(`../i18n/${code}.json`, import.meta.url));
    return response.ok ? await response.json() : null;
  } catch {
    return null; // TypeError: no network and not cached
  }
}

const NONE = { code: "de", dir: "ltr", locale: "de-DE", texts: {} }; // keys shown, rather than nothing
let catalogue = await fetchCatalogue(localStorage.getItem(STORED) || (navigator.language || "de").slice(0, 2).toLowerCase())
  || await fetchCatalogue("de") || NONE;

export const currentLanguage = () => catalogue.code;
export const locale = () => catalogue.locale;

/** Show the page in `code` (German when there is no such catalogue), right to left where the
 * language is, and remember the choice on this device. */
export async function setLanguage(code) {
  if (code !== catalogue.code) catalogue = await fetchCatalogue(code) || catalogue;
  localStorage.setItem(STORED, catalogue.code);
  document.documentElement.lang = catalogue.code;
  document.documentElement.dir = catalogue.dir;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

/** `value` in a bidi isolate on a right-to-left page, so "09:30", "HTTP 503" or "Bus 142" keeps
 * its own order inside a sentence; unchanged on a left-to-right page. */
export function isolate(value) {
  return catalogue.dir === "rtl" ? `${ISOLATE[0]}${value}${ISOLATE[1]}` : String(value);
}

/** The text for `key` with {name} placeholders filled, each value isolated (see isolate). */
export function t(key, vars = {}) {
  const text = catalogue.texts[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => isolate(vars[name] ?? ""));
}

/** "5 min", "3 h", "2 d" (in the page's language) for ages; the page shows how stale its data is. */
export function age(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return t("age_minutes", { n: minutes });
  if (minutes < 48 * 60) return t("age_hours", { n: Math.round(minutes / 60) });
  return t("age_days", { n: Math.round(minutes / 1440) });
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
