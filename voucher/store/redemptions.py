"""Redemptions as verifier devices report them, whatever their outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

# Has a stored flag, or an outcome that is a finding of its own; services/flags.py filters with
# exactly this text, so the database sees it may use the partial index.
FINDINGS = text("(CAST(flags AS TEXT) != '[]' OR outcome IN ('invalid', 'unknown'))")


class Redemption(Base):
    __tablename__ = "redemptions"
    __table_args__ = (
        # A voucher's journeys; reconciliation reads them from the index alone.
        Index("ix_redemptions_voucher_outcome", "voucher_id", "outcome", "purpose", "redeemed_at", "id"),
        # The few redemptions with a finding (services/flags.py), without reading the others.
        Index("ix_redemptions_findings", "redeemed_at", postgresql_where=FINDINGS, sqlite_where=FINDINGS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[str] = mapped_column(String(64))
    voucher_id: Mapped[str | None] = mapped_column(String(13))
    code: Mapped[str | None] = mapped_column(Text)
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(24))
    flags: Mapped[list] = mapped_column(JSON, default=list)
    # The device's purpose when it scanned: a `journey`, or a `reception` scan, which records an
    # attendance and is never a ride (services/purposes.py).
    purpose: Mapped[str] = mapped_column(String(16), server_default=text("'journey'"))
