"""Revocation list size: bytes for a full sync of 100,000 active revocations and the cost of one
more entry in a delta, in the JSON entries form and the compact form (target: full ≤ 1 MB)."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voucher.token import codes, revlist

ENTRIES = 100_000


def _size(document: dict) -> tuple[int, int]:
    data = json.dumps(document, separators=(",", ":")).encode()
    return len(data), len(gzip.compress(data))


def run() -> list[tuple[str, str]]:
    rng = random.Random(7)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    key = Ed25519PrivateKey.generate()
    entries = [revlist.Entry(codes.id_to_text(rng.randbytes(8)), seq, now - timedelta(minutes=seq))
               for seq in range(1, ENTRIES + 1)]
    rows = []
    for name, sign in (("JSON entries", revlist.sign), ("compact ids-delta", revlist.sign_compact)):
        full, full_gz = _size(sign(entries, 0, ENTRIES, now, key))
        empty, _ = _size(sign([], ENTRIES, ENTRIES, now, key))
        one, _ = _size(sign(entries[-1:], ENTRIES - 1, ENTRIES, now, key))
        rows.append((f"Revocation list, full sync of {ENTRIES:,} revocations, {name}",
                     f"{full / 1e6:.2f} MB ({full_gz / 1e6:.2f} MB gzipped); delta: {empty} B empty, +{one - empty} B per entry"))
    return rows
