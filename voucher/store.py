"""Database tables. What the QR carries is repeated here together with what only the office
may know (customer reference, appointment, cost centre), which never leaves this database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Voucher(Base):
    __tablename__ = "vouchers"

    id: Mapped[str] = mapped_column(String(13), primary_key=True)
    kid: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(Text)
    holder_name: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
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
    language: Mapped[str] = mapped_column(String(8))
    replaces: Mapped[str | None] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    # Set by retention: personal data is gone, the figures stay (services/retention.py).
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Revocation(Base):
    __tablename__ = "revocations"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))


class Counter(Base):
    """Named counters whose row lock orders concurrent writers (revocation sequence numbers
    must become visible in the order they were handed out, or a syncing verifier skips one)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


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


class ApiClient(Base):
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    voucher_id: Mapped[str | None] = mapped_column(String(13), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
