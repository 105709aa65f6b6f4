"""The transit operator's invoices for the demo month, written the way German Excel saves a CSV
(Windows-1252, `sep=;`, `;`, euros with a decimal comma and €, dates as 03.11.2026), from the
journeys the demo seeded and what each is owed (services/fares.py).

- The first invoice bills the month's first half, every journey at what it is owed except one
  at 1,40 € too much; the demo uploads it, so the finance page has a past invoice.
- The demo invoice is the month statement up to yesterday: the second half, and corrections to
  the first. It is written to the data folder for a person to upload, and meets every kind of
  the report: matched, over_max_fare, billed_not_redeemed, billed_twice,
  billed_after_revocation, date_mismatch, redeemed_not_billed (journeys left out), a credit note
  with its corrected line, and a refused line (a two-digit year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..money import format_euros
from ..services import fares
from ..services.localdays import Period
from ..store import Redemption, Voucher
from ..token.codes import short_code
from .plan import Plan

OPERATOR = "Musterstadt Verkehrsbetriebe"
HEADER = ("Rechnungsnummer", "Position", "Linie", "Fahrscheinart", "voucher_id", "travel_date", "amount",
          "period_from", "period_to", "Bemerkung")
OPERATOR_PRICE = 310  # what the operator bills for a journey we have no fare for
OVERCHARGE = 140  # the first invoice's mistake, taken back by a credit note in the second
EXCESS = 120  # billed above a voucher's maximum fare


@dataclass(frozen=True)
class Journey:
    voucher_id: str
    at: datetime
    location: str | None
    owed: int | None

    @property
    def billed(self) -> int:
        return self.owed if self.owed is not None else OPERATOR_PRICE


def journeys(session: Session, month: Plan, first: date, last: date) -> list[Journey]:
    """Accepted journeys on those days (the office's), oldest first, with what each is owed."""
    owed = fares.journeys(Period(first, last, month.tz), session.get_bind().dialect.name).subquery()
    rows = session.execute(select(owed.c.voucher_id, owed.c.redeemed_at, Redemption.location, owed.c.owed_cents)
                           .join(Redemption, Redemption.id == owed.c.id).order_by(owed.c.redeemed_at, owed.c.id))
    return [Journey(v, at.astimezone(month.tz), location, cents) for v, at, location, cents in rows]


def _number(last: date, n: int) -> str:
    return f"RE-{last:%Y%m%d}-{n}"


class _Invoice:
    def __init__(self, number: str, first: date, last: date):
        self.number, self.period = number, (f"{first:%d.%m.%Y}", f"{last:%d.%m.%Y}")
        self.rows: list[list[str]] = []

    def add(self, voucher_id: str, day: date | str, cents: int, line: str | None = "", note: str = "") -> int:
        travel_date = day if isinstance(day, str) else f"{day:%d.%m.%Y}"
        self.rows.append([self.number, str(len(self.rows) + 1), line or "", "Einzelfahrt", short_code(voucher_id),
                          travel_date, format_euros(cents, "de_DE"), *self.period, note])
        return len(self.rows)

    def bytes(self) -> bytes:
        text = "sep=;\r\n" + "".join(";".join(row) + "\r\n" for row in [list(HEADER), *self.rows])
        return text.encode("cp1252")


def first_invoice(session: Session, month: Plan) -> tuple[bytes, Journey, int]:
    """The first half's invoice, the journey it overcharges and that journey's position."""
    last = month.second_half - timedelta(days=1)
    invoice = _Invoice(_number(last, 1), month.first_day, last)
    billed = journeys(session, month, month.first_day, last)
    overcharged = next(j for j in billed if j.owed is not None)
    position = 0
    for journey in billed:
        extra = OVERCHARGE if journey is overcharged else 0
        at = invoice.add(journey.voucher_id, journey.at.date(), journey.billed + extra, journey.location)
        position = at if journey is overcharged else position
    return invoice.bytes(), overcharged, position


def demo_invoice(session: Session, month: Plan, ids: dict[int, str]) -> bytes:
    """The month statement up to yesterday (see the module's docstring)."""
    yesterday = month.today - timedelta(days=1)
    _, overcharged, position = first_invoice(session, month)
    first_number = _number(month.second_half - timedelta(days=1), 1)
    invoice = _Invoice(_number(yesterday, 2), month.first_day, yesterday)
    special = {ids[n] for n in month.special.values()}
    second = journeys(session, month, month.second_half, yesterday)
    plain = [j for j in second if j.voucher_id not in special and j.owed is not None]
    counts: dict[str, int] = {}
    for j in second:
        counts[j.voucher_id] = counts.get(j.voucher_id, 0) + 1
    # One journey each, on vouchers of their own: billed a day late (its voucher has no other
    # journey), billed above the maximum fare, two left out, one written with a two-digit year.
    late = next(j for j in plain if counts[j.voucher_id] == 1 and j.at.date() < yesterday)
    capped = set(session.scalars(select(Voucher.id).where(Voucher.id.in_({j.voucher_id for j in plain}),
                                                          Voucher.max_fare_cents.is_not(None))))
    over = next(j for j in plain if j is not late and j.voucher_id in capped)
    rest = [j for j in plain if j.voucher_id not in {late.voucher_id, over.voucher_id}]
    left_out, typo = rest[2:4], rest[5]
    for journey in second:
        if journey in left_out:
            continue
        day = journey.at.date() + timedelta(days=1 if journey is late else 0)
        invoice.add(journey.voucher_id, day, journey.billed + (EXCESS if journey is over else 0), journey.location)
        if journey is typo:
            invoice.add(journey.voucher_id, f"{day:%d.%m.%y}", journey.billed, journey.location)
    cancelled = month.letters[month.special["after_cancellation"]]
    invoice.add(ids[cancelled.number], cancelled.day, OPERATOR_PRICE, cancelled.route.location)
    unused = month.letters[month.special["unused"]]
    invoice.add(ids[unused.number], unused.day, OPERATOR_PRICE, unused.route.location)
    # Corrections to the first invoice: its overcharge taken back and billed right, and a
    # journey it paid billed again.
    paid_before = next(j for j in journeys(session, month, month.first_day, month.second_half - timedelta(days=1))
                       if j.voucher_id != overcharged.voucher_id)
    day = overcharged.at.date()
    invoice.add(overcharged.voucher_id, day, -(overcharged.billed + OVERCHARGE), overcharged.location,
                f"Gutschrift zu {first_number} Pos. {position}")
    invoice.add(overcharged.voucher_id, day, overcharged.billed, overcharged.location,
                f"Korrektur zu {first_number} Pos. {position}")
    invoice.add(paid_before.voucher_id, paid_before.at.date(), paid_before.billed, paid_before.location, "Nachberechnung")
    return invoice.bytes()

