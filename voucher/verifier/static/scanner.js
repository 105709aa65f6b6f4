// QR decoding: the browser's BarcodeDetector where it exists, else jsQR (vendored from npm).
import "./vendor/jsQR.js";

const detector = "BarcodeDetector" in self ? new self.BarcodeDetector({ formats: ["qr_code"] }) : null;
let stream = null;
let timer = null;

async function decodeCanvas(canvas) {
  if (detector) {
    const found = await detector.detect(canvas);
    if (found.length) return found[0].rawValue;
  }
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const result = self.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
  return result ? result.data : null;
}

function drawScaled(source, width, height, maxSide = 1600) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.getContext("2d", { willReadFrequently: true }).drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** The text of the first QR code in an image file, or null. */
export async function decodeFile(file) {
  const bitmap = await createImageBitmap(file);
  return decodeCanvas(drawScaled(bitmap, bitmap.width, bitmap.height));
}

/** Scan camera frames until a code is found; onText gets it once and the camera stops. */
export async function startCamera(video, onText) {
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  timer = setInterval(async () => {
    if (!video.videoWidth) return;
    const text = await decodeCanvas(drawScaled(video, video.videoWidth, video.videoHeight, 960));
    if (text) { stopCamera(video); onText(text); }
  }, 200);
}

export function stopCamera(video) {
  clearInterval(timer);
  timer = null;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  video.hidden = true;
  video.srcObject = null;
}

export const scanning = () => stream !== null;
