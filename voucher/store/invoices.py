"""Operator invoices as uploaded, and each of their lines with what matching made of it.

Lines are the memory that keeps a journey paid at most once: a `matched` line holds the journey
(redemption) it pays until a `credited` line of a later (or the same) invoice reverses it.
Rows are inserted, never updated; a reversal is a new line pointing at the one it reverses. A
corrected invoice (same number) supersedes the stored one as a whole: its lines stop paying."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class Invoice(Base):
    __tablename__ = "invoices"

    # Numbered from the 'invoices' counter, whose row lock also makes matching one at a time.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    operator: Mapped[str | None] = mapped_column(String(64))
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    period_source: Mapped[str | None] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(16))
    delimiter: Mapped[str] = mapped_column(String(4))
    decimal: Mapped[str | None] = mapped_column(String(8))
    lines: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    totals: Mapped[dict] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The operator's invoice number. An upload with the number of a stored invoice is its
    # correction: it `corrects_id` that one, which is then `superseded_by` it and pays no more.
    number: Mapped[str | None] = mapped_column(String(64), index=True)
    corrects_id: Mapped[int | None] = mapped_column(Integer)
    superseded_by: Mapped[int | None] = mapped_column(Integer)


class InvoiceLine(Base):
    """A line of an invoice file (`line` is its number in the file), or, with `line` empty, a
    journey of the invoice's period that nobody billed (outcome redeemed_not_billed)."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("reverses_invoice_id", "reverses_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    line: Mapped[int | None] = mapped_column(Integer)
    voucher_id: Mapped[str | None] = mapped_column(String(13), index=True)
    travel_date: Mapped[date | None] = mapped_column(Date)
    amount_cents: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"), index=True)
    # A credit note's line names the line it reverses (invoice, line number).
    reverses_invoice_id: Mapped[int | None] = mapped_column(Integer)
    reverses_line: Mapped[int | None] = mapped_column(Integer)
    payable_cents: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON)
