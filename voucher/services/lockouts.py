"""Failed sign-ins by password, counted in the database so that every worker and host sees the
same numbers (without Redis, counters in each process let two workers try twice as many).

The rules, within a sliding window (15 minutes by default):
- A name and an address together (the pair) are **locked** after `per_pair` failures: that
  address can no longer sign in with a password under that name, not even with the right one,
  until the window has passed or an administrator unlocks the name (`voucher users unlock`).
  Only the pair: someone who fails on purpose for an admin's name locks their own address out,
  never the admin at their desk.
- One address is locked after `per_address` failures, whatever the names.
- Past `per_pair` failures, a name (from any address) and an address (for any name) are
  **slowed**: each further attempt waits 2, 4, 8 ... seconds after the last failure, at most
  MAX_DELAY. That stops guessing spread over many addresses without making anyone's lockout
  permanent.

Each attempt is written as a row *before* its password is checked (and its row deleted again if
it is refused or right), and the limits count rows including it: two workers checking at the
same moment each see the other's row, so no more than the limit are ever checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from ..store import SignInFailure

MAX_DELAY = timedelta(seconds=60)


@dataclass(frozen=True)
class Policy:
    per_pair: int = 5
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was not checked: "locked" (the pair or the address) or "slowed", and the wait."""

    kind: str
    wait: timedelta


def begin(session: Session, name: str, address: str, now: datetime, policy: Policy) -> Refusal | None:
    """Count an attempt before its password is checked, as a failure until `succeeded` says
    otherwise; a Refusal instead when it may not be checked (then nothing is counted). Commits,
    so that other workers see the attempt at once."""
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - policy.window))
    attempt = SignInFailure(name=name, address=address, failed_at=now)
    session.add(attempt)
    session.commit()
    refusal = _refusal(session, attempt, now, policy)
    if refusal is not None:
        session.delete(attempt)
        session.commit()
    return refusal


def succeeded(session: Session, name: str, address: str) -> None:
    """The right password: the pair's failures are forgotten (a typo or two is not held against
    the next day). Failures from other addresses stay."""
    session.execute(delete(SignInFailure).where(SignInFailure.name == name, SignInFailure.address == address))
    session.commit()


def locked_now(session: Session, name: str, address: str, now: datetime, policy: Policy) -> timedelta | None:
    """After a failure (its row kept): how long the pair or the address is locked from now, None if not."""
    return _locked(session, name, address, now, policy)


def unlock(session: Session, name: str) -> int:
    """An administrator's unlock: every failure counted for the name is forgotten. How many were."""
    # A DML statement's Result is a CursorResult.
    result = cast(CursorResult[Any], session.execute(delete(SignInFailure).where(SignInFailure.name == name)))
    return result.rowcount


def _refusal(session: Session, attempt: SignInFailure, now: datetime, policy: Policy) -> Refusal | None:
    locked = _locked(session, attempt.name, attempt.address, now, policy, excluding=attempt.id)
    if locked is not None:
        return Refusal("locked", locked)
    wait = max(_slowed(session, SignInFailure.address == attempt.address, attempt.id, now, policy),
               _slowed(session, SignInFailure.name == attempt.name, attempt.id, now, policy))
    return Refusal("slowed", wait) if wait > timedelta(0) else None


def _recent(now: datetime, policy: Policy, excluding: int | None):
    query = select(SignInFailure.failed_at).where(SignInFailure.failed_at >= now - policy.window)
    return query if excluding is None else query.where(SignInFailure.id != excluding)


def _locked(session: Session, name: str, address: str, now: datetime, policy: Policy,
            excluding: int | None = None) -> timedelta | None:
    """The wait until the pair and the address are both below their limits again, None if they are."""
    recent = _recent(now, policy, excluding).where(SignInFailure.address == address)
    waits = []
    for query, limit in ((recent.where(SignInFailure.name == name), policy.per_pair), (recent, policy.per_address)):
        times = sorted(session.scalars(query))
        if len(times) >= limit:
            waits.append(times[len(times) - limit] + policy.window - now)
    return max(waits, default=None)


def _slowed(session: Session, which, excluding: int, now: datetime, policy: Policy) -> timedelta:
    """The wait left for a name or an address: none up to per_pair failures, then doubling from
    2 seconds after the last failure, at most MAX_DELAY."""
    recent = _recent(now, policy, excluding).where(which).subquery()
    failures, last = session.execute(select(func.count(), func.max(recent.c.failed_at))).one()
    if failures <= policy.per_pair:
        return timedelta(0)
    delay = min(timedelta(seconds=2 ** min(failures - policy.per_pair, 16)), MAX_DELAY)
    return max(last + delay - now, timedelta(0))
