"""Revoking vouchers and serving the revocation list verifiers sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from .. import metrics
from ..db import insert_rows
from ..store import Counter, Revocation, Voucher
from ..token.format import CLOCK_SKEW
from ..token.revlist import Entry
from . import audit
from .errors import NotFound

COUNTER = "revocations"

REPLACED_BY = "replaced by "  # the reason a re-issue gives, followed by the new voucher's id


def revoke(session: Session, voucher_id: str, reason: str, actor: str, now: datetime) -> Revocation:
    """Revoke once; revoking again returns the first revocation unchanged. Does not commit, so
    a re-issue can revoke the old voucher in the same transaction that creates the new one."""
    # Lock the voucher row, so two cancellations of one voucher at once queue here and the second
    # finds the first's revocation, rather than inserting another (a unique violation: a 500).
    if session.scalar(select(Voucher.id).where(Voucher.id == voucher_id).with_for_update()) is None:
        raise NotFound(f"no voucher with id {voucher_id}")
    existing = session.scalar(select(Revocation).where(Revocation.voucher_id == voucher_id))
    if existing is not None:
        return existing
    (revocation,) = revoke_new(session, {voucher_id: reason}, actor, now)
    return revocation


def revoke_new(session: Session, reasons: dict[str, str], actor: str, now: datetime) -> list[Revocation]:
    """Revoke vouchers that exist and are not revoked yet (the caller checked), with one INSERT
    per table; `reasons` maps voucher id to reason. Does not commit."""
    first = _take_seqs(session, len(reasons)) - len(reasons) + 1
    rows: list[dict[str, Any]] = [{"seq": seq, "voucher_id": voucher_id, "revoked_at": now, "reason": reason, "actor": actor}
            for seq, (voucher_id, reason) in enumerate(reasons.items(), first)]
    insert_rows(session, cast(Table, Revocation.__table__), rows)
    metrics.on_commit(session, metrics.REVOKED, len(rows))
    audit.record_many(session, [
        audit.Event(actor, "revoke", now, row["voucher_id"], _event_detail(row))
        for row in rows])
    return [Revocation(**row) for row in rows]


def _take_seqs(session: Session, count: int) -> int:
    """Reserve `count` sequence numbers and return the last. UPDATE ... RETURNING holds the
    counter's row lock until commit, so sequence numbers become visible in order and a verifier
    syncing 'since N' never skips one."""
    return session.execute(
        update(Counter).where(Counter.name == COUNTER).values(value=Counter.value + count)
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


def _event_detail(row: dict) -> dict:
    """What the audit log keeps of a revocation: its number and the voucher that replaced it,
    never the free-text reason. The chain cannot be edited, and a reason may say why someone
    could not come (health, family): it stays in `revocations.reason`, which retention erases."""
    detail = {"seq": row["seq"]}
    if row["reason"].startswith(REPLACED_BY):
        detail["replaced_by"] = row["reason"].removeprefix(REPLACED_BY)
    return detail
