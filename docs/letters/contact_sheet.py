"""Contact sheets of letters: one row per shape of validity window (one day, several days, one
day with times, several days with times, across a month end), every page of the letter side by
side, rasterised as a printer would. Run: .venv/bin/python docs/letters/contact_sheet.py de-x-ls
(any language tags) → docs/letters/<tag>.png."""

from __future__ import annotations

import hashlib
import sys
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw, ImageFont

from voucher.config import Settings
from voucher.keys import key_id
from voucher.letters.render import Letter, render
from voucher.letters.typeset import FONTS
from voucher.token import format as fmt

KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sample letter").digest())
TZ = Settings().timezone
DPI, GAP, LABEL = 50, 12, 34
# shape: (valid from, valid until (exclusive: a whole day ends at the next midnight), zone or None, return trip)
SHAPES = {
    "one day": ("2026-12-03T00:00", "2026-12-04T00:00", None, True),
    "several days, a tariff zone": ("2026-12-03T00:00", "2026-12-06T00:00", "AB", True),
    "one day with times": ("2026-12-03T08:00", "2026-12-03T18:00", None, True),
    "several days with times": ("2026-12-03T08:30", "2026-12-05T18:00", None, True),
    "across a month end, one way": ("2026-12-31T00:00", "2027-01-03T00:00", None, False),
}


def letter(language: str, start: str, end: str, zone: str | None, return_trip: bool) -> Letter:
    valid_from, valid_until = (datetime.fromisoformat(value).replace(tzinfo=TZ) for value in (start, end))
    route = zone or "Musterstadt Hauptbahnhof – Jobcenter Nord"
    claims = fmt.Claims(
        voucher_id="0RV4K8ZQ3M2TA", kid=key_id(KEY.public_key()), valid_from=valid_from, valid_until=valid_until,
        holder_name="Ayşe Yılmaz", office="JC-DEMO", zone=zone, origin=None if zone else "Musterstadt Hauptbahnhof",
        destination=None if zone else "Jobcenter Nord", return_trip=return_trip)
    return Letter(
        voucher_id=claims.voucher_id, code=fmt.encode(claims, KEY), holder_name=claims.holder_name,
        address=("Lindenweg 4", "12345 Musterstadt"), valid_from=valid_from, valid_until=valid_until, route=route,
        zone=bool(zone), travellers=1, fare_class=2, return_trip=return_trip,
        appointment_at=valid_from.replace(hour=9, minute=30), appointment_place="Jobcenter Nord, Raum 214",
        language=language, date=datetime(2026, 11, 25, tzinfo=TZ))


def sheet(language: str) -> Image.Image:
    rows = []
    for name, shape in SHAPES.items():
        pages = [page.render(scale=DPI / 72).to_pil() for page in pdfium.PdfDocument(render([letter(language, *shape)], TZ))]
        rows.append((name, pages))
    width, height = rows[0][1][0].size
    columns = max(len(pages) for _, pages in rows)
    image = Image.new("RGB", (GAP + columns * (width + GAP), len(rows) * (height + LABEL + GAP) + GAP), (160, 160, 160))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 18)
    for number, (name, pages) in enumerate(rows):
        top = GAP + number * (height + LABEL + GAP)
        draw.text((GAP, top + 6), f"{language}: {name}", fill="black", font=font)
        for column, page in enumerate(pages):
            image.paste(page, (GAP + column * (width + GAP), top + LABEL))
    return image


if __name__ == "__main__":
    for tag in sys.argv[1:] or ["de-x-ls"]:
        sheet(tag).convert("L").save(Path(__file__).with_name(f"{tag}.png"), optimize=True)  # black on white: grey keeps it small
