"""QR symbols (voucher/qr.py, written with qrcode): what zxing-cpp reads back from them."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.test_format import TYPICAL
from tests.vectors.make_vectors import KEY
from voucher import qr
from voucher.token import format as fmt

CODE = fmt.encode(TYPICAL, KEY)


def read(png: bytes) -> zxingcpp.Barcode:
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    return barcode


@pytest.mark.parametrize("text", [CODE, 'JVENROL:{"token":"jv_x","location":"Bus 142 / Empfang, Süd"}'])
def test_png_decodes_to_the_exact_text_at_level_m(text):
    barcode = read(qr.png(text))
    assert barcode.text == text and barcode.ec_level == "M"


def test_symbol_is_the_smallest_version_an_independent_encoder_chooses():
    other = zxingcpp.create_barcode(CODE, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    side = int(len(bytes(other.to_image(scale=1, add_quiet_zones=False))) ** 0.5)
    assert qr.version(CODE) == (side - 17) // 4


def test_matrix_has_a_four_module_quiet_zone_around_the_symbol():
    grid = qr.modules(CODE)
    side = len(grid)
    assert side == 4 * qr.version(CODE) + 17 + 8
    border = [grid[r][c] for r in range(side) for c in range(side) if min(r, c, side - 1 - r, side - 1 - c) < 4]
    assert not any(border) and grid[4][4] and grid[4][side - 5] and grid[side - 5][4]  # finder corners
