"""The fare table: what one person's journey costs, per office, zone or route, and fare class,
for a span of days. Used for what is owed when a voucher has no maximum fare of its own. A few
hundred rows at most: reconciliation hashes it whole, so it has no index to probe per journey."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Fare(Base):
    __tablename__ = "fares"
    __table_args__ = (
        CheckConstraint("(zone IS NOT NULL AND origin IS NULL AND destination IS NULL)"
                        " OR (zone IS NULL AND origin IS NOT NULL AND destination IS NOT NULL)",
                        name="ck_fares_zone_or_route"),
        CheckConstraint("price_cents >= 0", name="ck_fares_price"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str] = mapped_column(String(16))
    zone: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(40))
    destination: Mapped[str | None] = mapped_column(String(40))
    fare_class: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    # The last day the price applies (inclusive); open-ended when empty.
    valid_to: Mapped[date | None] = mapped_column(Date)
