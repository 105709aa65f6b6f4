// The verdict screen: fills the screen in one colour per kind, with an icon, the reason, the
// voucher's details and a sound. Kinds: valid, invalid, unchecked (not checked, and why),
// test_key (a development key: never a ticket) and info (not a ticket at all, e.g. a set-up code).
import * as cues from "./cues.js";
import { t, validityWindow } from "./i18n.js";

const $ = (id) => document.getElementById(id);

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

/** Fill `list` (a <dl>) with [label, value, class] rows. */
export function fillList(list, rows) {
  list.replaceChildren();
  for (const [label, value, cls] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (cls) dd.className = cls;
    list.append(dt, dd);
  }
}

export function show({ kind, reason = "", warning = "", claims = null }) {
  const view = $("verdict");
  view.className = kind;
  $("verdict-icon").setAttribute("href", `#i-${kind}`);
  $("verdict-title").textContent = t(kind);
  $("verdict-reason").textContent = reason;
  $("verdict-warning").textContent = warning;
  $("verdict-warning").hidden = !warning;
  fillList($("verdict-details"), claims ? details(claims) : []);
  $("redeem-done").hidden = true;
  $("check-view").hidden = true;
  view.hidden = false;
  view.focus({ preventScroll: true });
  window.scrollTo(0, 0); // the status line, then the verdict, whatever was scrolled before
  if (kind !== "info") cues.verdict(kind === "valid");
}

export function hide() {
  $("verdict").hidden = true;
  $("check-view").hidden = false;
}

export const showing = () => !$("verdict").hidden;
