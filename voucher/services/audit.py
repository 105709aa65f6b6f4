"""The append-only audit log: who did what to which voucher, and when; chained so that an edited,
deleted or reordered event shows.

Each event gets the next number in one gapless sequence and a hash over its content, its number
and the previous event's hash. An event is stored with the transaction that did what it records;
it is chained right after that commits, by `chain`, in a short transaction of its own that holds
the chain head's lock (the `audit` row in `counters`, which keeps the last number and hash).
Chaining inside each writer's transaction would hold that lock through the writer's commit and
its disk flush, so every issuing and sync request in the service would commit one after another;
chained afterwards, writers commit side by side and one chainer links all that arrived meanwhile.
An event is unchained only for the moments between its commit and its chaining.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, bindparam, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

from ..db import READ_ONLY, insert_rows
from ..store import AuditEvent, Counter

COUNTER = "audit"
GENESIS = "0" * 64  # the "previous hash" of the first event
_PENDING = "audit.pending"
_WRITTEN = "audit.written"
CHAIN_CHUNK = 5000
log = logging.getLogger(__name__)


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


@event.listens_for(Session, "before_commit")
def _write_at_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rows = [{"at": item.at, "actor": item.actor, "action": item.action, "voucher_id": item.voucher_id,
             "detail": item.detail} for item in pending]
    insert_rows(session, AuditEvent.__table__, rows)
    session.info[_WRITTEN] = True


@event.listens_for(Session, "after_commit")
def _chain_after_commit(session: Session) -> None:
    if not session.info.pop(_WRITTEN, False):
        return
    bind = session.get_bind()
    try:
        chain(bind.engine if isinstance(bind, Connection) else bind)
    except DBAPIError as exc:
        # The events are stored; the next chainer (any later write, or `voucher audit verify`) links them.
        log.warning("audit events stored but not yet chained: %s", exc.__class__.__name__)


def chain(engine: Engine) -> int:
    """Link every committed event not yet in the chain, in the order they were stored; returns
    how many. One chainer at a time holds the head's row lock; a writer that finds it taken
    leaves its events to that one, which looks for newcomers again after letting go, so no
    request waits for another's chaining and no event is left behind. A crash can undo a link,
    never fork the chain: on PostgreSQL chaining commits without waiting for the disk, and a
    lost link only leaves its events for the next chainer."""
    events = AuditEvent.__table__
    linked = 0
    while True:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            count = link_pending(connection)
        if count is None:
            return linked  # another chainer holds the head; it looks again after letting go
        linked += count
        if count == CHAIN_CHUNK:
            continue
        with engine.connect() as connection:
            left = connection.execution_options(**READ_ONLY).execute(select(events.c.id).where(events.c.seq.is_(None)).limit(1))
            if left.first() is None:
                return linked


def link_pending(connection: Connection) -> int | None:
    """Chain up to CHAIN_CHUNK unchained events in the connection's transaction; None when
    another chainer holds the head."""
    counters, events = Counter.__table__, AuditEvent.__table__
    head = connection.execute(
        select(counters.c.value, counters.c.hash).where(counters.c.name == COUNTER).with_for_update(skip_locked=True)
    ).first()
    if head is None:
        return None
    rows = connection.execute(
        select(events.c.id, events.c.at, events.c.actor, events.c.action, events.c.voucher_id, events.c.detail)
        .where(events.c.seq.is_(None)).order_by(events.c.id).limit(CHAIN_CHUNK)
    ).all()
    if not rows:
        return 0
    seq, prev, updates = head.value, head.hash or GENESIS, []
    for row in rows:
        seq += 1
        digest = event_hash(prev, seq, row.at, row.actor, row.action, row.voucher_id, row.detail)
        updates.append({"b_id": row.id, "b_seq": seq, "b_prev": prev, "b_hash": digest})
        prev = digest
    connection.execute(update(events).where(events.c.id == bindparam("b_id")).values(
        seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")), updates)
    connection.execute(update(counters).where(counters.c.name == COUNTER).values(value=seq, hash=prev))
    return len(rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)


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
