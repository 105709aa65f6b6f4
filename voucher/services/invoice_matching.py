"""What each line of an operator's invoice is, given our journeys and every earlier invoice.

A journey is an accepted redemption; its day is the calendar day in the office's time zone. A
journey is paid at most once, by one line per traveller of its voucher at most: while `matched`
lines hold it, it is paid. What it is owed (all travellers together) is services/fares.py's
`owed_cents`, the lower of the fare table's fare and the voucher's maximum fare; matched lines
of one journey together pay at most that. All amounts are gross (VAT included).

Charges (amount ≥ 0), in file order:
- matched: a journey of that voucher on the billed day (the earliest) with a traveller left to
  bill. A revocation later that day does not matter: a journey is accepted only if it happened
  before the revocation. What a line bills above what is owed is its `excess_cents` (listed in
  over_max_fare) and not payable.
- no_fare: the journey has neither a fare in the table nor a maximum fare ("Kein Tarif:
  prüfen"); it holds the journey but pays nothing until finance sets a fare.
- billed_after_revocation: the voucher's journey that day happened after its revocation, or,
  with no journey that day, the voucher was revoked before the end of the billed day.
- billed_twice: every journey of the voucher that day (or, with none that day, on any day) is
  paid already for every traveller; the entry names the invoice and line that pays it.
- date_mismatch: no journey that day, but unpaid journeys on other days (listed); not paid
  until a person decides.
- billed_not_redeemed: unknown voucher, or no journey at all.
Credit notes (amount < 0) are matched to a paid line of the same voucher and day, of any period:
first one of an earlier invoice (before the charges are matched, so a credit-and-rebill in one
file works), else one of this invoice. A credit of the whole billed amount reverses the line
(`credited`): the journey can be billed again, and the credit takes back what that line made
payable. A smaller one (`credited_partly`) lowers what the line bills; what is payable falls
only where the line's remaining amount is below what it paid. A credit that finds no such line
is `credit_unmatched` and changes nothing payable. A credit that names the invoice it credits
(its `reference`: the operator's invoice number) is matched to that stored invoice's lines alone
(its latest version, services/corrections.latest); a number not stored, or no such line on it,
is `credit_unmatched` with the reason: a credit is never put against another invoice than the
one it names.
Finally, redeemed_not_billed: journeys inside the invoice's period that no invoice pays.
"""

from __future__ import annotations

import heapq
import json
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, and_, any_, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy import column as sql_column
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ..invoice_csv import Line, Lines
from ..spill import Spill
from ..store import Invoice, InvoiceLine, Redemption, Revocation, Voucher
from ..timefmt import format_instant
from . import fares
from .localdays import Period
from .purposes import ACCEPTED, JOURNEY, is_ride

MATCHED = "matched"
NO_FARE = "no_fare"
CREDITED = "credited"
CREDITED_PARTLY = "credited_partly"
REVOKED = "revoked"  # the outcome of a redemption after the voucher's revocation
_CHUNK = 5000  # ids per query (_among)
BUCKET_LINES = 20_000  # lines matched at a time (match())
_SAMPLE = 64  # voucher ids sampled per bucket to draw the buckets' bounds
ROW_BATCH = 256  # rows per pickled batch: merging the buckets holds one batch of each
# Why a line is what it is, as stored (the API's English) and as the staff catalogue words it.
CREDIT_NO_LINE = "no paid line of this voucher and day to credit"
REFERENCE_UNKNOWN = "the invoice it names is not stored (for this operator)"
REFERENCE_NO_LINE = "no paid line of this voucher and day on the invoice it names"
REASONS = {"unknown voucher": "note_unknown_voucher", "no journey recorded": "note_no_journey",
           CREDIT_NO_LINE: "note_credit_unmatched", REFERENCE_UNKNOWN: "note_reference_unknown",
           REFERENCE_NO_LINE: "note_reference_no_line"}


@dataclass(slots=True)
class Paid:
    """A matched line that still pays (part of) its journey; `amount_cents` net of partial credits."""

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


@dataclass(frozen=True, slots=True)
class Owed:
    """What a journey is owed (None: no fare), and the two amounts it is the lower of."""

    cents: int | None
    fare_cents: int | None
    max_fare_cents: int | None


@dataclass
class Ledger:
    """What matching knows: vouchers, revocations, journeys, what each is owed and which lines pay it."""

    tz: ZoneInfo
    travellers: dict[str, int] = field(default_factory=dict)
    revoked_at: dict[str, datetime] = field(default_factory=dict)
    journeys: dict[str, list[Journey]] = field(default_factory=lambda: defaultdict(list))
    owed: dict[int, Owed] = field(default_factory=dict)  # by redemption id
    paid: dict[int, list[Paid]] = field(default_factory=lambda: defaultdict(list))  # by redemption id
    held: set[int] = field(default_factory=set)  # journeys this invoice bills without paying (no fare)
    reversed: set[tuple[int, int]] = field(default_factory=set)  # (invoice, line) reversed by this invoice

    def paid_by_voucher(self, voucher_id: str) -> list[Paid]:
        return [p for lines in self.paid.values() for p in lines if p.voucher_id == voucher_id]

    def has_room(self, journey: Journey) -> bool:
        """Whether a traveller of this journey is left to bill."""
        return journey.id not in self.held and len(self.paid.get(journey.id, ())) < self.travellers[journey.voucher_id]


def match(session: Session, invoice_id: int, lines: Lines, period: tuple[date, date] | None,
          tz: ZoneInfo, corrects: int | None = None, seen: Callable[[dict], object] = lambda row: None,
          references: Mapping[str, int | None] | None = None) -> Matched:
    """One row (as stored in invoice_lines) per line, then one per unbilled journey; `seen` is
    shown each as it is made (to sum it up without reading it back). `corrects`: the stored
    invoice this one corrects, whose lines pay nothing any more; `references`: the stored
    invoice each credit's reference names (None: none stored).

    A voucher's lines only ever meet its own journeys and paid lines, so a large invoice is
    matched a bucket of vouchers at a time (about BUCKET_LINES lines, a range of voucher ids):
    only that bucket's journeys are held, its queries read one stretch of each index, and its
    rows go to a Spill, in file order."""
    members = _buckets(lines)
    buckets, billed, reversed_ = [], array("q"), set()

    def load(member: array) -> tuple[list[Line], Ledger]:
        bucket = list(lines.at(member))
        return bucket, _load(session, {line.voucher_id for line in bucket}, period, tz, corrects)

    # The next bucket is read while this one is matched: the database's work (and the driver's,
    # which lets go of the GIL) overlaps Python's. Matching never touches the session, so the
    # session is only ever used by one thread at a time.
    with ThreadPoolExecutor(1, thread_name_prefix="invoice-load") as loader:
        pending = loader.submit(load, members[0])
        for following in (*members[1:], None):
            bucket, ledger = pending.result()
            if following is not None:
                pending = loader.submit(load, following)
            rows: Spill[dict] = Spill(ROW_BATCH)
            for row in _bucket(ledger, invoice_id, bucket, references or {}):
                seen(row)
                rows.append(row)
            buckets.append(rows)
            billed.extend(journey for journey, paid in ledger.paid.items() if paid)
            billed.extend(ledger.held)
            reversed_ |= ledger.reversed
    unbilled: Spill[dict] = Spill(ROW_BATCH)
    for row in _unbilled(session, array("q", sorted(billed)), reversed_, period, tz, corrects):
        seen(row)
        unbilled.append(row)
    return Matched(buckets, unbilled)


def _buckets(lines: Lines) -> list[array]:
    """The lines' indexes (in file order) by range of voucher ids, about BUCKET_LINES each: the
    ranges' bounds are quantiles of a sample of the ids, so neither the ids nor the lines are
    ever sorted or held whole."""
    count = max(1, -(-len(lines) // BUCKET_LINES))
    members = [array("l") for _ in range(count)]
    if count == 1:
        members[0].extend(range(len(lines)))
        return members
    step = max(1, len(lines) // (count * _SAMPLE))
    sample = sorted(line.voucher_id for line in lines.at(range(0, len(lines), step)))
    bounds = [sample[len(sample) * k // count] for k in range(1, count)]
    for index, voucher_id in enumerate(lines.voucher_ids()):
        members[bisect_right(bounds, voucher_id)].append(index)
    return members


@dataclass
class Matched:
    """The rows of an invoice's lines, bucket by bucket (each in file order: rows() merges
    them), and of the journeys nobody billed."""

    buckets: list[Spill[dict]]
    unbilled: Spill[dict]

    def rows(self, rejected: Iterable[dict] = ()) -> Iterator[dict]:
        """Every row as stored: the lines (with `rejected`, also in file order) by line number, then the unbilled journeys."""
        yield from heapq.merge(*self.buckets, rejected, key=lambda row: row["line"])
        yield from self.unbilled

    def close(self) -> None:
        for spill in (*self.buckets, self.unbilled):
            spill.close()


def _bucket(ledger: Ledger, invoice_id: int, lines: list[Line], references: Mapping[str, int | None]) -> list[dict]:
    """The rows of one bucket's lines, in file order: credits for earlier invoices first (so a
    credit-and-rebill in one file works), then the charges, then credits for this invoice."""
    rows: dict[int, dict] = {}
    credits = [line for line in lines if line.amount_cents < 0]
    for line in credits:
        if line.reference:
            rows[line.line] = _referenced_credit(ledger, line, references.get(line.reference))
            continue
        target = _credit_target(ledger, line, lambda p: p.invoice_id != invoice_id)
        if target is not None:
            rows[line.line] = _credit(ledger, line, target)
    for line in lines:
        if line.amount_cents >= 0:
            rows[line.line] = _charge(ledger, invoice_id, line)
    for line in credits:
        if line.line not in rows:
            target = _credit_target(ledger, line, lambda p: p.invoice_id == invoice_id)
            rows[line.line] = _credit(ledger, line, target) if target else _row(line, "credit_unmatched",
                                                                               reason=CREDIT_NO_LINE)
    return [rows[line.line] for line in lines]


def _charge(ledger: Ledger, invoice_id: int, line: Line) -> dict:
    if line.voucher_id not in ledger.travellers:
        return _row(line, "billed_not_redeemed", reason="unknown voucher")
    journeys = ledger.journeys.get(line.voucher_id, [])
    accepted = [j for j in journeys if j.outcome == ACCEPTED]
    that_day = [j for j in accepted if j.day == line.travel_date]
    open_ = [j for j in that_day if ledger.has_room(j)]
    revoked_at = ledger.revoked_at.get(line.voucher_id)
    if open_:  # an unbilled journey first: a second line that day is another journey before another traveller
        return _pay(ledger, invoice_id, line, next((j for j in open_ if not ledger.paid.get(j.id)), open_[0]))
    after = [j for j in journeys if j.outcome == REVOKED and j.day == line.travel_date]
    if after:
        return _row(line, "billed_after_revocation", revoked_at=format_instant(revoked_at),
                    redeemed_at=format_instant(after[0].redeemed_at), client_id=after[0].client_id)
    if that_day:
        return _twice(ledger, line, that_day[0])
    end_of_day = datetime.combine(line.travel_date + timedelta(days=1), time(0), ledger.tz)
    if revoked_at is not None and revoked_at < end_of_day:
        return _row(line, "billed_after_revocation", revoked_at=format_instant(revoked_at))
    elsewhere = [j for j in accepted if ledger.has_room(j)]
    if elsewhere:
        return _row(line, "date_mismatch", journey_dates=sorted({j.day.isoformat() for j in elsewhere}))
    if accepted:
        return _twice(ledger, line, accepted[0])
    return _row(line, "billed_not_redeemed", reason="no journey recorded")


def _pay(ledger: Ledger, invoice_id: int, line: Line, journey: Journey) -> dict:
    owed = ledger.owed.get(journey.id, Owed(None, None, None))
    detail: dict = {"client_id": journey.client_id, "redeemed_at": format_instant(journey.redeemed_at),
                    "owed_cents": owed.cents, "fare_cents": owed.fare_cents, "max_fare_cents": owed.max_fare_cents}
    if owed.cents is None:
        ledger.held.add(journey.id)
        return stored_row(NO_FARE, line.line, line.voucher_id, line.travel_date, line.amount_cents, detail,
                          redemption_id=journey.id)
    already = sum(p.payable_cents for p in ledger.paid.get(journey.id, ()))
    payable = max(0, min(line.amount_cents, owed.cents - already))
    ledger.paid[journey.id].append(Paid(invoice_id, line.line, line.voucher_id, line.travel_date, line.amount_cents,
                                        payable, journey.id))
    if line.amount_cents > payable:
        detail["excess_cents"] = line.amount_cents - payable
    return stored_row(MATCHED, line.line, line.voucher_id, line.travel_date, line.amount_cents, detail,
                      redemption_id=journey.id, payable_cents=payable)


def _twice(ledger: Ledger, line: Line, journey: Journey) -> dict:
    earlier = ledger.paid[journey.id][0] if ledger.paid.get(journey.id) else None
    if earlier is None:  # held by a line of this invoice without a fare
        return _row(line, "billed_twice", earlier_invoice_id=None, earlier_line=None, client_id=journey.client_id)
    return _row(line, "billed_twice", earlier_invoice_id=earlier.invoice_id, earlier_line=earlier.line,
                client_id=journey.client_id)


def _credit_target(ledger: Ledger, line: Line, where: Callable[[Paid], bool]) -> Paid | None:
    """The paid line a credit is for: the same voucher and day; one of exactly the credited amount
    first, else the first that bills at least as much."""
    candidates = [p for p in ledger.paid_by_voucher(line.voucher_id)
                  if where(p) and p.travel_date == line.travel_date and p.amount_cents >= -line.amount_cents]
    return next((p for p in candidates if p.amount_cents == -line.amount_cents), candidates[0] if candidates else None)


def _referenced_credit(ledger: Ledger, line: Line, invoice_id: int | None) -> dict:
    """A credit that names the invoice it credits: matched to that invoice's lines or to none."""
    target = None if invoice_id is None else _credit_target(ledger, line, lambda p: p.invoice_id == invoice_id)
    if target is not None:
        row = _credit(ledger, line, target)
    else:
        row = _row(line, "credit_unmatched", reason=REFERENCE_UNKNOWN if invoice_id is None else REFERENCE_NO_LINE)
    row["detail"].update(reference=line.reference, reference_invoice_id=invoice_id)
    return row


def _credit(ledger: Ledger, line: Line, target: Paid) -> dict:
    if target.amount_cents == -line.amount_cents:
        ledger.paid[target.redemption_id].remove(target)
        ledger.reversed.add((target.invoice_id, target.line))
        return stored_row(CREDITED, line.line, line.voucher_id, line.travel_date, line.amount_cents, {},
                          reverses_invoice_id=target.invoice_id, reverses_line=target.line,
                          payable_cents=-target.payable_cents)
    remaining = target.amount_cents + line.amount_cents
    payable = min(remaining, target.payable_cents)
    change = payable - target.payable_cents
    target.amount_cents, target.payable_cents = remaining, payable
    return stored_row(CREDITED_PARTLY, line.line, line.voucher_id, line.travel_date, line.amount_cents,
                      {"credits_invoice_id": target.invoice_id, "credits_line": target.line},
                      redemption_id=target.redemption_id, payable_cents=change)


def _row(line: Line, outcome: str, **detail) -> dict:
    return stored_row(outcome, line.line, line.voucher_id, line.travel_date, line.amount_cents, detail)


def stored_row(outcome: str, line: int | None, voucher_id: str | None, travel_date: date | None,
               amount_cents: int | None, detail: dict, **columns) -> dict:
    """A row of invoice_lines as a dict: what is inserted, and what the report is rendered from."""
    return {"line": line, "voucher_id": voucher_id, "travel_date": travel_date, "amount_cents": amount_cents,
            "outcome": outcome, "redemption_id": None, "reverses_invoice_id": None, "reverses_line": None,
            "payable_cents": 0, "detail": detail, **columns}


def _unbilled(session: Session, billed: array, reversed_: set[tuple[int, int]], period: tuple[date, date] | None,
              tz: ZoneInfo, corrects: int | None) -> Iterator[dict]:
    """Journeys in the period that nothing pays, after this invoice (`billed`: the journeys its
    buckets found paid or held, sorted), read _CHUNK at a time: the ids first, then what is
    shown of those still open."""
    if period is None:
        return
    dialect = session.get_bind().dialect.name
    run = session.connection().execute  # Core rows, as in _load
    start = datetime.combine(period[0], time(0), tz)
    end = datetime.combine(period[1] + timedelta(days=1), time(0), tz)
    journeys = run(
        select(Redemption.id).where(is_ride(), Redemption.redeemed_at >= start, Redemption.redeemed_at < end)
        .order_by(Redemption.redeemed_at, Redemption.id).execution_options(yield_per=_CHUNK))
    for chunk in journeys.scalars().partitions():
        open_ids = [j for j in chunk if not _holds(billed, j)]
        if not open_ids:
            continue
        paid_elsewhere = {row.redemption_id for row in run(_paid_lines(corrects).where(
            _among(InvoiceLine.redemption_id, open_ids, dialect))) if (row.invoice_id, row.line) not in reversed_}
        shown = {j.id: j for j in run(
            select(Redemption.id, Redemption.client_id, Redemption.voucher_id, Redemption.redeemed_at, Redemption.location)
            .where(_among(Redemption.id, [j for j in open_ids if j not in paid_elsewhere], dialect)))}
        yield from (stored_row("redeemed_not_billed", None, j.voucher_id, j.redeemed_at.astimezone(tz).date(), None,
                               {"client_id": j.client_id, "redeemed_at": format_instant(j.redeemed_at),
                                "location": j.location}, redemption_id=j.id)
                    for j in (shown[i] for i in open_ids if i in shown))


def _holds(ids: array, wanted: int) -> bool:
    at = bisect_left(ids, wanted)
    return at < len(ids) and ids[at] == wanted


def _load(session: Session, voucher_ids: set[str], period: tuple[date, date] | None, tz: ZoneInfo,
          corrects: int | None) -> Ledger:
    ledger = Ledger(tz)
    run = session.connection().execute  # Core rows: the ORM has nothing to add to these columns
    dialect = session.get_bind().dialect.name
    for chunk in _chunks(sorted(voucher_ids)):
        ledger.travellers.update(run(select(Voucher.id, Voucher.travellers).where(_within(Voucher.id, chunk, dialect))).all())
        ledger.revoked_at.update(run(
            select(Revocation.voucher_id, Revocation.revoked_at).where(_within(Revocation.voucher_id, chunk, dialect))).all())
        for id_, client_id, voucher_id, redeemed_at, location, outcome in run(
                select(Redemption.id, Redemption.client_id, Redemption.voucher_id, Redemption.redeemed_at,
                       Redemption.location, Redemption.outcome)
                .where(_within(Redemption.voucher_id, chunk, dialect), Redemption.outcome.in_((ACCEPTED, REVOKED)),
                       Redemption.purpose == JOURNEY)  # an arrival at the reception is never billed
                .order_by(Redemption.redeemed_at, Redemption.id)).all():
            voucher_id = cast(str, voucher_id)  # it is in the chunk: not None
            ledger.journeys[voucher_id].append(Journey(
                id_, client_id, voucher_id, redeemed_at, location, outcome, redeemed_at.astimezone(tz).date()))
        if period is not None:  # a charge is for a journey inside the period (invoice_csv refuses others)
            owed = fares.journeys(Period(period[0], period[1], tz), dialect, _within(Redemption.voucher_id, chunk, dialect)).subquery()
            for id_, *amounts in run(select(owed.c.id, owed.c.owed_cents, owed.c.fare_cents, owed.c.max_fare_cents)).all():
                ledger.owed[id_] = Owed(*amounts)
        paid = {(p.invoice_id, p.line): Paid(*p) for p in run(_paid_lines(corrects).where(_within(InvoiceLine.voucher_id, chunk, dialect)))}
        for credit in run(select(InvoiceLine.amount_cents, InvoiceLine.payable_cents, InvoiceLine.detail)
                          .where(_within(InvoiceLine.voucher_id, chunk, dialect), InvoiceLine.outcome == CREDITED_PARTLY)):
            target = paid.get((credit.detail["credits_invoice_id"], credit.detail["credits_line"]))
            if target is not None:
                target.amount_cents += credit.amount_cents
                target.payable_cents += credit.payable_cents
        for p in paid.values():
            ledger.paid[p.redemption_id].append(p)
    return ledger


def paying(session: Session, invoice_id: int) -> dict[tuple[str, date], int]:
    """What an invoice's lines still pay, per voucher and day: less what credit notes of later
    invoices reversed or reduced (a correction pays the difference to this)."""
    sums: dict[tuple[str, date], int] = defaultdict(int)
    for p in session.execute(_paid_lines().where(InvoiceLine.invoice_id == invoice_id)):
        sums[(p.voucher_id, p.travel_date)] += p.payable_cents
    for credit in session.execute(select(InvoiceLine.voucher_id, InvoiceLine.travel_date, InvoiceLine.payable_cents,
                                         InvoiceLine.detail).where(InvoiceLine.outcome == CREDITED_PARTLY)):
        if credit.detail.get("credits_invoice_id") == invoice_id:
            sums[(credit.voucher_id, credit.travel_date)] += credit.payable_cents
    return sums


def _paid_lines(corrects: int | None = None):
    """Matched lines that no credit line has reversed, of invoices no correction superseded
    (nor the one being corrected now)."""
    credit = aliased(InvoiceLine)
    return (select(InvoiceLine.invoice_id, InvoiceLine.line, InvoiceLine.voucher_id, InvoiceLine.travel_date,
                   InvoiceLine.amount_cents, InvoiceLine.payable_cents, InvoiceLine.redemption_id)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .outerjoin(credit, and_(credit.reverses_invoice_id == InvoiceLine.invoice_id,
                                    credit.reverses_line == InvoiceLine.line))
            .where(InvoiceLine.outcome == MATCHED, credit.id.is_(None), Invoice.superseded_by.is_(None),
                   Invoice.id != (corrects or 0)))


def _chunks(items: list) -> list[list]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _within(column: QueryableAttribute, values: list[str], dialect: str) -> ColumnElement[bool]:
    """`column IN values` for sorted voucher ids, with their range: the planner then reads that
    stretch of the column's index (PostgreSQL, not knowing how many values the text holds,
    would otherwise read the whole table)."""
    return and_(column.between(values[0], values[-1]), _among(column, values, dialect))


def _among(column: QueryableAttribute, values: list, dialect: str) -> ColumnElement[bool]:
    """`column IN values` (voucher ids or row numbers: no commas), the values passed as one
    text parameter where IN (...) passes one each: for a million invoice lines, the work per
    parameter (SQLAlchemy's, the driver's) took longer than the queries."""
    if dialect == "postgresql":
        return column == any_(sql_cast(func.string_to_array(",".join(map(str, values)), ","), ARRAY(column.type)))
    return column.in_(select(sql_column("value")).select_from(func.json_each(json.dumps(values))))
