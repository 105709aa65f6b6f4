// QR decoding for any page of this app, with no state of its own: the browser's BarcodeDetector
// where it exists (Chrome on Android, Safari on macOS), and zxing-wasm (the zxing-cpp library
// compiled to WebAssembly, vendored from npm with its .wasm) for every miss and every browser
// without one (Firefox, Safari on iPhones, Chromium on Linux and Windows).
//
// zxing-wasm would fetch its .wasm from a public CDN: locateFile points it at our own copy, which
// the service worker precaches, so scanning works from the first start without a network.
import { prepareZXingModule, readBarcodes } from "./vendor/zxing-wasm/reader/index.js";

const WASM = new URL("./vendor/zxing-wasm/reader/zxing_reader.wasm", import.meta.url).href;
prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM : prefix + path) } });

// tryHarder, tryRotate (90° steps and upside down), tryInvert and tryDownscale are zxing's own
// fallbacks; one symbol is all we want.
const READER = { formats: ["QRCode"], tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, maxNumberOfSymbols: 1 };
// Photos larger than this are scaled down once (phones take 12-50 MP; the code on a letter needs
// far less, and a 50 MP image would need 200 MB of pixels).
const MAX_PIXELS = 16_000_000;

let detector;

/** The browser's own QR detector, or null where there is none (checked once). */
async function nativeDetector() {
  if (detector === undefined) {
    detector = null;
    try {
      if ("BarcodeDetector" in self && (await self.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
        detector = new self.BarcodeDetector({ formats: ["qr_code"] });
      }
    } catch { /* no usable detector: zxing-wasm does all the work */ }
  }
  return detector;
}

async function native(source) {
  const found = await nativeDetector();
  if (!found) return null;
  try {
    const codes = await found.detect(source);
    return codes.length ? codes[0].rawValue : null;
  } catch {
    return null; // e.g. a frame not ready yet: zxing-wasm gets its turn
  }
}

async function zxing(imageData, options = READER) {
  const results = await readBarcodes(imageData, options);
  const hit = results.find((r) => r.isValid && r.text);
  return hit ? hit.text : null;
}

/** Load and compile the decoder now, so the first scan does not wait for it. */
export function warmUp() {
  return prepareZXingModule({ fireImmediately: true }).then(() => true, () => false);
}

/** The text of the first QR code in an ImageData (e.g. a camera frame), or null. */
export async function decodeImageData(imageData, options = READER) {
  return (await native(imageData)) ?? (await zxing(imageData, options));
}

/** Every pixel of an image or a video frame as ImageData, scaled by `scale` but never past
 * MAX_PIXELS. Scaling down averages pixels (smoothing "high"); it never skips any. */
export function pixels(source, width, height, scale = 1, canvas = document.createElement("canvas")) {
  scale = Math.min(scale, Math.sqrt(MAX_PIXELS / (width * height)));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.imageSmoothingQuality = scale < 1 ? "high" : "low";
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

// A photo gets every pixel first; only a miss costs the slower looks: enlarged twice (a blurred
// or far-away code whose modules are two or three pixels wide: this read 2 of 30 heavily worn
// 100 dpi letters the first look missed), then denoised (closes gaps a crease or JPEG blocks
// leave in the modules).
const LOOKS = [{ scale: 1, options: READER }, { scale: 2, options: READER }, { scale: 1, options: { ...READER, tryDenoise: true } }];

/** The text of the first QR code in an image file (a photo or a scan), or null. */
export async function decodeFile(file) {
  const bitmap = await createImageBitmap(file); // honours the photo's EXIF orientation
  try {
    for (const { scale, options } of LOOKS) {
      if (scale > 1 && bitmap.width * bitmap.height * scale * scale > MAX_PIXELS) continue;
      const text = await decodeImageData(pixels(bitmap, bitmap.width, bitmap.height, scale), options);
      if (text) return text;
    }
    return null;
  } finally {
    bitmap.close();
  }
}
