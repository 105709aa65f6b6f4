"""Reconciliation for finance: what was issued, used, revoked and left unused, what is owed,
and what looks wrong, per cost centre, per day and per fare class.

Days are calendar days in the office's time zone; `redeemed` counts journeys (accepted
redemptions), which is what the transit operator bills. `owed_cents` adds each journey's
maximum fare, the most the office owes for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Redemption, Revocation, Voucher
from ..timefmt import format_instant
from .redemption import ACCEPTED_OFFLINE
from .vouchers import ACCEPTED

# Shown with the redemption, but not a finding of its own (see services/redemption.py).
INFORMATIONAL = {ACCEPTED_OFFLINE}
COLUMNS = ("issued", "redeemed", "revoked", "expired_unused", "flagged", "owed_cents")


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), self.tz)

    def day(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).date().isoformat()


def _redemption_json(r: Redemption) -> dict:
    return {"client_id": r.client_id, "device_id": r.device_id, "redeemed_at": format_instant(r.redeemed_at),
            "location": r.location, "outcome": r.outcome, "flags": list(r.flags or [])}


def reconcile(session: Session, period: Period, now: datetime) -> dict:
    start, end = period.start, period.end
    issued = session.scalars(select(Voucher).where(Voucher.created_at >= start, Voucher.created_at < end)).all()
    redemptions = session.execute(
        select(Redemption, Voucher).outerjoin(Voucher, Voucher.id == Redemption.voucher_id)
        .where(Redemption.redeemed_at >= start, Redemption.redeemed_at < end)
        .order_by(Redemption.redeemed_at)
    ).all()
    revocations = session.execute(
        select(Revocation, Voucher).join(Voucher, Voucher.id == Revocation.voucher_id)
        .where(Revocation.revoked_at >= start, Revocation.revoked_at < end)
    ).all()
    used = select(Redemption.voucher_id).where(Redemption.outcome == ACCEPTED)
    revoked_ids = select(Revocation.voucher_id)
    expired = session.scalars(select(Voucher).where(
        Voucher.valid_until >= start, Voucher.valid_until < min(end, now),
        Voucher.id.not_in(used), Voucher.id.not_in(revoked_ids))).all()

    by_center: dict[str, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_day: dict[str, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_class: dict[int, dict] = defaultdict(lambda: {"redeemed": 0, "owed_cents": 0})

    def add(voucher: Voucher | None, moment: datetime, column: str, amount: int = 1) -> None:
        by_center[voucher.cost_center if voucher else "(unknown voucher)"][column] += amount
        by_day[period.day(moment)][column] += amount

    for v in issued:
        add(v, v.created_at, "issued")
    for revocation, v in revocations:
        add(v, revocation.revoked_at, "revoked")
    for v in expired:
        add(v, v.valid_until, "expired_unused")
    flags: dict[tuple[str, str], dict] = {}
    for r, v in redemptions:
        if r.outcome == ACCEPTED:
            fare = (v.max_fare_cents or 0) if v else 0
            add(v, r.redeemed_at, "redeemed")
            add(v, r.redeemed_at, "owed_cents", fare)
            by_class[v.fare_class]["redeemed"] += 1
            by_class[v.fare_class]["owed_cents"] += fare
        kinds = [k for k in r.flags or () if k not in INFORMATIONAL] or ([r.outcome] if r.outcome in ("invalid", "unknown") else [])
        for kind in kinds:
            key = (r.voucher_id or r.client_id, kind)
            if key not in flags:
                add(v, r.redeemed_at, "flagged")
                flags[key] = {"voucher_id": r.voucher_id, "kind": kind,
                              "cost_center": v.cost_center if v else None, "redemptions": []}
            flags[key]["redemptions"].append(_redemption_json(r))
    for entry in flags.values():  # a double use shows every journey of that voucher, not only the extra one
        if entry["kind"] == "double_use":
            entry["redemptions"] = [_redemption_json(r) for r, _ in redemptions if r.voucher_id == entry["voucher_id"]]

    totals = dict.fromkeys(COLUMNS, 0)
    for row in by_center.values():
        for column in COLUMNS:
            totals[column] += row[column]
    return {
        "from": period.first.isoformat(), "to": period.last.isoformat(),
        "totals": totals,
        "by_cost_center": [{"cost_center": k, **v} for k, v in sorted(by_center.items())],
        "by_day": [{"date": k, **v} for k, v in sorted(by_day.items())],
        "by_fare_class": [{"fare_class": k, **v} for k, v in sorted(by_class.items())],
        "flags": list(flags.values()),
    }
