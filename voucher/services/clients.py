"""API clients and their bearer tokens. Only a SHA-256 of each token is stored: tokens are 256
random bits, so a slow password hash would add latency to every request and no security."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import ApiClient
from .purposes import JOURNEY, checked

ROLES = ("issuer", "verifier", "finance", "admin")
TOKEN_PREFIX = "jv_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: str, name: str, now: datetime, purpose: str = JOURNEY) -> str:
    """A new token, shown once; raises ValueError for an unknown role or purpose, or a purpose
    other than the default for a role that scans nothing."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    checked(purpose)
    if purpose != JOURNEY and role != "verifier":
        raise ValueError(f"a purpose is for verifier devices only, not for role {role}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiClient(name=name, role=role, token_hash=_hash(token), created_at=now, purpose=purpose))
    return token


@dataclass(frozen=True)
class Caller:
    """Who is calling: enough to check roles and to name them in the audit log."""

    id: int
    name: str
    role: str
    purpose: str = JOURNEY  # what a verifier device's scans mean (services/purposes.py)


class TokenCache:
    """Remembers recent token lookups for `ttl` seconds, saving a database round trip on
    every request; a disabled token stops working within that time."""

    def __init__(self, ttl: float = 10.0):
        self.ttl = ttl
        self.entries: dict[str, tuple[float, Caller]] = {}

    def get(self, key: str) -> Caller | None:
        hit = self.entries.get(key)
        return hit[1] if hit is not None and hit[0] >= time.monotonic() else None

    def put(self, key: str, caller: Caller) -> None:
        if len(self.entries) > 10_000:
            self.entries.clear()
        self.entries[key] = (time.monotonic() + self.ttl, caller)


def authenticate(session: Session, token: str, cache: TokenCache | None = None) -> Caller | None:
    key = _hash(token)
    if cache is not None and (caller := cache.get(key)) is not None:
        return caller
    client = session.scalar(select(ApiClient).where(ApiClient.token_hash == key))
    if client is None or client.disabled_at is not None:
        return None  # not cached: a token created a moment ago must work at once
    caller = Caller(client.id, client.name, client.role, client.purpose)
    if cache is not None:
        cache.put(key, caller)
    return caller


def allows(client: Caller, *roles: str) -> bool:
    return client.role == "admin" or client.role in roles
