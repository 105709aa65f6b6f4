"""QR symbols of a voucher code: level M, the smallest version that fits, a 4-module quiet zone.

Encoded with the `qrcode` package (zxing-cpp stays our reader). Two choices keep a letter batch
above 100 letters a second (measured in README, "Stack notes"):

- a fixed mask, MASK, instead of qrcode's search for the best of eight, which scores every mask
  in pure Python and costs five times the rest of the symbol; MASK has the lowest penalty score
  of the eight on real voucher codes, and the scan-robustness figures equal the searched masks';
- the module matrix straight from `QRCode.modules`, drawn by us (vector squares in the letter,
  a one-bit Pillow image for PNG) instead of qrcode's image factories.

Base45 text is all QR-alphanumeric, so the data goes in as one alphanumeric segment.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from .token.base45 import ALPHABET

MASK = 2
QUIET_ZONE = 4
_LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
           "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
_ALPHANUMERIC = frozenset(ALPHABET)


def _symbol(text: str, level: str = "M") -> qrcode.QRCode:
    symbol = qrcode.QRCode(error_correction=_LEVELS[level], border=QUIET_ZONE, mask_pattern=MASK)
    mode = MODE_ALPHA_NUM if _ALPHANUMERIC.issuperset(text) else MODE_8BIT_BYTE
    symbol.add_data(QRData(text, mode=mode))
    symbol.make(fit=True)
    return symbol


def modules(text: str, level: str = "M") -> list[list[bool]]:
    """Rows of modules (True = dark), quiet zone included, for drawing as vector shapes."""
    return _symbol(text, level).get_matrix()


def version(text: str, level: str = "M") -> int:
    return _symbol(text, level).version


def png(text: str, box_size: int = 8) -> bytes:
    grid = modules(text)
    side = len(grid)
    image = Image.frombytes("L", (side, side), bytes(0 if dark else 255 for row in grid for dark in row))
    image = image.resize((side * box_size,) * 2, Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def svg(text: str) -> bytes:
    """One path of unit squares in a viewBox, so the SVG scales to any printed size."""
    grid = modules(text)
    side = len(grid)
    squares = "".join(f"M{c} {r}h1v1h-1z" for r, row in enumerate(grid) for c, dark in enumerate(row) if dark)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/><path d="{squares}" fill="#000"/></svg>'
    ).encode()
