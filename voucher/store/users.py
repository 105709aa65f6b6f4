"""People who sign in to the staff pages, and their open sign-in sessions. Machines keep bearer
tokens (store/clients.py); a person has a name, a role and an Argon2id password hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(48), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # None: the account signs in only through the reverse proxy (single sign-on).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSession(Base):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of this table cannot be replayed. Deleting the row signs the browser out."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignInFailure(Base):
    """One failed (or, while its password is checked, pending) sign-in by password. Counted in
    the database so that every worker and host sees the same numbers (services/lockouts.py);
    rows older than the lockout window are deleted as new ones come."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(48), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
