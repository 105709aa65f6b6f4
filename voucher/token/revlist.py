"""The signed revocation list: a verifier that cached it offline can still prove who made it.

Canonical text signed with Ed25519 (UTF-8, every line ends in \\n):

    JVR1
    kid=<kid>
    since=<since>
    seq=<seq>
    generated_at=<ISO 8601 UTC>
    <seq> <voucher id> <revoked_at>       one line per entry, ascending seq

The JSON document carries the same values plus "signature" (base64url, no padding); a verifier
rebuilds the text from the JSON fields and checks the signature with the key named by "kid".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..keys import TrustList, b64url, key_id, unb64url
from ..timefmt import format_instant
from . import codes, leb128

HEADER = "JVR1"
COMPACT = "ids-delta"


@dataclass(frozen=True)
class Entry:
    voucher_id: str
    seq: int
    revoked_at: datetime


def canonical(document: dict[str, Any]) -> bytes:
    lines = [HEADER, f"kid={document['kid']}", f"since={int(document['since'])}",
             f"seq={int(document['seq'])}", f"generated_at={document['generated_at']}"]
    lines += [f"{int(e['seq'])} {e['id']} {e['revoked_at']}" for e in document["entries"]]
    return ("\n".join(lines) + "\n").encode()


def sign(
    entries: list[Entry], since: int, seq: int, now: datetime, private: Ed25519PrivateKey
) -> dict[str, Any]:
    document = {
        "kid": key_id(private.public_key()),
        "since": since,
        "seq": seq,
        "generated_at": format_instant(now),
        "entries": [
            {"id": e.voucher_id, "seq": e.seq, "revoked_at": format_instant(e.revoked_at)}
            for e in entries
        ],
    }
    document["signature"] = b64url(private.sign(canonical(document)))
    return document


def _compact_message(document: dict[str, Any], raw: bytes) -> bytes:
    header = (f"JVR1C\nkid={document['kid']}\nsince={int(document['since'])}\nseq={int(document['seq'])}\n"
              f"generated_at={document['generated_at']}\ncount={int(document['count'])}\n")
    return header.encode() + raw


def sign_compact(
    entries: list[Entry], since: int, seq: int, now: datetime, private: Ed25519PrivateKey
) -> dict[str, Any]:
    numbers = sorted(int.from_bytes(codes.id_from_text(e.voucher_id), "big") for e in entries)
    raw = bytearray()
    previous = 0
    for number in numbers:
        raw += leb128.encode(number - previous)
        previous = number
    document = {"format": COMPACT, "kid": key_id(private.public_key()), "since": since, "seq": seq,
                "generated_at": format_instant(now), "count": len(numbers), "ids": b64url(bytes(raw))}
    document["signature"] = b64url(private.sign(_compact_message(document, bytes(raw))))
    return document


def _compact_ids(raw: bytes, count: int) -> set[str]:
    ids, value, shift, number = set(), 0, 0, 0
    for byte in raw:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            number += value
            ids.add(codes.id_to_text(number.to_bytes(codes.ID_BYTES, "big")))
            value = shift = 0
    if shift or len(ids) != count:
        raise ValueError("compact revocation list is malformed")
    return ids


def verified_ids(document: dict[str, Any], trust: TrustList) -> set[str]:
    """The revoked voucher ids of a list (either form) whose signature checks out; ValueError otherwise."""
    try:
        signature = unb64url(document["signature"])
        if document.get("format") == COMPACT:
            raw = unb64url(document["ids"])
            message, ids = _compact_message(document, raw), _compact_ids(raw, int(document["count"]))
        else:
            message, ids = canonical(document), {e["id"] for e in document["entries"]}
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        raise ValueError("revocation list is malformed") from None
    for key in trust.candidates(document["kid"]):
        try:
            key.public_key.verify(signature, message)
        except InvalidSignature:
            continue
        return ids
    raise ValueError("revocation list signature does not match any trusted key")
