"""Write vectors.json: fixed-key test vectors for every verifier of the JV1 format.

Run `python tests/vectors/make_vectors.py` after a format change; test_vectors.py checks that the
committed file is exactly what this script makes (Ed25519 signatures are deterministic).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voucher.keys import TrustedKey, TrustList, key_id
from voucher.timefmt import format_instant
from voucher.token import format as fmt
from voucher.token import revlist
from voucher.token.base45 import b45decode, b45encode

HERE = Path(__file__).resolve().parent
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"JV1 test vector key").digest())
OTHER = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"JV1 unknown key").digest())
START = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
NOW = START + timedelta(hours=3)


def trust_list() -> TrustList:
    return TrustList((TrustedKey(
        kid=key_id(KEY.public_key()), public_key=KEY.public_key(),
        not_before=datetime(2026, 1, 1, tzinfo=UTC), not_after=datetime(2028, 1, 1, tzinfo=UTC),
        issuer="Jobcenter Testvektor",
    ),))


def claims(key=KEY, **changes) -> fmt.Claims:
    base = fmt.Claims(
        voucher_id="0RV4K8ZQ3M2TA", kid=key_id(key.public_key()), valid_from=START,
        valid_until=START + timedelta(hours=16), holder_name="Zofia Łukasiewicz-Öztürk",
        office="JC-DEMO", origin="Köln Hbf", destination="Köln-Mülheim Wiener Platz",
        return_trip=True,
    )
    return replace(base, **changes)


def flip_signature(code: str) -> str:
    raw = bytearray(b45decode(code[4:]))
    raw[-1] ^= 1
    return fmt.PREFIX + b45encode(bytes(raw))


def _flip_field(code: str) -> str:
    raw = bytearray(b45decode(code[4:]))
    raw[11] ^= 1  # a byte of the voucher id
    return fmt.PREFIX + b45encode(bytes(raw))


def _far_future() -> str:
    """Correctly signed, but its window would end after the year 9999."""
    packed = fmt._pack(claims())
    assert packed[14:16] == bytes([0xC0, 0x07])  # the 960-minute duration as LEB128
    body = packed[:14] + bytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) + packed[16:]  # 2**32 - 1 minutes
    return fmt.PREFIX + b45encode(body + KEY.sign(fmt.PREFIX.encode() + body))


def vectors() -> list[dict]:
    valid = fmt.encode(claims(), KEY)
    zone = fmt.encode(claims(zone="AB", origin=None, destination=None, travellers=3, fare_class=1,
                             return_trip=False, holder_name="محمد الأحمد"), KEY)
    expected = {"valid": True, "claims": claims().to_json()}
    cases = [
        ("valid", "A valid route voucher", valid, NOW, [], expected),
        ("valid_zone", "A valid zone voucher, three travellers, first class, Arabic name", zone, NOW, [],
         {"valid": True, "claims": fmt.parse(zone)[0].to_json()}),
        ("valid_at_skew_edge", "4 minutes before valid_from is still accepted", valid,
         START - timedelta(minutes=4), [], expected),
        ("tampered_signature", "Last signature bit flipped", flip_signature(valid), NOW, [], "bad_signature"),
        ("tampered_field", "One bit of the voucher id flipped", _flip_field(valid), NOW, [], "bad_signature"),
        ("unknown_key", "Signed by a key not in the trust list", fmt.encode(claims(OTHER), OTHER), NOW, [], "unknown_key"),
        ("expired", "Checked after valid_until plus the clock skew", valid, START + timedelta(hours=17), [], "expired"),
        ("not_yet_valid", "Checked the day before", valid, START - timedelta(days=1), [], "not_yet_valid"),
        ("revoked", "Its id is on the revocation list", valid, NOW, ["0RV4K8ZQ3M2TA"], "revoked"),
        ("malformed_prefix", "Not a voucher", "https://example.org/", NOW, [], "malformed"),
        ("malformed_base45", "Lower-case letters are not Base45", "JV1:abc", NOW, [], "malformed"),
        ("unsupported_version", "A future version", "JV2:" + valid[4:], NOW, [], "unsupported_version"),
        ("truncated", "The last 30 characters lost", valid[:-30], NOW, [], "malformed"),
        ("time_overflow", "Signed, but the window ends after 9999-12-31", _far_future(), NOW, [], "malformed"),
    ]
    out = []
    for name, description, code, now, revoked, expect in cases:
        out.append({
            "name": name, "description": description, "code": code, "now": format_instant(now),
            "revoked": revoked,
            "expect": expect if isinstance(expect, dict) else {"valid": False, "reason": expect},
        })
    return out


def document() -> dict:
    entries = [revlist.Entry("0RV4K8ZQ3M2TA", 1, START), revlist.Entry("7ZZZZZZZZZZZZ", 2, START),
               revlist.Entry("0000000000001", 3, START)]
    return {"format": "JV1", "trust": trust_list().to_json(), "vectors": vectors(),
            "revocation_list": revlist.sign(entries, 0, 3, NOW, KEY),
            "revocation_list_compact": revlist.sign_compact(entries, 0, 3, NOW, KEY)}


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    (HERE / "vectors.json").write_text(render(), encoding="utf-8")
