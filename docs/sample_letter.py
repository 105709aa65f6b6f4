"""Render docs/sample-letter.png (German) and docs/sample-letter-ar.png (Arabic, page 1): what a
recipient holds (run: .venv/bin/python docs/sample_letter.py)."""

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voucher.config import Settings
from voucher.keys import key_id
from voucher.letters.render import Letter, render
from voucher.token import format as fmt

KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sample letter").digest())
START = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
claims = fmt.Claims(
    voucher_id="0RV4K8ZQ3M2TA", kid=key_id(KEY.public_key()), valid_from=START,
    valid_until=START + timedelta(days=1), holder_name="Ayşe Yılmaz", office="JC-DEMO",
    origin="Musterstadt Hbf", destination="Jobcenter Nord", return_trip=True,
)


def sample(language: str, holder_name: str, out: str) -> None:
    letter = Letter(
        voucher_id=claims.voucher_id, code=fmt.encode(claims, KEY), holder_name=holder_name,
        address=("Lindenweg 4", "12345 Musterstadt"), valid_from=claims.valid_from,
        valid_until=claims.valid_until, route="Musterstadt Hbf – Jobcenter Nord", zone=False,
        travellers=1, fare_class=2, return_trip=True,
        appointment_at=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        appointment_place="Jobcenter Nord, Raum 2.14", language=language,
        date=datetime(2026, 11, 25, tzinfo=UTC),
    )
    page = pdfium.PdfDocument(render([letter], Settings().timezone))[0]
    page.render(scale=100 / 72).to_pil().save(Path(__file__).with_name(out))


sample("de", claims.holder_name, "sample-letter.png")
sample("ar", claims.holder_name, "sample-letter-ar.png")
