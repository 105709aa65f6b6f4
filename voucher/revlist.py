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

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .keys import TrustList, key_id
from .timefmt import format_instant

HEADER = "JVR1"


@dataclass(frozen=True)
class Entry:
    voucher_id: str
    seq: int
    revoked_at: datetime


def canonical(document: dict) -> bytes:
    lines = [HEADER, f"kid={document['kid']}", f"since={int(document['since'])}",
             f"seq={int(document['seq'])}", f"generated_at={document['generated_at']}"]
    lines += [f"{int(e['seq'])} {e['id']} {e['revoked_at']}" for e in document["entries"]]
    return ("\n".join(lines) + "\n").encode()


def sign(
    entries: list[Entry], since: int, seq: int, now: datetime, private: Ed25519PrivateKey
) -> dict:
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
    signature = private.sign(canonical(document))
    document["signature"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return document


def verified_ids(document: dict, trust: TrustList) -> set[str]:
    """The revoked voucher ids of a list whose signature checks out; ValueError otherwise."""
    try:
        message = canonical(document)
        signature = base64.urlsafe_b64decode(document["signature"] + "==")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ValueError("revocation list is malformed") from None
    for key in trust.candidates(document["kid"]):
        try:
            key.public_key.verify(signature, message)
        except InvalidSignature:
            continue
        return {e["id"] for e in document["entries"]}
    raise ValueError("revocation list signature does not match any trusted key")
