// The verdict screen: fills the screen in one colour per kind, with an icon, the reason, the
// voucher's details and a sound. Kinds: valid, used (the rides are used up: when and where),
// checked_in (an arrival at the reception), invalid, unchecked (not checked, and why), test_key
// (a development key: never a ticket) and info (not a ticket at all, e.g. a set-up code).
// Times are the office's (the trust list's time zone), whatever the device is set to.
import * as cues from "./cues.js";
import { dateTime, isolate, t, validityWindow } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const POSITIVE = new Set(["valid", "checked_in"]);
const ICONS = { used: "invalid", checked_in: "valid" };

/** "04.12.2026, 08:40 – Bus 142": a ride as the record knows it. */
function use({ redeemed_at: at, location }) {
  if (!at) return t("use_unreported");
  return `${isolate(dateTime(at))} – ${location ? isolate(location) : t("unknown_place")}`;
}

function details(claims, uses) {
  const route = claims.zone ? [t("zone"), claims.zone] : [t("route"), `${claims.origin} → ${claims.destination}`];
  return [
    [t("name"), claims.holder_name, "holder"],
    ...uses.map((u) => [t("used_label"), use(u)]),
    [t("valid_label"), validityWindow(claims.valid_from, claims.valid_until)],
    route,
    [t("trip"), t(claims.return_trip ? "return_trip" : "single_trip")],
    [t("travellers"), String(claims.travellers)],
    [t("fare_class"), `${claims.fare_class}.`],
    [t("code"), claims.short_code, "ticket"],
  ];
}

/** Fill `list` (a <dl>) with [label, value, class] rows. */
export function fillList(list, rows) {
  list.replaceChildren();
  for (const [label, value, cls] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    // Isolated: a Latin name keeps its order on an RTL page, and "2." with no letter (nor an
    // Arabic date's right-to-left mark) reads left to right; bdi alone would take the page's.
    const isolated = document.createElement("bdi");
    isolated.dir = /[\p{L}\u200f\u061c]/u.test(value) ? "auto" : "ltr";
    isolated.textContent = value;
    dd.append(isolated);
    if (cls) dd.className = cls;
    list.append(dt, dd);
  }
}

export function show({ kind, reason = "", warning = "", claims = null, uses = [] }) {
  const view = $("verdict");
  view.className = kind;
  $("verdict-icon").setAttribute("href", `#i-${ICONS[kind] || kind}`);
  $("verdict-title").textContent = t(kind);
  $("verdict-reason").textContent = reason;
  $("verdict-warning").textContent = warning;
  $("verdict-warning").hidden = !warning;
  appointment("");
  fillList($("verdict-details"), claims ? details(claims, uses) : []);
  $("redeem-done").hidden = true;
  $("check-view").hidden = true;
  view.hidden = false;
  view.focus({ preventScroll: true });
  window.scrollTo(0, 0); // the status line, then the verdict, whatever was scrolled before
  if (kind !== "info") cues.verdict(POSITIVE.has(kind));
}

/** The appointment line under the title of a check-in ("Termin 09:30, Raum 2.14"); "" hides it. */
export function appointment(text) {
  $("verdict-appointment").textContent = text;
  $("verdict-appointment").hidden = !text;
}

/** What the device recorded, under the verdict ("Entwertet um …", "Angekommen …"). */
export function done(text) {
  $("redeem-done").querySelector(".label").textContent = text;
  $("redeem-done").hidden = false;
}

export function hide() {
  $("verdict").hidden = true;
  $("check-view").hidden = false;
}

export const showing = () => !$("verdict").hidden;
