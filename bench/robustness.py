"""Scan robustness at the same printed size (42 mm with quiet zone, as on the letter): share of
codes that still decode after simulated wear, JV1 against the EU DCC-style encoding."""

from __future__ import annotations

import random
from dataclasses import replace

import zxingcpp
from PIL import Image

from bench import peers
from tests import wear
from tests.test_format import TYPICAL
from tests.vectors.make_vectors import KEY
from voucher import qr
from voucher.token import codes
from voucher.token import format as fmt

SAMPLES = 60
PRINT_MM, DPI = 42, 300


def _printed(text: str) -> Image.Image:
    grid = qr.modules(text)
    side = len(grid)
    image = Image.new("L", (side, side), 255)
    image.putdata([0 if dark else 255 for row in grid for dark in row])
    size = round(PRINT_MM / 25.4 * DPI)
    return image.resize((size, size), Image.NEAREST)


def _turned(image: Image.Image, rng: random.Random) -> Image.Image:
    return wear.rotate(image, rng.uniform(5, 20))


# The wear itself is tests/wear.py's (shared with the browser tests and bench/scan.py).
WEAR = {
    "150 dpi scan": lambda im, rng: wear.downscale(im, 150 / DPI),
    "100 dpi scan": lambda im, rng: wear.downscale(im, 100 / DPI),
    "blur (radius 0.17 mm = 2 px at 300 dpi)": lambda im, rng: wear.blur(im, DPI, 0.17),
    "JPEG quality 10": lambda im, rng: wear.jpeg(im, 10),
    "rotated 5-20°": _turned,
    "fold line": lambda im, rng: wear.fold(im, rng, DPI),
    "all of these at 100 dpi": lambda im, rng: wear.jpeg(wear.downscale(wear.fold(wear.blur(_turned(im, rng), DPI, 0.085), rng, DPI),
                                                                       100 / DPI), 30),
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
    for kind, apply in WEAR.items():
        ok = {"JV1": 0, "DCC": 0}
        for jv1, dcc in samples:
            seed = rng.random()
            ok["JV1"] += _decodes(apply(_printed(jv1), random.Random(seed)), jv1)
            ok["DCC"] += _decodes(apply(_printed(dcc), random.Random(seed)), dcc)
        rows.append((f"Scan robustness, {PRINT_MM} mm print, {kind} ({SAMPLES} codes each)",
                     f"JV1 {ok['JV1'] / SAMPLES:.0%}, DCC style {ok['DCC'] / SAMPLES:.0%}"))
    return rows
