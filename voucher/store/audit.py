"""The audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class AuditEvent(Base):
    """Append-only: rows are inserted, never deleted, and updated once, when chained. Tamper-evident:
    `seq` numbers the events without gaps, `hash` covers the event's content, its seq and
    `prev_hash`, the hash of the event before it (voucher/services/audit.py writes the chain and
    checks it). The three are empty for the moments between an event's commit and its chaining."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    voucher_id: Mapped[str | None] = mapped_column(String(13), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    seq: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # The chainer's question, "which events are not linked yet?", without a scan of the log.
        Index("ix_audit_events_unchained", "id", postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL")),
    )
