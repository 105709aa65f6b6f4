// The counter's "Scannen": read the QR code on a letter with the camera or from a photo, put its
// text into the search field and search (the search opens the voucher a code names). Decoding
// and the camera are the verifier's modules, shared, not copied: decoder.js and camera.js know
// nothing of the page that uses them. Words come from the page (data-* on #scanner), in the
// language it was rendered in.
import { decodeFile } from "/verify/static/decoder.js";
import { startCamera, stopCamera, scanning } from "/verify/static/camera.js";

const $ = (id) => document.getElementById(id);
const panel = $("scanner");
const words = panel.dataset;

function say(text) {
  $("scan-status").textContent = text;
}

function found(text) {
  say(words.found);
  $("q").value = text;
  $("q").form.requestSubmit();
}

function cameraStopped() {
  $("scan-video").hidden = true;
  $("scan-camera").textContent = words.camera;
  $("scan-camera").setAttribute("aria-pressed", "false");
}

async function toggleCamera() {
  if (scanning()) return stopCamera();
  $("scan-video").hidden = false;
  $("scan-camera").textContent = words.stop;
  $("scan-camera").setAttribute("aria-pressed", "true");
  say(words.hint);
  try {
    await startCamera($("scan-video"), found, { onStop: cameraStopped });
  } catch (error) {
    cameraStopped();
    say(words.noCamera.replace("{error}", error.message || error.name || String(error)));
  }
}

async function readPhoto(event) {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  stopCamera();
  say(words.reading);
  let text = null;
  try {
    text = await decodeFile(file);
  } catch {
    text = null; // not an image the browser can open
  }
  if (text) found(text);
  else say(words.none);
}

function open() {
  const opening = panel.hidden;
  panel.hidden = !opening;
  $("scan-open").setAttribute("aria-expanded", String(opening));
  if (opening) $("scan-camera").focus();
  else stopCamera();
}

$("scan-open").hidden = false; // the button needs this script; without it, typing still works
$("scan-open").addEventListener("click", open);
$("scan-camera").addEventListener("click", toggleCamera);
$("scan-file").addEventListener("change", readPhoto);
document.body.dataset.scanReady = "true";
