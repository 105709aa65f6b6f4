"""Anchors: the audit chain's head (its number and hash) kept outside the database, so that a
log cut short (with the counter lowered to match) or a chain recomputed from its first event,
which `audit.verify` alone cannot tell from an intact one, shows against an older anchor.

An anchor is one line, `audit-anchor seq=N hash=H at=ISO`, easy to keep in a log, a ticket, an
external timestamp service or next to a backup; a file of many such lines (a log) is read whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import READ_ONLY
from ..store import AuditEvent, Counter
from ..timefmt import format_instant
from .audit import COUNTER, GENESIS

_LINE = re.compile(r"audit-anchor seq=(\d{1,12}) hash=([0-9a-f]{64})(?: at=(\S+))?")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str = ""

    def line(self) -> str:
        return f"audit-anchor seq={self.seq} hash={self.hash} at={self.at}"


def current(session: Session, now: datetime) -> Anchor:
    """The head as committed now (seq 0 and the genesis hash for an empty log)."""
    if not session.in_transaction():
        session.connection(execution_options=READ_ONLY)
    seq = session.scalar(select(Counter.value).where(Counter.name == COUNTER)) or 0
    digest = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq)) if seq else GENESIS
    return Anchor(seq, digest or GENESIS, format_instant(now))


def parse(text: str) -> list[Anchor]:
    """Every anchor line in `text`; other lines (a log's) are passed over."""
    return [Anchor(int(m[1]), m[2], m[3] or "") for m in _LINE.finditer(text)]


def check(session: Session, anchors: list[Anchor], intact: int) -> str | None:
    """The first anchor the log no longer reaches or no longer matches, in words; None when every
    anchor's event is there, among the `intact` events audit.verify found, with the anchor's hash."""
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq == 0:
            continue
        when = f" (anchored {anchor.at})" if anchor.at else ""
        if anchor.seq > intact:
            return f"truncated: the anchor{when} saw seq {anchor.seq}, the intact log ends at seq {intact}"
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == anchor.seq))
        if stored != anchor.hash:
            return f"rewritten: seq {anchor.seq} has hash {stored}, the anchor{when} says {anchor.hash}"
    return None
