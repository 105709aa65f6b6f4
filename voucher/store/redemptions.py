"""Redemptions as verifier devices report them, whatever their outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class Redemption(Base):
    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[str] = mapped_column(String(64))
    voucher_id: Mapped[str | None] = mapped_column(String(13), index=True)
    code: Mapped[str | None] = mapped_column(Text)
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(24))
    flags: Mapped[list] = mapped_column(JSON, default=list)
