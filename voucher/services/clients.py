"""API clients and their bearer tokens, with a lifecycle like personal access tokens: a name, a
role, the device it is for, an optional expiry, revocation, and when it was last used.

Only a SHA-256 of each token is stored: tokens are 256 random bits, so a slow password hash would
add latency to every request and no security.

Every request reads the token's row (one lookup by a unique index): a token
revoked on one host is refused by the next request on every worker and host, which no
per-process cache could promise. `last_used_at` is written at most once per TOUCH_EVERY per
token, so a busy device adds one small write a minute, not one per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from ..store import ApiClient
from . import audit
from .errors import NotFound
from .purposes import JOURNEY, checked

ROLES = ("issuer", "verifier", "finance", "admin")
TOKEN_PREFIX = "jv_"
NAME_MAX = 48  # the audit log names a client `ROLE:NAME` in 64 characters
DEVICE_MAX = 64
EXPIRES_MAX_DAYS = 3650
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _label(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value or len(value) > limit or not value.isprintable():
        raise ValueError(f"the {what} must be 1 to {limit} printable characters")
    return value


def create_token(session: Session, role: str, name: str, now: datetime, actor: str = "cli",
                 expires_days: int | None = None, device: str | None = None, purpose: str = JOURNEY) -> str:
    """A new token, shown once (only its hash is kept). ValueError for an unknown role, a name
    or device label that does not fit, an expiry outside 1..EXPIRES_MAX_DAYS days, an unknown
    purpose, or a purpose other than the default for a role that scans nothing."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    checked(purpose)
    if purpose != JOURNEY and role != "verifier":
        raise ValueError(f"a purpose is for verifier devices only, not for role {role}")
    name = _label(name, "token name", NAME_MAX)
    device = _label(device, "device name", DEVICE_MAX) if device else None
    if expires_days is not None and not 1 <= expires_days <= EXPIRES_MAX_DAYS:
        raise ValueError(f"the expiry must be 1 to {EXPIRES_MAX_DAYS} days")
    expires_at = now + timedelta(days=expires_days) if expires_days is not None else None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(name=name, role=role, token_hash=_hash(token), created_at=now, device=device,
                       expires_at=expires_at, purpose=purpose)
    session.add(client)
    session.flush()
    audit.record(session, actor, "token_create", now, token_id=client.id, name=name, role=role, purpose=purpose,
                 expires_at=expires_at.isoformat() if expires_at else None)
    return token


def everything(session: Session) -> list[ApiClient]:
    """Every token ever made, newest first (revoked ones stay listed, like GitHub's)."""
    return list(session.scalars(select(ApiClient).order_by(ApiClient.created_at.desc(), ApiClient.id.desc())))


def find(session: Session, name_or_id: str) -> ApiClient:
    """The token with this id, else the one active token with this name; NotFound or ValueError
    (several active tokens share the name: give the id) otherwise."""
    text = name_or_id.strip()
    if text.isdigit() and len(text) < 10 and (client := session.get(ApiClient, int(text))) is not None:
        return client
    named = list(session.scalars(select(ApiClient).where(
        ApiClient.name == text[:NAME_MAX], ApiClient.disabled_at.is_(None)).order_by(ApiClient.id)))
    if not named:
        raise NotFound(f"no active token with the id or name {text[:NAME_MAX]!r}")
    if len(named) > 1:
        raise ValueError(f"{len(named)} active tokens are named {text!r}: give the id ({', '.join(str(c.id) for c in named)})")
    return named[0]


def revoke(session: Session, client: ApiClient, actor: str, now: datetime) -> bool:
    """Refused from the next request on; False when it was revoked already (nothing changes)."""
    if client.disabled_at is not None:
        return False
    client.disabled_at = now
    audit.record(session, actor, "token_revoke", now, token_id=client.id, name=client.name, role=client.role)
    return True


def state(client: ApiClient, now: datetime) -> str:
    """`active`, `revoked` or `expired`: what a request with the token gets."""
    if client.disabled_at is not None:
        return "revoked"
    return "expired" if _expired(client.expires_at, now) else "active"


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now


@dataclass(frozen=True)
class Caller:
    """Who is calling: enough to check roles and to name them in the audit log."""

    id: int
    name: str
    role: str
    purpose: str = JOURNEY  # what a verifier device's scans mean (services/purposes.py)
    device: str | None = None
    last_used_at: datetime | None = None


# Made once, so SQLAlchemy keeps its cache key on the object instead of working it out per request.
_LOOKUP = select(ApiClient.id, ApiClient.name, ApiClient.role, ApiClient.purpose, ApiClient.device, ApiClient.disabled_at,
                 ApiClient.expires_at, ApiClient.last_used_at).where(ApiClient.token_hash == bindparam("token_hash"))


def authenticate(session: Session, token: str, now: datetime) -> Caller | None:
    """The caller, or None for an unknown, revoked or expired token. The lookup runs in the
    request's transaction: one more statement, no extra BEGIN or COMMIT."""
    row = session.execute(_LOOKUP, {"token_hash": _hash(token)}).one_or_none()
    if row is None or row.disabled_at is not None or _expired(row.expires_at, now):
        return None
    return Caller(row.id, row.name, row.role, row.purpose, row.device, row.last_used_at)


def note_use(session: Session, caller: Caller, now: datetime) -> None:
    """Sets last_used_at when the last note is older than TOUCH_EVERY, and commits: call it before
    the request writes anything of its own."""
    if caller.last_used_at is not None and caller.last_used_at > now - TOUCH_EVERY:
        return
    # The condition makes concurrent workers write it once; a lost race writes nothing.
    session.execute(update(ApiClient).where(
        ApiClient.id == caller.id, or_(ApiClient.last_used_at.is_(None), ApiClient.last_used_at <= now - TOUCH_EVERY),
    ).values(last_used_at=now))
    session.commit()


def learn_device(session: Session, caller: Caller, device: str) -> None:
    """A token made without a device name takes the one its first sync reports (committed at
    once: call it before the request writes anything of its own)."""
    if caller.device is None and device:
        session.execute(update(ApiClient).where(ApiClient.id == caller.id, ApiClient.device.is_(None))
                        .values(device=device[:DEVICE_MAX]))
        session.commit()


def allows(client: Caller, *roles: str) -> bool:
    return client.role == "admin" or client.role in roles
