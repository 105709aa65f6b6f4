"""Signing keys on disk and the public trust list verifiers rely on.

Key id (kid): the first two bytes of SHA-256 over the raw 32-byte Ed25519 public key, as four
lowercase hex digits. Two bytes keep the QR small; a new key whose kid collides with one already
in the trust list is discarded and drawn again, and a verifier tries every listed key with the
token's kid, so a collision can never make a valid voucher fail.

Layout of the keys folder (VOUCHER_KEYS_DIR):
    trust.json     the public trust list (what GET /api/v1/trust-list serves)
    <kid>.pem      the private key, mode 0600, PKCS#8, encrypted with VOUCHER_KEY_PASSPHRASE;
                   without a passphrase only a development key is made, marked as such in
                   trust.json and on every verdict.

Rotation makes a new key that signs from then on; older keys stay in the trust list until their
not_after, and a key never signs a voucher that ends after its own not_after, so every voucher
verifies for its whole validity. Retiring a key marks its entry `retired_at`: it signs no more
but still verifies; a compromised key is dropped from the trust list altogether, so verifiers
refuse everything it signed (services/retirement.py re-issues what was still usable).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .timefmt import format_instant, parse_instant

KID_BYTES = 2
DEVELOPMENT_MARK = " (DEVELOPMENT KEY - NOT VALID FOR TRAVEL)"


class KeyStoreError(Exception):
    """The keys folder cannot do what was asked; the message says what to do about it."""


class Retired(StrEnum):
    """What KeyStore.retire changed."""

    RETIRED = "retired"
    ALREADY_RETIRED = "already retired"
    DROPPED = "dropped from the trust list"
    ABSENT = "not in the trust list"


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public_bytes(public_key)).digest()[:KID_BYTES].hex()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    public_key: Ed25519PublicKey
    not_before: datetime
    not_after: datetime
    issuer: str
    development: bool = False
    retired_at: datetime | None = None  # signs no more from then on; verifies until not_after

    def in_force(self, moment: datetime) -> bool:
        return self.not_before <= moment <= self.not_after

    def to_json(self) -> dict:
        entry = {
            "kid": self.kid,
            "alg": "Ed25519",
            "public_key": b64url(raw_public_bytes(self.public_key)),
            "not_before": format_instant(self.not_before),
            "not_after": format_instant(self.not_after),
            "issuer": self.issuer,
            "development": self.development,
        }
        if self.retired_at is not None:
            entry["retired_at"] = format_instant(self.retired_at)
        return entry

    @classmethod
    def from_json(cls, entry: dict) -> TrustedKey:
        """Raises ValueError for an entry that is not a well-formed Ed25519 key."""
        try:
            if entry["alg"] != "Ed25519":
                raise ValueError(f"unsupported key algorithm {entry['alg']!r}")
            public_key = Ed25519PublicKey.from_public_bytes(unb64url(entry["public_key"]))
            key = cls(
                kid=entry["kid"],
                public_key=public_key,
                not_before=parse_instant(entry["not_before"]),
                not_after=parse_instant(entry["not_after"]),
                issuer=str(entry.get("issuer", "")),
                development=bool(entry.get("development", False)),
                retired_at=parse_instant(entry["retired_at"]) if entry.get("retired_at") else None,
            )
        except (KeyError, TypeError, UnsupportedAlgorithm) as exc:
            raise ValueError(f"trust list entry is malformed: {exc}") from None
        if key.kid != key_id(public_key):
            raise ValueError(f"trust list entry {key.kid!r} does not match its public key")
        return key


@dataclass(frozen=True)
class TrustList:
    keys: tuple[TrustedKey, ...] = ()

    def candidates(self, kid: str) -> list[TrustedKey]:
        return [k for k in self.keys if k.kid == kid]

    @property
    def has_production_key(self) -> bool:
        return any(not k.development for k in self.keys)

    def test_key(self, kid: str) -> bool:
        """True when `kid` names only development keys and a production key exists: what such a
        key signed is a test, never a ticket (its redemptions are flagged `test_key`, owed 0)."""
        named = self.candidates(kid)
        return bool(named) and all(k.development for k in named) and self.has_production_key

    def published(self) -> TrustList:
        """What verifiers get: once a production key exists, development keys are left out, so
        nothing a development key signed shows as valid on any device. The keys folder keeps
        them, so the server can still tell a test voucher from a forgery."""
        if not self.has_production_key:
            return self
        return TrustList(tuple(k for k in self.keys if not k.development))

    def published_json(self, max_age: timedelta, timezone: str) -> dict:
        """The document verifiers get (GET /trust-list, `voucher keys export-trust`): the keys of
        published(), and the development keys it left out under `development_keys`, never trusted
        for travel but listed so a verifier can say "test key" rather than "forged"."""
        document = self.published().to_json(max_age, timezone)
        left_out = [k.to_json() for k in self.keys if k.development] if self.has_production_key else []
        if left_out:
            document["development_keys"] = left_out
        return document

    def to_json(self, max_age: timedelta | None = None, timezone: str | None = None) -> dict:
        """The document; with `max_age` as published to verifiers, which warn when the copy they
        hold is older than that (docs/FORMAT.md, section 5), and `timezone`, the office's IANA
        zone, in which they show validity whatever their own clock's zone."""
        document: dict = {"keys": [k.to_json() for k in self.keys]}
        if max_age is not None:
            document["max_age_hours"] = int(max_age.total_seconds() // 3600)
        if timezone is not None:
            document["timezone"] = timezone
        return document

    @classmethod
    def from_json(cls, document: dict) -> TrustList:
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError('a trust list is a JSON object with a "keys" array')
        return cls(tuple(TrustedKey.from_json(e) for e in document["keys"]))

    @classmethod
    def load(cls, path: Path) -> TrustList:
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read trust list {path}: {exc}") from None


class KeyStore:
    """The keys folder. Keys are only ever made by an explicit command (init, rotate)."""

    def __init__(self, directory: Path, passphrase: str | None = None):
        self.directory = Path(directory)
        self.passphrase = passphrase or None
        # Signing happens on every issue request: keep what was read until the file changes.
        self._trust: tuple[tuple[int, int], TrustList] | None = None
        self._private: dict[str, Ed25519PrivateKey] = {}

    @property
    def trust_path(self) -> Path:
        return self.directory / "trust.json"

    def trust_list(self) -> TrustList:
        try:
            stat = self.trust_path.stat()
        except FileNotFoundError:
            return TrustList()
        version = (stat.st_mtime_ns, stat.st_size)
        if self._trust is None or self._trust[0] != version:
            try:
                self._trust = (version, TrustList.load(self.trust_path))
            except ValueError as exc:
                raise KeyStoreError(str(exc)) from None
        return self._trust[1]

    def init(self, issuer: str, now: datetime, lifetime: timedelta) -> TrustedKey | None:
        """Make the first key; returns None when a key already exists."""
        if self.trust_list().keys:
            return None
        return self._create(issuer, now, lifetime)

    def rotate(self, issuer: str, now: datetime, lifetime: timedelta) -> TrustedKey:
        return self._create(issuer, now, lifetime)

    def signer(self, now: datetime) -> TrustedKey | None:
        """The key that signs now: the newest in force whose private half is here, unless it is
        retired (then none: signing never falls back to a key that a rotation replaced)."""
        usable = [k for k in self.trust_list().keys if k.in_force(now) and self._private_path(k).exists()]
        newest = max(usable, key=lambda k: k.not_before, default=None)
        return newest if newest is not None and newest.retired_at is None else None

    def signing_key(self, now: datetime) -> tuple[TrustedKey, Ed25519PrivateKey]:
        key = self.signer(now)
        if key is None:
            raise KeyStoreError(
                f"no signing key in force in {self.directory}: run 'voucher keys init' "
                "(or 'voucher keys rotate' when the last key has expired or was retired)"
            )
        return key, self._load_private(key)

    def retire(self, kid: str, now: datetime, drop: bool) -> Retired:
        """Stop the key `kid` signing; with `drop` (a compromise) remove it from the trust list,
        so that nothing it signed verifies any more. Its private key file is left alone."""
        trust = self.trust_list()
        named = [k for k in trust.keys if k.kid == kid]
        if not named:
            return Retired.ABSENT
        if drop:
            self._write_trust(replace(trust, keys=tuple(k for k in trust.keys if k.kid != kid)))
            return Retired.DROPPED
        if all(k.retired_at is not None for k in named):
            return Retired.ALREADY_RETIRED
        moment = now.replace(microsecond=0)
        self._write_trust(replace(trust, keys=tuple(
            replace(k, retired_at=k.retired_at or moment) if k.kid == kid else k for k in trust.keys)))
        return Retired.RETIRED

    def _private_path(self, key: TrustedKey) -> Path:
        return self.directory / f"{key.kid}.pem"

    def _create(self, issuer: str, now: datetime, lifetime: timedelta) -> TrustedKey:
        existing = self.trust_list()
        taken = {k.kid for k in existing.keys}
        private = Ed25519PrivateKey.generate()
        while key_id(private.public_key()) in taken:
            private = Ed25519PrivateKey.generate()
        development = self.passphrase is None
        key = TrustedKey(
            kid=key_id(private.public_key()),
            public_key=private.public_key(),
            not_before=now.replace(microsecond=0),
            not_after=(now + lifetime).replace(microsecond=0),
            issuer=issuer + (DEVELOPMENT_MARK if development else ""),
            development=development,
        )
        encryption = (
            serialization.NoEncryption()
            if self.passphrase is None  # development
            else serialization.BestAvailableEncryption(self.passphrase.encode())
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        # Modes set outright: what mkdir and open ask for passes through the umask, and under
        # umask 000 the folder would be world-writable (anyone could swap trust.json).
        os.chmod(self.directory, 0o700)
        fd = os.open(self._private_path(key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        self._write_trust(replace(existing, keys=existing.keys + (key,)))
        return key

    def _write_trust(self, trust: TrustList) -> None:
        tmp = self.trust_path.with_suffix(".json.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.fchmod(fd, 0o644)  # public material, writable by its owner only, whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(trust.to_json(), indent=2) + "\n")
        os.replace(tmp, self.trust_path)

    def _load_private(self, key: TrustedKey) -> Ed25519PrivateKey:
        if key.kid not in self._private:
            self._private[key.kid] = self._read_private(key)
        return self._private[key.kid]

    def _read_private(self, key: TrustedKey) -> Ed25519PrivateKey:
        data = self._private_path(key).read_bytes()
        encrypted = b"ENCRYPTED" in data.split(b"\n", 1)[0]
        if encrypted and not self.passphrase:
            raise KeyStoreError(
                f"key {key.kid} is encrypted: set VOUCHER_KEY_PASSPHRASE to the passphrase"
            )
        try:
            private = serialization.load_pem_private_key(
                data, password=self.passphrase.encode() if encrypted and self.passphrase else None
            )
        except (ValueError, TypeError):
            raise KeyStoreError(
                f"cannot unlock key {key.kid}: VOUCHER_KEY_PASSPHRASE is wrong"
            ) from None
        if not isinstance(private, Ed25519PrivateKey) or key_id(private.public_key()) != key.kid:
            raise KeyStoreError(f"{self._private_path(key)} does not hold key {key.kid}")
        return private
