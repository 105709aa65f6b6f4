"""Scan robustness at the same printed size (42 mm with quiet zone, as on the letter): share of
codes that still decode after simulated wear, JV1 against the EU DCC-style encoding."""

from __future__ import annotations

import io
import random
from dataclasses import replace

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from voucher import qr
from voucher.token import codes, format as fmt
from bench import peers
from tests.test_format import TYPICAL
from tests.vectors.make_vectors import KEY

SAMPLES = 60
PRINT_MM, DPI = 42, 300


def _printed(text: str) -> Image.Image:
    grid = qr.modules(text)
    side = len(grid)
    image = Image.new("L", (side, side), 255)
    image.putdata([0 if dark else 255 for row in grid for dark in row])
    size = round(PRINT_MM / 25.4 * DPI)
    return image.resize((size, size), Image.NEAREST)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _fold(image: Image.Image, rng: random.Random) -> Image.Image:
    image = image.copy()
    draw = ImageDraw.Draw(image)
    at = rng.uniform(0.3, 0.7) * image.width
    width = max(2, image.width // 80)
    if rng.random() < 0.5:
        draw.line([(at, 0), (at + rng.uniform(-10, 10), image.height)], fill=170, width=width)
    else:
        draw.line([(0, at), (image.width, at + rng.uniform(-10, 10))], fill=170, width=width)
    return image


def _downscale(image: Image.Image, dpi: int) -> Image.Image:
    size = round(image.width * dpi / DPI)
    return image.resize((size, size), Image.BOX)  # a scanner integrates light over each pixel


WEAR = {
    "150 dpi scan": lambda im, rng: _downscale(im, 150),
    "100 dpi scan": lambda im, rng: _downscale(im, 100),
    "blur (radius 2 px at 300 dpi)": lambda im, rng: im.filter(ImageFilter.GaussianBlur(2)),
    "JPEG quality 10": lambda im, rng: _jpeg(im, 10),
    "rotated 5-20°": lambda im, rng: im.rotate(rng.uniform(5, 20), expand=True, fillcolor=255),
    "fold line": _fold,
    "all of these at 100 dpi": lambda im, rng: _jpeg(_downscale(_fold(im.rotate(rng.uniform(5, 20), expand=True, fillcolor=255)
                                                                     .filter(ImageFilter.GaussianBlur(1)), rng), 100), 30),
}


def _decodes(image: Image.Image, expected: str) -> bool:
    return any(r.text == expected for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))


def run() -> list[tuple[str, str]]:
    rng = random.Random(20261125)
    samples = []
    for i in range(SAMPLES):
        claims = replace(TYPICAL, voucher_id=codes.id_to_text(rng.randbytes(8)), holder_name=f"{TYPICAL.holder_name[:26]} {i:03d}")
        samples.append((fmt.encode(claims, KEY), peers.dcc(claims)))
    rows = []
    for wear, apply in WEAR.items():
        ok = {"JV1": 0, "DCC": 0}
        for jv1, dcc in samples:
            seed = rng.random()
            ok["JV1"] += _decodes(apply(_printed(jv1), random.Random(seed)), jv1)
            ok["DCC"] += _decodes(apply(_printed(dcc), random.Random(seed)), dcc)
        rows.append((f"Scan robustness, {PRINT_MM} mm print, {wear} ({SAMPLES} codes each)",
                     f"JV1 {ok['JV1'] / SAMPLES:.0%}, DCC style {ok['DCC'] / SAMPLES:.0%}"))
    return rows
