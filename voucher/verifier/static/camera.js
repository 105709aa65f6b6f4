// The camera as a scanner, for any page of this app: the rear camera at 1280×720 or more, each
// frame decoded as soon as the previous decode has finished (never two at once, no idle timer),
// torch and zoom where the camera offers them, and the camera released whenever the page is
// hidden, so it never runs in a pocket.
import { decodeImageData, pixels, warmUp } from "./decoder.js";

const CONSTRAINTS = { facingMode: { ideal: "environment" }, width: { min: 1280, ideal: 1920 }, height: { min: 720, ideal: 1080 } };
const FALLBACK = { facingMode: { ideal: "environment" } }; // a camera that cannot do 1280×720

let session = null; // { stream, video, onStop, active }

async function open() {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: CONSTRAINTS, audio: false });
  } catch (error) {
    if (error.name !== "OverconstrainedError" && error.name !== "ConstraintNotSatisfiedError") throw error;
    return navigator.mediaDevices.getUserMedia({ video: FALLBACK, audio: false });
  }
}

/** Resolves when the video has a new frame to show (every frame, as fast as the camera delivers). */
function nextFrame(video) {
  return new Promise((resolve) => {
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}

async function scan(current, onText) {
  const canvas = document.createElement("canvas");
  while (current.active) {
    await nextFrame(current.video);
    const { video } = current;
    if (!current.active || !video.videoWidth) continue;
    const text = await decodeImageData(pixels(video, video.videoWidth, video.videoHeight, 1, canvas));
    if (text && current.active) {
      stopCamera();
      onText(text);
    }
  }
}

function stopping(current) {
  return () => { if (session === current) stopCamera(); };
}

function track() {
  return session ? session.stream.getVideoTracks()[0] : null;
}

/** What the camera can do beyond pictures: {torch: boolean, zoom: {min, max, step, value} | null}. */
export function capabilities() {
  const camera = track();
  const caps = camera && camera.getCapabilities ? camera.getCapabilities() : {};
  const zoom = caps.zoom && caps.zoom.max > caps.zoom.min
    ? { min: caps.zoom.min, max: caps.zoom.max, step: caps.zoom.step || 0.1, value: camera.getSettings().zoom ?? caps.zoom.min }
    : null;
  return { torch: Boolean(caps.torch), zoom };
}

export async function setTorch(on) {
  if (track()) await track().applyConstraints({ advanced: [{ torch: Boolean(on) }] });
}

export async function setZoom(value) {
  if (track()) await track().applyConstraints({ advanced: [{ zoom: Number(value) }] });
}

/** Start scanning, showing the camera in `video`; `onText` gets the first code found, once, and
 * the camera stops. `onStop` is told whenever the camera stops, also when the page is hidden. */
export async function startCamera(video, onText, { onStop = () => {} } = {}) {
  stopCamera();
  warmUp();
  const stream = await open();
  const current = { stream, video, onStop, active: true };
  session = current;
  video.srcObject = stream;
  await video.play();
  scan(current, onText).catch(stopping(current));
}

export function stopCamera() {
  if (!session) return;
  const { stream, video, onStop } = session;
  session.active = false;
  session = null;
  stream.getTracks().forEach((t) => t.stop());
  video.srcObject = null;
  onStop();
}

export const scanning = () => session !== null;

document.addEventListener("visibilitychange", () => {
  if (document.hidden) stopCamera();
});
