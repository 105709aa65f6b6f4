"""Scanning letters in the browser: per kind of wear (tests/wear.py), the share of letters the
verifier page decodes from an uploaded picture (static/decoder.js: zxing-wasm) and the time it
takes, next to jsQR (what the page used before, run as it ran there: scaled to 1600 px) in the
same Chromium and zxing-cpp in Python on the same files; then the time per 1280×720 camera frame
(canvas read and decode, as the camera loop does it).

Targets: 100 % on every kind of wear at 150 dpi, ≥ 98 % on everything at once at 100 dpi,
≤ 50 ms per 1280×720 frame. jsQR is installed for this benchmark only, into bench/node_modules
(`npm ci` in bench/, run here when missing), never into the app.
"""

from __future__ import annotations

import base64
import io
import random
import statistics
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import zxingcpp
from PIL import Image

from bench.browser import chromium_on_app
from tests import wear
from tests.test_format import TYPICAL
from tests.vectors.make_vectors import KEY
from voucher.config import Settings
from voucher.letters.render import Letter, render
from voucher.token import codes
from voucher.token import format as fmt

HERE = Path(__file__).resolve().parent
JSQR = HERE / "node_modules" / "jsqr" / "dist" / "jsQR.js"
LETTERS = 20  # per kind of wear at 150 dpi
ALL_WEAR_LETTERS = 50  # everything at once, at 100 dpi
PHOTOS = 8  # 8-megapixel photos of the whole letter

DECODE = """async ([b64, decoder]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const blob = new Blob([bytes]);
  const start = performance.now();
  let text = null;
  if (decoder === 'zxing-wasm') {
    text = await (await import('/verify/static/decoder.js')).decodeFile(blob);
  } else {  // jsQR as the page ran it: the picture scaled to at most 1600 px
    const bitmap = await createImageBitmap(blob);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = self.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
    text = found ? found.data : null;
  }
  return { text, ms: performance.now() - start };
}"""
FRAME_TIMES = """async ([b64, decoder, runs]) => {
  // As the camera loop does it: the frame drawn to a canvas, its pixels read, then decoded.
  const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
  const dec = await import('/verify/static/decoder.js');
  await dec.warmUp();
  const canvas = document.createElement('canvas');
  const times = [];
  let text = null;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const image = dec.pixels(bitmap, bitmap.width, bitmap.height, 1, canvas);
    if (decoder === 'zxing-wasm') text = await dec.decodeImageData(image);
    else { const found = self.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' }); text = found ? found.data : null; }
    times.push(performance.now() - start);
  }
  return { text, ms: Math.min(...times) };
}"""


def _letters(count: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """(code, letter PDF) for `count` vouchers with random ids, as the letter route renders them."""
    out = []
    for i in range(count):
        claims = replace(TYPICAL, voucher_id=codes.id_to_text(rng.randbytes(8)), holder_name=f"{TYPICAL.holder_name[:26]} {i:03d}")
        code = fmt.encode(claims, KEY)
        letter = Letter(voucher_id=claims.voucher_id, code=code, holder_name=claims.holder_name,
                        address=("Lindenweg 4", "12345 Musterstadt"), valid_from=claims.valid_from,
                        valid_until=claims.valid_until, route=f"{claims.origin} – {claims.destination}", zone=False,
                        travellers=claims.travellers, fare_class=claims.fare_class, return_trip=claims.return_trip,
                        appointment_at=None, appointment_place=None, language="de", date=datetime.now(UTC))
        out.append((code, render([letter], Settings().timezone)))
    return out


def _zxing_cpp(image: bytes, code: str) -> tuple[bool, float]:
    start = time.perf_counter()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)), formats=zxingcpp.BarcodeFormat.QRCode)
    return any(r.text == code for r in found), (time.perf_counter() - start) * 1000


def _rates(page, images: list[tuple[str, bytes]]) -> str:
    """"zxing-wasm 100 % (45 ms), jsQR 60 % (700 ms), zxing-cpp 100 % (30 ms)": share read, median time."""
    results = {"zxing-wasm": [], "jsQR": [], "zxing-cpp": []}
    for code, image in images:
        b64 = base64.b64encode(image).decode()
        for decoder in ("zxing-wasm", "jsQR"):
            answer = page.evaluate(DECODE, [b64, decoder])
            results[decoder].append((answer["text"] == code, answer["ms"]))
        results["zxing-cpp"].append(_zxing_cpp(image, code))
    return ", ".join(f"{name} {sum(ok for ok, _ in got) / len(got):.0%} ({statistics.median(ms for _, ms in got):.0f} ms)"
                     for name, got in results.items())


def _frame_times(page, frames: list[tuple[str | None, bytes]]) -> str:
    """Per decoder: median and worst time on frames with the ticket (and how many it read) and on
    frames of text only (a miss searches the whole frame: the slowest case while aiming)."""
    parts = []
    for decoder in ("zxing-wasm", "jsQR"):
        hits, with_code, without = 0, [], []
        for code, frame in frames:
            answer = page.evaluate(FRAME_TIMES, [base64.b64encode(frame).decode(), decoder, 3])
            (with_code if code else without).append(answer["ms"])
            hits += code is not None and answer["text"] == code
        parts.append(f"{decoder}: ticket {statistics.median(with_code):.0f} ms (max {max(with_code):.0f}, read {hits}/{len(with_code)}),"
                     f" text only {statistics.median(without):.0f} ms (max {max(without):.0f})")
    return "; ".join(parts)


def _jsqr() -> str:
    if not JSQR.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True)
    return JSQR.read_text(encoding="utf-8")


def run() -> list[tuple[str, str]]:
    rng = random.Random(20261126)
    jsqr = _jsqr()
    letters = _letters(LETTERS, rng)
    rows = []
    with chromium_on_app() as (browser, url):
        page = browser.new_page()
        page.route("**/bench/jsQR.js", lambda route: route.fulfill(body=jsqr, content_type="text/javascript"))
        page.goto(f"{url}/api/v1/trust-list")
        page.add_script_tag(url="/bench/jsQR.js")
        for kind in wear.WEAR:
            images = [(code, wear.worn(pdf, kind, 150, seed)) for seed, (code, pdf) in enumerate(letters)]
            rows.append((f"Letter at 150 dpi, {kind} ({LETTERS} letters; target 100 %)", _rates(page, images)))
        everything = _letters(ALL_WEAR_LETTERS, rng)
        images = [(code, wear.worn(pdf, "all of these", 100, seed)) for seed, (code, pdf) in enumerate(everything)]
        rows.append((f"Letter at 100 dpi, all wear at once ({ALL_WEAR_LETTERS} letters; target ≥ 98 %)", _rates(page, images)))
        photos = [(code, wear.photo(pdf, seed)) for seed, (code, pdf) in enumerate(letters[:PHOTOS])]
        rows.append((f"8-megapixel photo of the letter ({PHOTOS} photos)", _rates(page, photos)))
        frames = [(code, wear.saved(wear.camera_frame(photo, 0.72))) for code, photo in photos]
        frames += [(None, wear.saved(wear.camera_frame(photo, 0.2))) for _, photo in photos]
        rows.append((f"Camera frame {wear.FRAME_SIZE[0]}×{wear.FRAME_SIZE[1]} from those photos: time to decode (fastest of 3 per frame, "
                     f"median over {PHOTOS} frames each; target ≤ 50 ms)", _frame_times(page, frames)))
    return rows
