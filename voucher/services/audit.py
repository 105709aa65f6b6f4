"""The append-only audit log: who did what to which voucher, and when; chained so that an edited,
deleted or reordered event shows.

Each event gets the next number in one gapless sequence and a hash over its content, its number
and the previous event's hash. Recording is cheap: an event waits in the session and the whole
transaction's events are chained at commit, in one turn of the chain head's lock (a row in
`counters`). Many transactions write events at once (issuing, redemption sync, revocation), so
the lock is what keeps the chain from forking; taking it at commit holds it for the shortest time
and always last, after every other lock the transaction holds, so it cannot deadlock with them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy import JSON, Connection, bindparam, event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from ..db import READ_ONLY, insert_rows
from ..store import AuditEvent, Counter, UTCDateTime

COUNTER = "audit"
GENESIS = "0" * 64  # the "previous hash" of the first event
_PENDING = "audit.pending"


@dataclass
class Event:
    actor: str
    action: str
    at: datetime
    voucher_id: str | None = None
    detail: dict = field(default_factory=dict)


def record(session: Session, actor: str, action: str, at: datetime, voucher_id: str | None = None, **detail) -> None:
    """Log one event with the transaction; it is written (and chained) when the session commits."""
    record_many(session, [Event(actor, action, at, voucher_id, detail)])


def record_many(session: Session, events: Iterable[Event]) -> None:
    """Log many events with the transaction, chained at commit in one acquisition of the lock."""
    session.connection()  # begin the transaction now, so a rollback also forgets these events
    session.info.setdefault(_PENDING, []).extend(events)


def event_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, voucher_id: str | None, detail: dict) -> str:
    """SHA-256 over canonical JSON of the event. Never change it: old events are checked with it."""
    content = {"prev": prev_hash, "seq": seq, "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
               "actor": actor, "action": action, "voucher_id": voucher_id, "detail": detail}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


_EVENTS, _COUNTERS = cast(sa.Table, AuditEvent.__table__), cast(sa.Table, Counter.__table__)
_HEAD = _EVENTS.alias("head")
# Made once, not per commit (SQLAlchemy keeps a statement's cache key on the object).
# UPDATE ... RETURNING holds the head's row lock until commit: one chain, no fork. It also returns
# the head event's hash, unless that event was committed after this statement began (on
# PostgreSQL, a statement that waited for the lock): then a statement of its own sees it.
_ADVANCE = (
    update(_COUNTERS).where(_COUNTERS.c.name == COUNTER).values(value=_COUNTERS.c.value + bindparam("n"))
    .returning(_COUNTERS.c.value,
               select(_HEAD.c.hash).where(_HEAD.c.seq == _COUNTERS.c.value - bindparam("n")).scalar_subquery())
)


@event.listens_for(Session, "before_commit")
def _chain_at_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the transaction's own rows first: their waits and conflicts come before the lock
    connection = session.connection()  # Core statements on the tables: no ORM bookkeeping per commit
    last, prev = connection.execute(_ADVANCE, {"n": len(pending)}).one()
    first = last - len(pending) + 1
    if first == 1:
        prev = GENESIS
    elif prev is None:
        prev = connection.execute(select(_EVENTS.c.hash).where(_EVENTS.c.seq == first - 1)).scalar_one()
    rows = []
    for seq, item in enumerate(pending, first):
        detail = json.loads(json.dumps(item.detail))  # hashed exactly as it will be read back
        digest = event_hash(prev, seq, item.at, item.actor, item.action, item.voucher_id, detail)
        rows.append({"seq": seq, "at": item.at, "actor": item.actor, "action": item.action,
                     "voucher_id": item.voucher_id, "detail": detail, "prev_hash": prev, "hash": digest})
        prev = digest
    insert_rows(session, _EVENTS, rows)


def link_unchained(connection: Connection, seq: int, prev: str) -> int:
    """Chain the events stored without a link (seq empty), in the order they were written, after
    event `seq` whose hash is `prev`; returns the last seq. For migrations: 0006 chains the log
    written before the chain existed, 0010 the events a crash left unlinked while revision 0009
    linked events after their commit."""
    events = sa.table(  # the columns as every revision since 0006 has them, not the model's
        "audit_events", sa.column("id", sa.Integer), sa.column("at", UTCDateTime), sa.column("actor", sa.String),
        sa.column("action", sa.String), sa.column("voucher_id", sa.String), sa.column("detail", JSON),
        sa.column("seq", sa.Integer), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
    )
    link = update(events).where(events.c.id == bindparam("b_id")).values(
        seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
    while rows := connection.execute(
        select(events.c.id, events.c.at, events.c.actor, events.c.action, events.c.voucher_id, events.c.detail)
        .where(events.c.seq.is_(None)).order_by(events.c.id).limit(1000)
    ).all():
        updates = []
        for row in rows:
            seq += 1
            digest = event_hash(prev, seq, row.at, row.actor, row.action, row.voucher_id, row.detail)
            updates.append({"b_id": row.id, "b_seq": seq, "b_prev": prev, "b_hash": digest})
            prev = digest
        connection.execute(link, updates)
    return seq


def link_left_unchained(connection: Connection) -> None:
    """Link, after the chain's head, the events revision 0009's after-commit chaining had not
    linked yet (a crash between a commit and its chaining), so the columns can close again."""
    last, prev = connection.execute(sa.text(
        "SELECT value, (SELECT hash FROM audit_events WHERE seq = counters.value) FROM counters WHERE name = :name"),
        {"name": COUNTER}).one()
    last = link_unchained(connection, last, prev or GENESIS)
    connection.execute(sa.text("UPDATE counters SET value = :value WHERE name = :name"), {"value": last, "name": COUNTER})


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Verdict:
    events: int  # events found intact, from the first on
    head: str  # the hash of the last of them: noted elsewhere, it shows a chain rewritten from there
    broken: str | None  # the first broken link in words, None when the chain holds


def verify(session: Session) -> Verdict:
    """Walk the chain from the first event and stop at the first link that does not hold. The
    head is read first: every event up to it was committed with it, and later ones may be."""
    if not session.in_transaction():
        session.connection(execution_options=READ_ONLY)
    head = session.scalar(select(Counter.value).where(Counter.name == COUNTER)) or 0
    checked, prev, last_id = 0, GENESIS, 0
    for row, following in itertools.pairwise(itertools.chain(_events(session, head), [None])):
        problem = None
        edited = event_hash(row.prev_hash, row.seq, row.at, row.actor, row.action, row.voucher_id, row.detail) != row.hash
        if row.seq != checked + 1:
            gap = f"event {checked + 1}" if row.seq == checked + 2 else f"events {checked + 1}..{row.seq - 1}"
            problem = f"missing: {gap} before it deleted"
        elif (edited or row.prev_hash != prev) and (row.id < last_id or (following and following.id < row.id)):
            # Events are written in chain order, so their ids rise with seq (not hashed: only named here).
            ids = ", ".join(str(i) for i in (last_id, row.id, following and following.id) if i)
            problem = f"reordered: the chain's order is not the order these were written in (ids {ids})"
        elif edited:
            problem = "edited: its content does not match its hash"
        elif row.prev_hash != prev:
            problem = f"broken link: the event before it (seq {row.seq - 1}) was edited and its hash recomputed"
        if problem:
            return Verdict(checked, prev, f"seq {row.seq} (id {row.id}): {problem}")
        checked, prev, last_id = row.seq, row.hash, row.id
    if checked < head:
        return Verdict(checked, prev, f"seq {checked + 1}: missing: the last {head - checked} event(s), up to seq {head}, deleted")
    return Verdict(checked, prev, None)


def _events(session: Session, head: int) -> Iterator:
    return iter(session.execute(
        select(AuditEvent.id, AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
               AuditEvent.voucher_id, AuditEvent.detail, AuditEvent.prev_hash, AuditEvent.hash)
        .where(AuditEvent.seq <= head).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    ))
