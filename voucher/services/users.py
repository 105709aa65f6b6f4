"""People's accounts: names, roles and Argon2id password hashes.

Passwords are hashed with argon2-cffi's PasswordHasher defaults (Argon2id, RFC 9106's
low-memory profile: 64 MiB, 3 passes, 4 lanes). A hash made with older parameters is replaced
at the next successful sign-in, so raising them needs no migration. Checking a name that does
not exist costs the same hash, so timing does not tell which names exist.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import StaffSession, User
from . import audit
from .errors import Conflict, NotFound

ROLES = ("issuer", "finance", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # Argon2 takes any length; this bounds the work one request can ask for
NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,47}")
HASHER = PasswordHasher()


def normalize_name(name: str) -> str:
    """Names compare case-insensitively (a proxy may send "Anna.Schmidt" for "anna.schmidt")."""
    folded = name.strip().lower()
    if not NAME.fullmatch(folded):
        raise ValueError("a user name is 1-48 letters a-z, digits, '.', '_', '@' or '-', starting with a letter or digit")
    return folded


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"the password may have at most {MAX_PASSWORD} characters")


def create(session: Session, name: str, role: str, password: str | None, now: datetime, actor: str = "cli") -> User:
    """A new account; password None makes an account that signs in only through single sign-on.
    Raises ValueError for a bad name, role or password and Conflict for a name already taken."""
    name = normalize_name(name)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    if password is not None:
        check_password(password)
    ensure_free(session, name)
    user = User(name=name, role=role, password_hash=password and HASHER.hash(password), created_at=now)
    session.add(user)
    audit.record(session, actor, "user_create", now, user=name, role=role, sso_only=password is None)
    return user


def ensure_free(session: Session, name: str) -> None:
    """Raises Conflict when an account (enabled or not) already has this name."""
    name = normalize_name(name)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} already exists")


def known(session: Session, name: str) -> bool:
    """Whether an account (enabled or not) has this name."""
    return session.scalar(select(User.id).where(User.name == name)) is not None


def active(session: Session, name: str) -> User | None:
    """The account of that name unless it is disabled (or the name cannot be one)."""
    try:
        name = normalize_name(name)
    except ValueError:
        return None
    return session.scalar(select(User).where(User.name == name, User.disabled_at.is_(None)))


@functools.cache
def _unknown_name_hash() -> str:
    """What an unknown name's password is checked against, so a sign-in takes as long whether
    the name exists or not; made at the first sign-in, not at import, as every CLI command
    imports this module and most never check a password."""
    return HASHER.hash("a name that does not exist")


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The account when the password is right; commits a rehash when the parameters changed."""
    user = active(session, name)
    stored = user.password_hash if user is not None else None
    try:
        HASHER.verify(stored or _unknown_name_hash(), password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None:
        return None
    if HASHER.check_needs_rehash(stored):
        user.password_hash = HASHER.hash(password)
        session.commit()
    return user


def set_password(session: Session, name: str, password: str, now: datetime, actor: str = "cli") -> User:
    """A new password for an account; the browsers it is signed in on stay signed in."""
    check_password(password)
    user = session.scalar(select(User).where(User.name == normalize_name(name)))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    user.password_hash = HASHER.hash(password)
    audit.record(session, actor, "user_password", now, user=user.name)
    return user


def disable(session: Session, name: str, now: datetime, actor: str = "cli") -> User:
    """The account signs in no more, and every browser it is signed in on is signed out."""
    user = session.scalar(select(User).where(User.name == normalize_name(name)))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    if user.disabled_at is None:
        user.disabled_at = now
        audit.record(session, actor, "user_disable", now, user=user.name)
    session.query(StaffSession).filter(StaffSession.user_id == user.id).delete()
    return user


def everyone(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))
