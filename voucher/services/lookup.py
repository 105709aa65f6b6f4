"""Finding vouchers the way a person at the ticket counter asks for them, and what is known
about one: its revocation, its replacement, its journeys and its history from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..names import fold
from ..store import AuditEvent, Redemption, Revocation, Voucher
from ..token import codes, format
from .purposes import RECEPTION, is_attendance, is_ride

LIMIT = 50


def exact_id(text: str) -> str | None:
    """The voucher id in a typed short code or id, or in a scanned QR text (a keyboard-wedge
    scanner types the whole code). The signature is not checked: this only finds the record."""
    if text.startswith(format.PREFIX):
        try:
            return format.parse(text)[0].voucher_id
        except format.InvalidVoucher:
            return None
    try:
        return codes.normalize_id(text)
    except ValueError:
        return None


def find(session: Session, text: str, day: date | None, tz: ZoneInfo) -> list[Voucher]:
    """Vouchers whose short code, id or QR text is `text`, or whose holder's name contains it
    (case and accents ignored), or whose external or customer reference is it; limited to those
    valid on `day` when given. Newest first, at most LIMIT + 1 (one more says there are more)."""
    text = text.strip()
    query = select(Voucher).order_by(Voucher.valid_from.desc(), Voucher.id).limit(LIMIT + 1)
    if text:
        # One name in 32 of 14 letters passes as a short code (check character included): try both.
        voucher_id = exact_id(text)
        query = query.where(or_(Voucher.holder_key.contains(fold(text), autoescape=True),
                                Voucher.external_ref == text, Voucher.customer_ref == text,
                                *([Voucher.id == voucher_id] if voucher_id else [])))
    if day is not None:
        start = datetime.combine(day, time(0), tz)
        query = query.where(Voucher.valid_from < start + timedelta(days=1), Voucher.valid_until > start)
    if not text and day is None:
        return []
    return list(session.scalars(query))


@dataclass(frozen=True)
class Facts:
    voucher: Voucher
    revocation: Revocation | None
    replaced_by: str | None
    journeys: int  # rides: accepted redemptions of journey devices
    flags: tuple[str, ...]  # what redemptions of this voucher were flagged for
    history: list[AuditEvent]
    arrived: datetime | None = None  # the first accepted reception scan (services/purposes.py)
    scans: dict[str, Redemption] | None = None  # by client_id, with the history: when each was made

    @property
    def allowed(self) -> int:
        return 2 if self.voucher.return_trip else 1


def facts(session: Session, voucher: Voucher, with_history: bool = True) -> Facts:
    """What the voucher's page shows; a result list needs no history."""
    revocation = session.scalar(select(Revocation).where(Revocation.voucher_id == voucher.id))
    replaced_by = session.scalar(select(Voucher.id).where(Voucher.replaces == voucher.id))
    journeys = session.execute(select(func.count()).select_from(Redemption).where(
        Redemption.voucher_id == voucher.id, is_ride())).scalar_one()
    flags = sorted({flag for row in session.scalars(select(Redemption.flags).where(Redemption.voucher_id == voucher.id))
                    for flag in row or ()})
    history = list(session.scalars(select(AuditEvent).where(AuditEvent.voucher_id == voucher.id)
                                   .order_by(AuditEvent.at, AuditEvent.id))) if with_history else []
    arrived = session.scalar(select(func.min(Redemption.redeemed_at)).where(
        Redemption.voucher_id == voucher.id, is_attendance()))
    by_client = {r.client_id: r for rows in scans(session, voucher.id).values() for r in rows} if with_history else None
    return Facts(voucher, revocation, replaced_by, journeys, tuple(flags), history, arrived, by_client)


def scans(session: Session, voucher_id: str) -> dict[str, list[Redemption]]:
    """The voucher's scans in the order they were made: `redemptions` by journey devices and
    `attendances` by reception devices (services/purposes.py)."""
    rows = session.scalars(select(Redemption).where(Redemption.voucher_id == voucher_id)
                           .order_by(Redemption.redeemed_at, Redemption.id))
    found: dict[str, list[Redemption]] = {"redemptions": [], "attendances": []}
    for row in rows:
        found["attendances" if row.purpose == RECEPTION else "redemptions"].append(row)
    return found
