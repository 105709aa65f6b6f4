"""API clients and their bearer tokens. Only a SHA-256 of each token is stored: tokens are 256
random bits, so a slow password hash would add latency to every request and no security."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import ApiClient

ROLES = ("issuer", "verifier", "finance", "admin")
TOKEN_PREFIX = "jv_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: str, name: str, now: datetime) -> str:
    """A new token, shown once; raises ValueError for an unknown role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiClient(name=name, role=role, token_hash=_hash(token), created_at=now))
    return token


def authenticate(session: Session, token: str) -> ApiClient | None:
    client = session.scalar(select(ApiClient).where(ApiClient.token_hash == _hash(token)))
    return client if client is not None and client.disabled_at is None else None


def allows(client: ApiClient, *roles: str) -> bool:
    return client.role == "admin" or client.role in roles
