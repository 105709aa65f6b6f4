// Settings: the device's token, name, place and warning age, typed by hand or taken from a
// set-up code scanned here. A new token is stored only after the server has confirmed that it
// belongs to a verifier (never offline); every value is checked as a set-up code's would be.
import * as db from "./db.js";
import { decodeFile } from "./decoder.js";
import { EnrolmentError, FIELDS, checkVerifierToken, parseEnrolment } from "./enrol.js";
import { t } from "./i18n.js";
import * as sync from "./sync.js";
import { fillList } from "./verdict.js";
import * as viewfinder from "./viewfinder.js";

const $ = (id) => document.getElementById(id);
const LABELS = { token: "token", device_id: "device_id", location: "location", max_age_hours: "max_age" };
let offered = null; // the settings of a set-up code waiting for confirmation
let afterSave = async () => {};

function result(text, ok = true) {
  $("settings-result").textContent = text;
  $("settings-result").className = ok ? "result" : "result error";
  $("settings-result").hidden = !text;
  if (text) $("settings-result").scrollIntoView({ block: "nearest" });
}

function explain(error) {
  if (!(error instanceof EnrolmentError)) throw error;
  result(t(error.reason, { detail: error.detail }), false);
}

export async function fill() {
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

/** Store `changes` over the current settings; a changed token only once the server vouches for it. */
async function store(changes) {
  const config = await sync.settings();
  if (changes.token && changes.token !== config.token) {
    result(t("checking_token"));
    const me = await checkVerifierToken(changes.token);
    changes = { ...changes, purpose: me.purpose || "journey" };
  }
  await db.put("settings", { ...config, ...changes });
  await fill();
  await afterSave();
}

async function saveForm(event) {
  event.preventDefault();
  const changes = {
    token: $("token").value.trim(), device_id: $("device-id").value.trim(),
    location: $("location").value.trim(), max_age_hours: Number($("max-age").value),
  };
  for (const [key, value] of Object.entries(changes)) {
    const empty = value === "" && key !== "max_age_hours";
    if (!empty && !FIELDS[key](value)) return result(t("bad_setting", { detail: t(LABELS[key]) }), false);
  }
  if (!changes.device_id) delete changes.device_id;
  try {
    await store(changes);
    result(t("saved"));
  } catch (error) {
    explain(error);
  }
}

function offer(code) {
  viewfinder.close();
  offered = null;
  $("enrol-offer").hidden = true;
  try {
    offered = parseEnrolment(code);
  } catch (error) {
    return explain(error);
  }
  const rows = [[t("token"), `${offered.token.slice(0, 3)}…${offered.token.slice(-4)}`]];
  if (offered.device_id) rows.push([t("device_id"), offered.device_id]);
  if (offered.location) rows.push([t("location"), offered.location]);
  if (offered.max_age_hours) rows.push([t("max_age"), t("hours", { n: offered.max_age_hours })]);
  fillList($("enrol-details"), rows);
  result("");
  $("enrol-offer").hidden = false;
  $("enrol-confirm").focus();
}

async function confirm() {
  if (!offered) return;
  try {
    await store(offered);
    result(t("enrolled"));
  } catch (error) {
    explain(error);
  } finally {
    offered = null;
    $("enrol-offer").hidden = true;
  }
}

/** Wire the settings; `onSaved` runs after every change (e.g. a sync with the new token). */
export function init(onSaved) {
  afterSave = onSaved;
  $("settings-form").addEventListener("submit", saveForm);
  $("enrol-scan").addEventListener("click", () => viewfinder.toggle($("enrol-area"), $("enrol-scan"), offer)
    .catch((error) => result(t(viewfinder.problem(error)), false)));
  $("enrol-upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    const text = await decodeFile(file);
    return text ? offer(text) : result(t("reason_no_qr"), false);
  });
  $("enrol-confirm").addEventListener("click", confirm);
  $("enrol-cancel").addEventListener("click", () => { offered = null; $("enrol-offer").hidden = true; });
}
