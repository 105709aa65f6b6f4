"""What each line of an operator's invoice is, given our journeys and every earlier invoice.

A journey is an accepted redemption; its day is the calendar day in the office's time zone. A
journey is paid at most once: while a `matched` line of any invoice holds it, it is paid.

Charges (amount ≥ 0), in file order:
- matched: an unpaid journey of that voucher on the billed day (the earliest). A revocation
  later that day does not matter: a journey is accepted only if it happened before the
  revocation. Matched lines above the voucher's maximum fare are also listed in over_max_fare;
  the excess is not payable.
- billed_after_revocation: the voucher's journey that day happened after its revocation, or,
  with no journey that day, the voucher was revoked before the end of the billed day.
- billed_twice: every journey of the voucher that day (or, with none that day, on any day) is
  paid already; the entry names the invoice and line that pays it.
- date_mismatch: no journey that day, but unpaid journeys on other days (listed); not paid
  until a person decides.
- billed_not_redeemed: unknown voucher, or no journey at all.
Credit notes (amount < 0) reverse a paid line of the same voucher, day and amount: first one of
an earlier invoice (before the charges are matched, so a credit-and-rebill in one file works),
else one of this invoice. The reversed journey can be billed again, and the credit takes back
what that line made payable (`credited`). A credit that finds no such line is
`credit_unmatched` and changes nothing payable.
Finally, redeemed_not_billed: journeys inside the invoice's period that no invoice pays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from ..invoice_csv import Line
from ..store import InvoiceLine, Redemption, Revocation, Voucher
from ..timefmt import format_instant
from .purposes import ACCEPTED, JOURNEY, is_ride

MATCHED = "matched"
CREDITED = "credited"
REVOKED = "revoked"  # the outcome of a redemption after the voucher's revocation
_CHUNK = 500  # ids per IN (...), well below SQLite's and PostgreSQL's parameter limits


@dataclass(slots=True)
class Paid:
    """A matched line that still pays its journey."""

    invoice_id: int
    line: int
    voucher_id: str
    travel_date: date
    amount_cents: int
    payable_cents: int
    redemption_id: int


@dataclass(slots=True)
class Journey:
    id: int
    client_id: str
    voucher_id: str
    redeemed_at: datetime
    location: str | None
    outcome: str
    day: date


@dataclass
class Ledger:
    """What matching knows: vouchers, revocations, journeys and which journey is paid by what."""

    tz: ZoneInfo
    max_fare: dict[str, int | None] = field(default_factory=dict)
    revoked_at: dict[str, datetime] = field(default_factory=dict)
    journeys: dict[str, list[Journey]] = field(default_factory=lambda: defaultdict(list))
    paid: dict[int, Paid] = field(default_factory=dict)  # by redemption id
    reversed: set[tuple[int, int]] = field(default_factory=set)  # (invoice, line) reversed by this invoice

    def paid_by_voucher(self, voucher_id: str) -> list[Paid]:
        return [p for p in self.paid.values() if p.voucher_id == voucher_id]


def match(session: Session, invoice_id: int, lines: list[Line], period: tuple[date, date] | None,
          tz: ZoneInfo) -> list[dict]:
    """One row (as stored in invoice_lines) per line, then one per unbilled journey."""
    ledger = _load(session, {line.voucher_id for line in lines}, tz)
    rows: dict[int, dict] = {}
    credits = [line for line in lines if line.amount_cents < 0]
    for line in credits:
        target = _credit_target(ledger, line, lambda p: p.invoice_id != invoice_id)
        if target is not None:
            rows[line.line] = _reverse(ledger, line, target)
    for line in lines:
        if line.amount_cents >= 0:
            rows[line.line] = _charge(ledger, invoice_id, line)
    for line in credits:
        if line.line not in rows:
            target = _credit_target(ledger, line, lambda p: p.invoice_id == invoice_id)
            rows[line.line] = _reverse(ledger, line, target) if target else _row(
                line, "credit_unmatched", reason="no paid line of this voucher, day and amount to reverse")
    return [rows[line.line] for line in lines] + _unbilled(session, ledger, period)


def _charge(ledger: Ledger, invoice_id: int, line: Line) -> dict:
    if line.voucher_id not in ledger.max_fare:
        return _row(line, "billed_not_redeemed", reason="unknown voucher")
    journeys = ledger.journeys.get(line.voucher_id, [])
    accepted = [j for j in journeys if j.outcome == ACCEPTED]
    that_day = [j for j in accepted if j.day == line.travel_date]
    unpaid = [j for j in that_day if j.id not in ledger.paid]
    revoked_at = ledger.revoked_at.get(line.voucher_id)
    if unpaid:
        return _pay(ledger, invoice_id, line, unpaid[0])
    after = [j for j in journeys if j.outcome == REVOKED and j.day == line.travel_date]
    if after:
        return _row(line, "billed_after_revocation", revoked_at=format_instant(revoked_at),
                    redeemed_at=format_instant(after[0].redeemed_at), client_id=after[0].client_id)
    if that_day:
        return _twice(ledger, line, that_day[0])
    end_of_day = datetime.combine(line.travel_date + timedelta(days=1), time(0), ledger.tz)
    if revoked_at is not None and revoked_at < end_of_day:
        return _row(line, "billed_after_revocation", revoked_at=format_instant(revoked_at))
    elsewhere = [j for j in accepted if j.id not in ledger.paid]
    if elsewhere:
        return _row(line, "date_mismatch", journey_dates=sorted({j.day.isoformat() for j in elsewhere}))
    if accepted:
        return _twice(ledger, line, accepted[0])
    return _row(line, "billed_not_redeemed", reason="no journey recorded")


def _pay(ledger: Ledger, invoice_id: int, line: Line, journey: Journey) -> dict:
    max_fare = ledger.max_fare[line.voucher_id]
    excess = max(0, line.amount_cents - max_fare) if max_fare is not None else 0
    payable = line.amount_cents - excess
    ledger.paid[journey.id] = Paid(invoice_id, line.line, line.voucher_id, line.travel_date, line.amount_cents,
                                   payable, journey.id)
    detail = {"client_id": journey.client_id, "redeemed_at": format_instant(journey.redeemed_at),
              "max_fare_cents": max_fare}
    if excess:
        detail["excess_cents"] = excess
    return stored_row(MATCHED, line.line, line.voucher_id, line.travel_date, line.amount_cents, detail,
                      redemption_id=journey.id, payable_cents=payable)


def _twice(ledger: Ledger, line: Line, journey: Journey) -> dict:
    earlier = ledger.paid[journey.id]
    return _row(line, "billed_twice", earlier_invoice_id=earlier.invoice_id, earlier_line=earlier.line,
                client_id=journey.client_id)


def _credit_target(ledger: Ledger, line: Line, where) -> Paid | None:
    return next((p for p in ledger.paid_by_voucher(line.voucher_id)
                 if where(p) and p.travel_date == line.travel_date and p.amount_cents == -line.amount_cents), None)


def _reverse(ledger: Ledger, line: Line, target: Paid) -> dict:
    del ledger.paid[target.redemption_id]
    ledger.reversed.add((target.invoice_id, target.line))
    return stored_row(CREDITED, line.line, line.voucher_id, line.travel_date, line.amount_cents, {},
                      reverses_invoice_id=target.invoice_id, reverses_line=target.line,
                      payable_cents=-target.payable_cents)


def _row(line: Line, outcome: str, **detail) -> dict:
    return stored_row(outcome, line.line, line.voucher_id, line.travel_date, line.amount_cents, detail)


def stored_row(outcome: str, line: int | None, voucher_id: str | None, travel_date: date | None,
               amount_cents: int | None, detail: dict, **columns) -> dict:
    """A row of invoice_lines as a dict: what is inserted, and what the report is rendered from."""
    return {"line": line, "voucher_id": voucher_id, "travel_date": travel_date, "amount_cents": amount_cents,
            "outcome": outcome, "redemption_id": None, "reverses_invoice_id": None, "reverses_line": None,
            "payable_cents": 0, "detail": detail, **columns}


def _unbilled(session: Session, ledger: Ledger, period: tuple[date, date] | None) -> list[dict]:
    """Journeys in the period that nothing pays, after this invoice."""
    if period is None:
        return []
    start = datetime.combine(period[0], time(0), ledger.tz)
    end = datetime.combine(period[1] + timedelta(days=1), time(0), ledger.tz)
    journeys = session.execute(
        select(Redemption.id, Redemption.client_id, Redemption.voucher_id, Redemption.redeemed_at, Redemption.location)
        .where(is_ride(), Redemption.redeemed_at >= start, Redemption.redeemed_at < end)
        .order_by(Redemption.redeemed_at, Redemption.id)).all()
    open_ids = [j.id for j in journeys if j.id not in ledger.paid]
    paid_elsewhere = set()
    for chunk in _chunks(open_ids):
        paid_elsewhere.update(row.redemption_id for row in session.execute(_paid_lines().where(
            InvoiceLine.redemption_id.in_(chunk))) if (row.invoice_id, row.line) not in ledger.reversed)
    return [stored_row("redeemed_not_billed", None, j.voucher_id, j.redeemed_at.astimezone(ledger.tz).date(), None,
                       {"client_id": j.client_id, "redeemed_at": format_instant(j.redeemed_at), "location": j.location},
                       redemption_id=j.id)
            for j in journeys if j.id not in ledger.paid and j.id not in paid_elsewhere]


def _load(session: Session, voucher_ids: set[str], tz: ZoneInfo) -> Ledger:
    ledger = Ledger(tz)
    for chunk in _chunks(sorted(voucher_ids)):
        ledger.max_fare.update(session.execute(select(Voucher.id, Voucher.max_fare_cents).where(Voucher.id.in_(chunk))).all())
        ledger.revoked_at.update(session.execute(
            select(Revocation.voucher_id, Revocation.revoked_at).where(Revocation.voucher_id.in_(chunk))).all())
        for r in session.execute(
                select(Redemption.id, Redemption.client_id, Redemption.voucher_id, Redemption.redeemed_at,
                       Redemption.location, Redemption.outcome)
                .where(Redemption.voucher_id.in_(chunk), Redemption.outcome.in_((ACCEPTED, REVOKED)),
                       Redemption.purpose == JOURNEY)  # an arrival at the reception is never billed
                .order_by(Redemption.redeemed_at, Redemption.id)):
            ledger.journeys[r.voucher_id].append(Journey(*r, day=r.redeemed_at.astimezone(tz).date()))
        for p in session.execute(_paid_lines().where(InvoiceLine.voucher_id.in_(chunk))):
            ledger.paid[p.redemption_id] = Paid(*p)
    return ledger


def _paid_lines():
    """Matched lines that no credit line has reversed."""
    credit = aliased(InvoiceLine)
    return (select(InvoiceLine.invoice_id, InvoiceLine.line, InvoiceLine.voucher_id, InvoiceLine.travel_date,
                   InvoiceLine.amount_cents, InvoiceLine.payable_cents, InvoiceLine.redemption_id)
            .outerjoin(credit, and_(credit.reverses_invoice_id == InvoiceLine.invoice_id,
                                    credit.reverses_line == InvoiceLine.line))
            .where(InvoiceLine.outcome == MATCHED, credit.id.is_(None)))


def _chunks(items: list) -> list[list]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]
