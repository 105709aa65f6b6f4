"""The token itself: operations per second, and QR size against peer formats for one voucher."""

from __future__ import annotations

import statistics
import time

from bench import peers
from tests.test_format import TRUST, TYPICAL
from tests.vectors.make_vectors import KEY, NOW
from voucher import qr
from voucher.token import format as fmt

RUNS = 5
N = 3000


def _rate(action) -> float:
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(N):
            action()
        rates.append(N / (time.perf_counter() - start))
    return statistics.median(rates)


def run() -> list[tuple[str, str]]:
    code = fmt.encode(TYPICAL, KEY)
    body = fmt._pack(TYPICAL)
    rows = [
        ("Token: sign (Ed25519 over a typical body, one process)", f"{_rate(lambda: KEY.sign(body)):,.0f}/s"),
        ("Token: encode (pack + sign + Base45)", f"{_rate(lambda: fmt.encode(TYPICAL, KEY)):,.0f}/s"),
        ("Token: decode (Base45 + parse, no signature check)", f"{_rate(lambda: fmt.parse(code)):,.0f}/s"),
        ("Token: verify (decode + signature + window)", f"{_rate(lambda: fmt.verify(code, TRUST, NOW)):,.0f}/s"),
    ]
    ours = len(code)
    for name, text in (("JV1 (this format)", code), ("EU DCC style: CBOR/COSE ES256/zlib/Base45", peers.dcc(TYPICAL)),
                       ("SMART Health Card style: JWS ES256 + DEFLATE, numeric", peers.shc(TYPICAL)),
                       ("pretix Sig1 style: protobuf-like + Ed25519, base64", peers.pretix_sig1(TYPICAL))):
        rows.append((f"QR size, typical voucher: {name}",
                     f"{len(text)} chars ({len(text) / ours:.2f}× JV1), version {qr.version(text, 'M')} at M, "
                     f"{qr.version(text, 'Q')} at Q"))
    return rows
