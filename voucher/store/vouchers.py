"""Vouchers and their revocations. What the QR carries is repeated here together with what only
the office may know (customer reference, appointment, cost centre), which never leaves this
database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..names import fold
from .base import Base, UTCDateTime


def holder_key(name: str) -> str:
    """The name as the ticket counter searches it: folded (voucher/names.py), fitting the column."""
    return fold(name)[:120]


def _holder_key(context) -> str:
    return holder_key(context.get_current_parameters()["holder_name"])


class Voucher(Base):
    __tablename__ = "vouchers"
    # Reconciliation reads what it needs of a period's vouchers from these indexes alone (the
    # columns after the first are carried, not searched), and joins journeys to their vouchers
    # along ix_vouchers_billing in id order: a merge join, no table reads.
    __table_args__ = (
        Index("ix_vouchers_created_at", "created_at", "cost_center"),
        Index("ix_vouchers_valid_until", "valid_until", "cost_center", "id", "valid_from"),
        Index("ix_vouchers_billing", "id", "valid_from", "valid_until", "cost_center", "fare_class", "max_fare_cents",
              "travellers", "office", "zone", "origin", "destination"),
    )

    id: Mapped[str] = mapped_column(String(13), primary_key=True)
    kid: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(Text)
    holder_name: Mapped[str] = mapped_column(String(40))
    # The name folded for searching at the ticket counter (voucher/names.py), filled on insert.
    holder_key: Mapped[str | None] = mapped_column(String(120), default=_holder_key)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    zone: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(40))
    destination: Mapped[str | None] = mapped_column(String(40))
    fare_class: Mapped[int] = mapped_column(Integer)
    travellers: Mapped[int] = mapped_column(Integer)
    return_trip: Mapped[bool] = mapped_column(Boolean)
    office: Mapped[str] = mapped_column(String(16))
    cost_center: Mapped[str] = mapped_column(String(32), index=True)
    max_fare_cents: Mapped[int | None] = mapped_column(Integer)
    customer_ref: Mapped[str | None] = mapped_column(String(64))
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_place: Mapped[str | None] = mapped_column(Text)
    recipient_address: Mapped[list | None] = mapped_column(JSON)
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(35))  # a BCP 47 tag (schemas.LanguageTag)
    replaces: Mapped[str | None] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    # Set by retention: personal data is gone, the figures stay (services/retention.py).
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Revocation(Base):
    __tablename__ = "revocations"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))


class Counter(Base):
    """Named counters whose row lock orders concurrent writers (revocation sequence numbers
    must become visible in the order they were handed out, or a syncing verifier skips one)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
