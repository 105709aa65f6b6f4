"""Matching the transit operator's invoice against the redemptions we recorded.

Each billed line (voucher, travel date, amount) is matched to one accepted journey of that
voucher, preferring one on the same day. What cannot be matched says why: the voucher is
unknown or was never used (billed_not_redeemed), it was revoked before the journey date
(billed_after_revocation), or it has more billed lines than journeys (billed_twice). Matched
lines above the voucher's maximum fare are listed again in over_max_fare. Journeys in the
invoice's date range that nobody billed are listed as redeemed_not_billed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..token import codes
from ..store import Redemption, Revocation, Voucher
from ..timefmt import format_instant
from .vouchers import ACCEPTED

LISTS = ("matched", "billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare",
         "redeemed_not_billed")


@dataclass(frozen=True)
class Line:
    line: int
    voucher_id: str
    travel_date: date
    amount_cents: int

    def to_json(self) -> dict:
        return {"line": self.line, "voucher_id": self.voucher_id, "travel_date": self.travel_date.isoformat(),
                "amount_cents": self.amount_cents}


def parse(text: str) -> tuple[list[Line], list[dict]]:
    """Billed lines and the lines rejected (with line number and reason).

    Accepts `voucher_id,travel_date,amount_cents`, or a German export with `;`, dates as
    03.12.2026 and an `amount` column in euros with a decimal comma (4,80)."""
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if header.count(";") > header.count(",") else ",")
    names = [n.strip().lower() for n in reader.fieldnames or []]
    if "voucher_id" not in names or "travel_date" not in names or not {"amount_cents", "amount"} & set(names):
        raise ValueError("the invoice needs a header row: voucher_id,travel_date,amount_cents (or amount in euros)")
    lines, rejected = [], []
    for row in reader:
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        try:
            lines.append(Line(reader.line_num, codes.normalize_id(row["voucher_id"]),
                              _date(row["travel_date"]), _cents(row)))
        except (ValueError, InvalidOperation) as exc:
            rejected.append({"line": reader.line_num, "error": str(exc) or "unreadable value"})
    return lines, rejected


def _date(text: str) -> date:
    if "." in text:
        day, month, year = text.split(".")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


def _cents(row: dict) -> int:
    if row.get("amount_cents"):
        cents = int(row["amount_cents"])
    else:
        cents = int((Decimal(row["amount"].replace(".", "").replace(",", ".")) * 100).to_integral_value())
    if cents < 0:
        raise ValueError("a billed amount cannot be negative")
    return cents


def match(session: Session, lines: list[Line], tz: ZoneInfo) -> dict:
    report: dict[str, list] = {name: [] for name in LISTS}
    ids = {line.voucher_id for line in lines}
    vouchers = {v.id: v for v in session.scalars(select(Voucher).where(Voucher.id.in_(ids)))}
    revoked = dict(session.execute(select(Revocation.voucher_id, Revocation.revoked_at).where(Revocation.voucher_id.in_(ids))).all())
    day = lambda moment: moment.astimezone(tz).date()  # noqa: E731 - local calendar day
    first, last = (min(l.travel_date for l in lines), max(l.travel_date for l in lines)) if lines else (None, None)
    journeys: dict[str, list[Redemption]] = {}
    if lines:
        accepted = session.scalars(select(Redemption).where(Redemption.outcome == ACCEPTED).order_by(Redemption.redeemed_at))
        for r in accepted:
            if r.voucher_id in ids or first <= day(r.redeemed_at) <= last:
                journeys.setdefault(r.voucher_id, []).append(r)
    unbilled = {r.client_id: r for rs in journeys.values() for r in rs}

    for line in sorted(lines, key=lambda l: (l.voucher_id, l.travel_date, l.line)):
        voucher = vouchers.get(line.voucher_id)
        entry = line.to_json()
        if voucher is None:
            report["billed_not_redeemed"].append({**entry, "reason": "unknown voucher"})
            continue
        if line.voucher_id in revoked and day(revoked[line.voucher_id]) <= line.travel_date:
            report["billed_after_revocation"].append({**entry, "revoked_at": format_instant(revoked[line.voucher_id])})
            continue
        open_journeys = [r for r in journeys.get(line.voucher_id, []) if r.client_id in unbilled]
        if not open_journeys:
            kind = "billed_twice" if journeys.get(line.voucher_id) else "billed_not_redeemed"
            report[kind].append({**entry, "reason": "more billed lines than journeys" if kind == "billed_twice" else "no journey recorded"})
            continue
        journey = next((r for r in open_journeys if day(r.redeemed_at) == line.travel_date), open_journeys[0])
        del unbilled[journey.client_id]
        matched = {**entry, "client_id": journey.client_id, "redeemed_at": format_instant(journey.redeemed_at),
                   "max_fare_cents": voucher.max_fare_cents}
        report["matched"].append(matched)
        if voucher.max_fare_cents is not None and line.amount_cents > voucher.max_fare_cents:
            report["over_max_fare"].append({**matched, "excess_cents": line.amount_cents - voucher.max_fare_cents})
    report["redeemed_not_billed"] = [
        {"voucher_id": r.voucher_id, "client_id": r.client_id, "redeemed_at": format_instant(r.redeemed_at),
         "location": r.location} for r in unbilled.values() if first <= day(r.redeemed_at) <= last]
    billed = sum(l.amount_cents for l in lines)
    matched_cents = sum(m["amount_cents"] for m in report["matched"])
    excess = sum(m["excess_cents"] for m in report["over_max_fare"])
    report["totals"] = {
        "lines": len(lines), "billed_cents": billed, "matched_cents": matched_cents,
        "payable_cents": matched_cents - excess, "disputed_cents": billed - matched_cents + excess,
        **{f"{name}_count": len(report[name]) for name in LISTS},
    }
    return report
