"""Sign-in sessions kept on the server, so signing out, a disabled account, the idle timeout and
the absolute lifetime take effect at once on every host, whatever a browser still holds.

The browser's cookie carries a random 256-bit token; the table keeps its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ..store import StaffSession, User

# Recording every page view would write to the database on every request; a minute is precise
# enough for a 30-minute idle timeout.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, now: datetime, idle: timedelta, lifetime: timedelta) -> str:
    """A new token for a fresh sign-in (never the one the browser had before); commits. Sessions
    of this person that ran out are removed on the way."""
    session.execute(delete(StaffSession).where(
        StaffSession.user_id == user.id,
        or_(StaffSession.last_seen_at <= now - idle, StaffSession.created_at <= now - lifetime)))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    session.commit()
    return token


def resume(session: Session, token: str, now: datetime, idle: timedelta, lifetime: timedelta) -> User | None:
    """The person signed in with this token, if the session is alive and the account enabled."""
    row = session.execute(
        select(StaffSession, User).join(User, User.id == StaffSession.user_id)
        .where(StaffSession.token_hash == _hash(token))
    ).one_or_none()
    if row is None:
        return None
    staff_session, user = row
    if user.disabled_at is not None or now - staff_session.last_seen_at >= idle or now - staff_session.created_at >= lifetime:
        session.delete(staff_session)
        session.commit()
        return None
    if now - staff_session.last_seen_at >= TOUCH_EVERY:
        staff_session.last_seen_at = now
        session.commit()
    return user


def close(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))
    session.commit()
