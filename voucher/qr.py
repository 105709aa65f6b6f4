"""QR symbols of a voucher code: level M, the smallest version that fits, a 4-module quiet zone.

Encoded with zxing-cpp's writer (zint underneath), the library that also decodes our scans.
The `qrcode` package spends about 12 ms per symbol choosing a mask in pure Python; zxing-cpp
takes 0.5 ms, which is what lets a letter batch reach 100 letters a second (README, "Stack").
Base45 text is all QR-alphanumeric, so the writer picks alphanumeric mode by itself.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image


def _symbol(text: str, quiet_zone: bool, level: str = "M") -> tuple[int, bytes]:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=level)
    image = barcode.to_image(scale=1, add_quiet_zones=quiet_zone)
    pixels = bytes(image)
    side = int(len(pixels) ** 0.5)
    return side, pixels


def modules(text: str, level: str = "M") -> list[list[bool]]:
    """Rows of modules (True = dark), quiet zone included, for drawing as vector shapes."""
    side, pixels = _symbol(text, quiet_zone=True, level=level)
    return [[pixels[r * side + c] < 128 for c in range(side)] for r in range(side)]


def version(text: str, level: str = "M") -> int:
    side, _ = _symbol(text, quiet_zone=False, level=level)
    return (side - 17) // 4


def png(text: str, box_size: int = 8) -> bytes:
    side, pixels = _symbol(text, quiet_zone=True)
    image = Image.frombytes("L", (side, side), pixels).resize((side * box_size,) * 2, Image.NEAREST)
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
