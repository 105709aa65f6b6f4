"""QR images of a voucher code: level M, alphanumeric mode, the standard 4-module quiet zone."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4


def make(text: str, error_correction: int = ERROR_CORRECT_M) -> qrcode.QRCode:
    """A fitted QR for text; Base45 text lands in alphanumeric mode by itself."""
    code = qrcode.QRCode(error_correction=error_correction, border=QUIET_ZONE)
    code.add_data(text, optimize=0)
    code.make(fit=True)
    return code


def png(text: str, box_size: int = 8) -> bytes:
    code = make(text)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def svg(text: str) -> bytes:
    return make(text).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string()


def modules(text: str) -> list[list[bool]]:
    """The module matrix with its quiet zone, for drawing the code as vector shapes."""
    return make(text).get_matrix()
