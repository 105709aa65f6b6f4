// Setting up a device from a `JVENROL:` code (voucher tokens create --role verifier --enrol-qr).
// Anyone can print a QR code, so a set-up code is only ever read under Settings, shown to the
// person holding the device, and saved after they confirm it and the server has said that its
// token belongs to a verifier. The main scanner never acts on one (see app.js).
import { ApiError, whoseToken } from "./sync.js";
import { ENROL_PREFIX } from "./typed.js";

export class EnrolmentError extends Error {
  constructor(reason, detail = "") {
    super(detail ? `${reason}: ${detail}` : reason);
    this.reason = reason; // an i18n key
    this.detail = detail;
  }
}

const text = (max) => (value) => typeof value === "string" && value.trim().length > 0 && value.length <= max;
// Every setting a set-up code may carry, with what it must be. Anything else refuses the code.
export const FIELDS = {
  token: (value) => typeof value === "string" && /^[\x21-\x7e]{8,200}$/.test(value),
  device_id: text(64),
  location: text(120),
  max_age_hours: (value) => Number.isInteger(value) && value >= 1 && value <= 720,
};

/** The settings in a set-up code, checked key by key; throws EnrolmentError("bad_enrolment"). */
export function parseEnrolment(code) {
  if (!code.startsWith(ENROL_PREFIX)) throw new EnrolmentError("bad_enrolment", "no JVENROL: prefix");
  let data;
  try {
    data = JSON.parse(code.slice(ENROL_PREFIX.length));
  } catch {
    throw new EnrolmentError("bad_enrolment", "not JSON");
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new EnrolmentError("bad_enrolment", "not an object");
  for (const [key, value] of Object.entries(data)) {
    if (!(key in FIELDS)) throw new EnrolmentError("bad_enrolment", `unknown setting ${key}`);
    if (!FIELDS[key](value)) throw new EnrolmentError("bad_enrolment", `${key} out of range`);
  }
  if (!("token" in data)) throw new EnrolmentError("bad_enrolment", "no token");
  return data;
}

/** Ask the server whose token this is; resolves to {role, name, purpose} for a verifier token, else throws
 * EnrolmentError: offline (never saved unchecked), unknown token, or another role. */
export async function checkVerifierToken(token) {
  if (!navigator.onLine) throw new EnrolmentError("enrol_offline");
  let me;
  try {
    me = await whoseToken(token);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 0) throw new EnrolmentError("enrol_offline");
    if (error.status === 401) throw new EnrolmentError("token_unknown");
    throw new EnrolmentError("token_unchecked", `HTTP ${error.status}`);
  }
  if (me.role !== "verifier") throw new EnrolmentError("token_role", me.role);
  return me;
}
