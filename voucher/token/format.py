"""The voucher token: what the QR code says, and how a verifier proves it.

Version 1 layout (docs/FORMAT.md is the normative copy; integers are big-endian):

    text      = "JV1:" || Base45(body || signature)
    body      = kid[2] id[8] valid_from[4] duration(varint) flags[1]
                str(holder) str(office) route
    route     = str(zone)                       if flags bit 6 is set
              | str(origin) str(destination)    otherwise
    str(x)    = length[1] || UTF-8(NFC(x)), length in bytes, 1..255
    valid_from = minutes since 1970-01-01T00:00Z
    duration  = minutes, unsigned LEB128, minimal length, at least 1;
                the voucher is valid in [valid_from, valid_from + duration), which must end
                by 9999-12-31T23:59Z
    flags     = bits 0-3 travellers (1..9), bit 4 first class, bit 5 return trip,
                bit 6 zone route, bit 7 reserved (0)
    signature = Ed25519 over ASCII "JV1:" || body   (the prefix separates this use of the key)

A verifier MUST reject trailing bytes, a set reserved bit, travellers outside 1..9, invalid
UTF-8, a non-minimal varint and any key it does not list. Everything a ticket inspector needs is
here and nothing else: no customer number, benefit data, appointment reason or address.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..keys import KID_BYTES, TrustedKey, TrustList, key_id
from ..timefmt import format_instant
from . import codes, leb128
from .base45 import b45decode, b45encode

PREFIX = "JV1:"
SIGNATURE_BYTES = 64
CLOCK_SKEW = timedelta(minutes=5)
"""Device clocks in buses drift; a voucher is accepted this long before and after its window."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
_LAST_MINUTE = (datetime(9999, 12, 31, 23, 59, tzinfo=UTC) - _EPOCH) // _MINUTE
_OTHER_VERSION = re.compile(r"^JV\d+:")
_FIXED = KID_BYTES + codes.ID_BYTES + 4


class Reason(StrEnum):
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class InvalidVoucher(Exception):
    """Every way a scanned text can fail to be a valid voucher, with a reason code.

    `claims` is set once the signature has been checked (expired, not yet valid, revoked), so a
    verifier can still say whose voucher it was."""

    def __init__(self, reason: Reason, detail: str, claims: Claims | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.claims = claims


@dataclass(frozen=True)
class Claims:
    voucher_id: str
    kid: str
    valid_from: datetime
    valid_until: datetime
    holder_name: str
    office: str
    fare_class: int = 2
    travellers: int = 1
    return_trip: bool = False
    zone: str | None = None
    origin: str | None = None
    destination: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["valid_from"] = format_instant(self.valid_from)
        data["valid_until"] = format_instant(self.valid_until)
        data["short_code"] = codes.short_code(self.voucher_id)
        return data


@dataclass(frozen=True)
class Verified:
    claims: Claims
    key: TrustedKey


def encode(claims: Claims, private_key: Ed25519PrivateKey) -> str:
    """Sign claims into QR text. Raises ValueError for claims the format cannot carry."""
    if _kid_of(private_key) != claims.kid:
        raise ValueError("claims.kid does not name the signing key")
    body = _pack(claims)
    signature = private_key.sign(PREFIX.encode() + body)
    return PREFIX + b45encode(body + signature)


@lru_cache(maxsize=16)
def _kid_of(private_key: Ed25519PrivateKey) -> str:
    """Deriving the public key costs about a tenth of a signature: once per key, not per voucher."""
    return key_id(private_key.public_key())


def parse(text: str) -> tuple[Claims, bytes, bytes]:
    """Claims, signed message and signature of a code, without checking the signature."""
    if not isinstance(text, str):
        raise InvalidVoucher(Reason.MALFORMED, "a voucher code is text")
    text = text.lstrip().rstrip("\r\n\t\v\f")  # a trailing space is a Base45 digit
    if not text.startswith(PREFIX):
        if _OTHER_VERSION.match(text):
            raise InvalidVoucher(Reason.UNSUPPORTED_VERSION, f"format {text.split(':')[0]}")
        raise InvalidVoucher(Reason.MALFORMED, "not a Jobcenter travel voucher code")
    try:
        raw = b45decode(text[len(PREFIX) :])
    except ValueError as exc:
        raise InvalidVoucher(Reason.MALFORMED, str(exc)) from None
    body, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    if len(raw) < SIGNATURE_BYTES + _FIXED:
        raise InvalidVoucher(Reason.MALFORMED, "code is too short (truncated?)")
    return _unpack(body), PREFIX.encode() + body, signature


def verify(
    text: str, trust: TrustList, now: datetime, revoked: Collection[str] = ()
) -> Verified:
    """The verified claims, or InvalidVoucher saying why not. `now` is the moment of travel."""
    claims, message, signature = parse(text)
    candidates = [k for k in trust.candidates(claims.kid) if _in_force(k, now)]
    if not candidates:
        raise InvalidVoucher(Reason.UNKNOWN_KEY, f"key {claims.kid} is not in the trust list")
    key = next((k for k in candidates if _signature_ok(k, message, signature)), None)
    if key is None:
        raise InvalidVoucher(Reason.BAD_SIGNATURE, "signature does not match (forged or damaged)")
    if claims.voucher_id in revoked:
        raise InvalidVoucher(Reason.REVOKED, "voucher was cancelled", claims)
    if now < claims.valid_from - CLOCK_SKEW:
        raise InvalidVoucher(Reason.NOT_YET_VALID, "validity has not started", claims)
    if now >= claims.valid_until + CLOCK_SKEW:
        raise InvalidVoucher(Reason.EXPIRED, "validity has ended", claims)
    return Verified(claims, key)


def _in_force(key: TrustedKey, now: datetime) -> bool:
    return key.not_before - CLOCK_SKEW <= now <= key.not_after + CLOCK_SKEW


def _signature_ok(key: TrustedKey, message: bytes, signature: bytes) -> bool:
    try:
        key.public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _pack(c: Claims) -> bytes:
    if (c.zone is None) == (c.origin is None or c.destination is None):
        raise ValueError("a voucher has a zone or an origin and destination, not both")
    if c.fare_class not in (1, 2) or not 1 <= c.travellers <= 9:
        raise ValueError("fare_class is 1 or 2 and travellers 1..9")
    start = _minutes(c.valid_from)
    duration = _minutes(c.valid_until) - start
    if duration < 1:
        raise ValueError("valid_until must be after valid_from")
    flags = c.travellers | (16 if c.fare_class == 1 else 0) | (32 if c.return_trip else 0)
    route = [c.zone] if c.zone is not None else [c.origin, c.destination]
    flags |= 64 if c.zone is not None else 0
    out = bytearray(bytes.fromhex(c.kid))
    out += codes.id_from_text(c.voucher_id)
    out += start.to_bytes(4, "big")
    out += leb128.encode(duration)
    out.append(flags)
    for text in [c.holder_name, c.office, *route]:
        data = unicodedata.normalize("NFC", text).encode("utf-8")
        if not 1 <= len(data) <= 255:
            raise ValueError(f"text field {text!r} must be 1..255 UTF-8 bytes")
        out.append(len(data))
        out += data
    return bytes(out)


def _unpack(body: bytes) -> Claims:
    reader = _Reader(body)
    kid = reader.take(KID_BYTES).hex()
    voucher_id = codes.id_to_text(reader.take(codes.ID_BYTES))
    start = int.from_bytes(reader.take(4), "big")
    duration = reader.varint()
    flags = reader.take(1)[0]
    travellers = flags & 15
    if flags & 128 or not 1 <= travellers <= 9 or duration < 1:
        raise InvalidVoucher(Reason.MALFORMED, "field out of range")
    holder, office = reader.text(), reader.text()
    zone = origin = destination = None
    if flags & 64:
        zone = reader.text()
    else:
        origin, destination = reader.text(), reader.text()
    if not reader.done():
        raise InvalidVoucher(Reason.MALFORMED, "unexpected bytes after the route")
    if start + duration > _LAST_MINUTE:
        raise InvalidVoucher(Reason.MALFORMED, "validity ends after the year 9999")
    valid_from = _EPOCH + start * _MINUTE
    return Claims(
        voucher_id=voucher_id,
        kid=kid,
        valid_from=valid_from,
        valid_until=valid_from + duration * _MINUTE,
        holder_name=holder,
        office=office,
        fare_class=1 if flags & 16 else 2,
        travellers=travellers,
        return_trip=bool(flags & 32),
        zone=zone,
        origin=origin,
        destination=destination,
    )


def _minutes(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("voucher times must carry a time zone")
    delta = moment - _EPOCH
    if delta % _MINUTE:
        raise ValueError("voucher times are whole minutes")
    minutes = delta // _MINUTE
    if not 0 <= minutes < 2**32:
        raise ValueError("voucher time out of range")
    return minutes


class _Reader:
    """Bounds-checked reads; every overrun is a malformed code, never an IndexError."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise InvalidVoucher(Reason.MALFORMED, "code ends early (truncated?)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def varint(self) -> int:
        value = shift = 0
        for _ in range(5):
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                if byte == 0 and shift > 7:
                    raise InvalidVoucher(Reason.MALFORMED, "non-minimal duration")
                return value
        raise InvalidVoucher(Reason.MALFORMED, "duration too long")

    def text(self) -> str:
        length = self.take(1)[0]
        if length == 0:
            raise InvalidVoucher(Reason.MALFORMED, "empty text field")
        try:
            value = self.take(length).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidVoucher(Reason.MALFORMED, "text is not UTF-8") from None
        if unicodedata.normalize("NFC", value) != value:
            raise InvalidVoucher(Reason.MALFORMED, "text is not in NFC form")
        return value

    def done(self) -> bool:
        return self.pos == len(self.data)
