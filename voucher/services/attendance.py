"""Attendance per cost centre: what the office wants to know about the scheme. Of the people
invited in a period (vouchers whose appointment, else whose first valid day, lies in it), how
many arrived (a reception device scanned them, services/purposes.py) and how many travelled (at
least one ride). A voucher cancelled before anyone used it invited nobody; one cancelled after
use still counts."""

from __future__ import annotations

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session

from ..store import Redemption, Revocation, Voucher
from .localdays import Period
from .purposes import is_attendance, is_ride

COLUMNS = ("invited", "arrived", "travelled")


def by_cost_center(session: Session, period: Period) -> list[dict]:
    invited_at = func.coalesce(Voucher.appointment_at, Voucher.valid_from)
    arrived = exists().where(Redemption.voucher_id == Voucher.id, is_attendance())
    travelled = exists().where(Redemption.voucher_id == Voucher.id, is_ride())
    used_or_standing = or_(~exists().where(Revocation.voucher_id == Voucher.id), arrived, travelled)
    rows = session.execute(
        select(Voucher.cost_center, func.count(), func.sum(case((arrived, 1), else_=0)),
               func.sum(case((travelled, 1), else_=0)))
        .where(invited_at >= period.start, invited_at < period.end, used_or_standing)
        .group_by(Voucher.cost_center).order_by(Voucher.cost_center))
    return [{"cost_center": center, "invited": int(invited), "arrived": int(came), "travelled": int(rode)}
            for center, invited, came, rode in rows]
