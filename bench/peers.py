"""The same voucher content in the peer formats the README compares against.

- DCC style: CBOR claims in COSE_Sign1 (ES256), zlib, Base45, "HC1:" (EU Digital COVID Certificate).
- SHC style: JWS compact (ES256) with a raw-DEFLATE JSON payload, "shc:/" numeric QR (SMART Health Cards).
- pretix Sig1 style: protobuf-like fields + Ed25519 signature, base64 (pretix offline tickets).
Only sizes and scanning are compared, so each is built as faithfully as its size depends on.
"""

from __future__ import annotations

import base64
import json
import zlib

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from voucher.token import leb128
from voucher.token.base45 import b45encode
from voucher.token.format import Claims

EC_KEY = ec.generate_private_key(ec.SECP256R1())
ED_KEY = Ed25519PrivateKey.generate()


def _es256(message: bytes) -> bytes:
    r, s = decode_dss_signature(EC_KEY.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _fields(c: Claims) -> dict:
    return {"nam": c.holder_name, "org": c.origin, "dst": c.destination, "fc": c.fare_class, "tr": c.travellers,
            "rt": c.return_trip, "off": c.office, "id": c.voucher_id}


def dcc(c: Claims) -> str:
    payload = cbor2.dumps({1: c.office, 4: int(c.valid_until.timestamp()), 6: int(c.valid_from.timestamp()),
                           -260: {1: _fields(c)}})
    protected = cbor2.dumps({1: -7, 4: bytes.fromhex("a1b2c3d4e5f60708")})
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, _es256(to_sign)]))
    return "HC1:" + b45encode(zlib.compress(cose, 9))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def shc(c: Claims) -> str:
    header = {"zip": "DEF", "alg": "ES256", "kid": _b64url(bytes(32))}
    body = {"iss": "https://jobcenter.example/issuer", "nbf": int(c.valid_from.timestamp()),
            "exp": int(c.valid_until.timestamp()), "vc": {"type": ["https://jobcenter.example#voucher"],
                                                          "credentialSubject": _fields(c)}}
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = deflate.compress(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()) + deflate.flush()
    signing_input = f"{_b64url(json.dumps(header, separators=(',', ':')).encode())}.{_b64url(payload)}"
    jws = f"{signing_input}.{_b64url(_es256(signing_input.encode()))}"
    return "shc:/" + "".join(f"{ord(ch) - 45:02d}" for ch in jws)


def pretix_sig1(c: Claims) -> str:
    def field(number: int, value) -> bytes:
        if isinstance(value, (bool, int)):
            return leb128.encode(number << 3) + leb128.encode(int(value))
        data = value.encode()
        return leb128.encode(number << 3 | 2) + leb128.encode(len(data)) + data

    payload = b"".join(field(i, v) for i, v in enumerate([
        c.voucher_id, int(c.valid_from.timestamp()), int(c.valid_until.timestamp()), c.holder_name, c.origin,
        c.destination, c.fare_class, c.travellers, c.return_trip, c.office], start=1))
    signature = ED_KEY.sign(payload)
    blob = b"\x01" + len(payload).to_bytes(2, "big") + len(signature).to_bytes(2, "big") + payload + signature
    return base64.b64encode(blob).decode()
