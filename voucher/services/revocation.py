"""Revoking vouchers and serving the revocation list verifiers sync."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..token.format import CLOCK_SKEW
from ..token.revlist import Entry
from ..store import Counter, Revocation, Voucher
from . import audit
from .errors import NotFound

COUNTER = "revocations"


def revoke(session: Session, voucher_id: str, reason: str, actor: str, now: datetime) -> Revocation:
    """Revoke once; revoking again returns the first revocation unchanged. Does not commit, so
    a re-issue can revoke the old voucher in the same transaction that creates the new one."""
    if session.get(Voucher, voucher_id) is None:
        raise NotFound(f"no voucher with id {voucher_id}")
    existing = session.scalar(select(Revocation).where(Revocation.voucher_id == voucher_id))
    if existing is not None:
        return existing
    revocation = Revocation(
        seq=_next_seq(session), voucher_id=voucher_id, revoked_at=now, reason=reason, actor=actor
    )
    session.add(revocation)
    audit.record(session, actor, "revoke", now, voucher_id, reason=reason, seq=revocation.seq)
    session.flush()
    return revocation


def _next_seq(session: Session) -> int:
    """UPDATE ... RETURNING holds the counter's row lock until commit, so sequence numbers
    become visible in order and a verifier syncing 'since N' never skips one."""
    return session.execute(
        update(Counter).where(Counter.name == COUNTER).values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one()


def current_seq(session: Session) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == COUNTER)) or 0


def entries_between(session: Session, since: int, upto: int, now: datetime) -> list[Entry]:
    """Revocations in (since, upto] of vouchers that could still verify; an expired voucher
    fails on its date anyway, so leaving it out keeps a full sync small. Read `upto` with
    current_seq() first: a number read after the entries could cover one not yet seen."""
    rows = session.execute(
        select(Revocation.voucher_id, Revocation.seq, Revocation.revoked_at)
        .join(Voucher, Voucher.id == Revocation.voucher_id)
        .where(Revocation.seq > since, Revocation.seq <= upto)
        .where(Voucher.valid_until > now - CLOCK_SKEW)
        .order_by(Revocation.seq)
    ).all()
    return [Entry(*row) for row in rows]
