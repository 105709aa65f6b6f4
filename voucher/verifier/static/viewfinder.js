// The camera on screen, shared by the main scanner and the set-up code scanner under Settings:
// one viewfinder (video, framing guide, torch and zoom where the camera has them) moved to
// wherever it is needed, and the button that opened it turned into "camera off".
import * as camera from "./camera.js";
import * as cues from "./cues.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let opener = null; // the button that opened the camera

function label(button, key) {
  const span = button.querySelector(".label");
  span.dataset.i18n = key;
  span.textContent = t(key);
}

function closed() {
  $("viewfinder").hidden = true;
  $("torch").hidden = true;
  $("zoom-control").hidden = true;
  if (opener) label(opener, opener.dataset.idle);
  opener = null;
}

function showControls() {
  const { torch, zoom } = camera.capabilities();
  $("torch").hidden = !torch;
  $("torch").setAttribute("aria-pressed", "false");
  $("zoom-control").hidden = !zoom;
  if (zoom) Object.assign($("zoom"), { min: zoom.min, max: zoom.max, step: zoom.step, value: zoom.value });
}

/** Show the camera at the top of `container` and scan; `onText` gets the code read (after the
 * hit cue). Pressing `button` again closes it. Throws when there is no camera to open. */
export async function open(container, button, onText) {
  camera.stopCamera();
  container.prepend($("viewfinder"));
  $("viewfinder").hidden = false;
  button.dataset.idle ||= button.querySelector(".label").dataset.i18n;
  opener = button;
  label(button, "stop_scan");
  try {
    await camera.startCamera($("camera"), (text) => { cues.hit(); onText(text); }, { onStop: closed });
  } catch (error) {
    closed();
    throw error;
  }
  showControls();
}

/** Open the camera for `button`, or close it when that button opened it. */
export async function toggle(container, button, onText) {
  if (camera.scanning() && opener === button) return camera.stopCamera();
  return open(container, button, onText);
}

export const close = () => camera.stopCamera();

/** What to tell staff when the camera does not open, in their words: the browser's own message
 * (English, technical) is never shown. An i18n key. */
export function problem(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "PermissionDeniedError") return "camera_denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "camera_missing";
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") return "camera_busy";
  if (name === "SecurityError" || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return "camera_insecure";
  return "camera_failed";
}

$("torch").addEventListener("click", async () => {
  const on = $("torch").getAttribute("aria-pressed") !== "true";
  await camera.setTorch(on).catch(() => {});
  $("torch").setAttribute("aria-pressed", String(on));
});
$("zoom").addEventListener("input", () => camera.setZoom($("zoom").value).catch(() => {}));
