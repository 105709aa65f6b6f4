"""The fare table, and what each journey is owed.

A journey (an accepted redemption) is owed the lower of two amounts, where both are known:
- the fare table's price for the voucher's zone, or its route in either direction, and its fare
  class on the journey's local day, times the number of travellers (a fare is per person per
  journey);
- the voucher's `max_fare_cents`: the most the office agreed to pay for that journey, all
  travellers together.
With only one of them known, that one is owed. A journey with neither has no fare (NULL), which
reconciliation counts and flags as `no_fare` and the invoice check shows as "Kein Tarif: prüfen"
(never payable), never as 0 €. This is the one place what a journey is owed is computed:
reconciliation, its CSVs, the invoice check and its page all read it from journeys().

Amounts are gross (VAT included): the fare table holds the prices passengers pay, and German
local transport tickets carry 7 % VAT inside them.

The table is per office. Importing is replace-or-add by (zone or route, fare class, valid_from)
and all or nothing: a price list half applied is worse than the old one, so one bad row leaves
the stored table as it was. Two prices for the same zone or route and class on the same day are
refused, so a journey never has two fares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..schemas import FareRow, error_summary
from ..store import Fare, Redemption, Voucher
from ..tabular import BadLine, dict_rows
from ..token.format import CLOCK_SKEW
from . import audit
from .localdays import Period, local_day
from .purposes import is_ride

COLUMNS = ("zone", "origin", "destination", "fare_class", "price_cents", "valid_from", "valid_to")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def parse_csv(text: str) -> tuple[list[tuple[int, FareRow]], list[RowError]]:
    """Rows with their line numbers, and the rows that are not a fare (with the reason).
    Header `zone,origin,destination,fare_class,price_cents,valid_from,valid_to`, read by the
    reader every upload shares (voucher/tabular.py: `,`, `;` or tab, a `sep=` line)."""
    wanted = (f"the fare table needs a header row with the columns {','.join(COLUMNS)} "
              "(zone or origin and destination; fare_class 2 and an open valid_to when left out)")
    header, records = dict_rows(text, {"price_cents", "valid_from"}, wanted)
    names = set(header)
    if not ({"zone"} <= names or {"origin", "destination"} <= names) or names - set(COLUMNS):
        raise ValueError(wanted)
    rows, errors = [], []
    for line, record in records:
        if isinstance(record, BadLine):
            errors.append(RowError(line, record.en))
            continue
        values = {k: v.strip() for k, v in record.items() if k and isinstance(v, str) and v.strip()}
        if None in record:
            errors.append(RowError(line, "more cells than columns"))
        elif values:
            try:
                rows.append((line, FareRow.model_validate(values)))
            except ValidationError as exc:
                errors.append(RowError(line, error_summary(exc)))
    return rows, errors


def _place(zone: str | None, origin: str | None, destination: str | None) -> tuple:
    """What a price is for, as _key() says it in SQL: a zone, or a route in either direction."""
    return (zone,) if zone is not None else tuple(sorted((origin, destination)))


def _describe(row: FareRow | Fare) -> str:
    where = f"zone {row.zone}" if row.zone is not None else f"{row.origin} – {row.destination}"
    return f"{where}, class {row.fare_class}, {row.valid_from} to {row.valid_to or 'open end'}"


def save(session: Session, office: str, rows: list[tuple[int, FareRow]], actor: str,
         now: datetime) -> tuple[dict[str, int], list[RowError]]:
    """Replace-or-add every row, or none when any is refused (then nothing is written and the
    errors say why, per row). Does not commit."""
    stored = {(_place(f.zone, f.origin, f.destination), f.fare_class, f.valid_from): f
              for f in session.scalars(select(Fare).where(Fare.office == office))}
    table: dict[tuple, tuple[int | None, FareRow | Fare]] = {key: (None, fare) for key, fare in stored.items()}
    errors = []
    for line, row in rows:
        key = (_place(row.zone, row.origin, row.destination), row.fare_class, row.valid_from)
        earlier = table.get(key, (None, None))[0]
        if earlier is not None:
            errors.append(RowError(line, f"the same fare as line {earlier} ({_describe(row)})"))
            continue
        table[key] = (line, row)
    errors += _overlaps(table)
    if errors:
        return {}, sorted(errors, key=lambda e: e.line)
    counts = {"added": 0, "replaced": 0}
    for key, (source, entry) in table.items():
        if source is None:
            continue
        fare = stored.get(key)
        if fare is None:
            fare = Fare(office=office)
            session.add(fare)
        counts["replaced" if fare.id else "added"] += 1
        for name in COLUMNS:
            setattr(fare, name, getattr(entry, name))
    audit.record(session, actor, "fares_import", now, None, office=office, **counts)
    session.flush()
    return counts, []


def _overlaps(table: dict[tuple, tuple[int | None, FareRow | Fare]]) -> list[RowError]:
    """Prices of the same zone or route and class whose days overlap, blamed on a new row."""
    errors = []
    spans = sorted(table.items(), key=lambda item: (repr(item[0][:2]), item[0][2]))
    for (key, (line, row)), (next_key, (next_line, next_row)) in zip(spans, spans[1:], strict=False):
        if key[:2] == next_key[:2] and (row.valid_to is None or row.valid_to >= next_row.valid_from):
            later, earlier = (next_line, next_row), (line, row)
            (blamed, fare), (other, other_fare) = (later, earlier) if next_line is not None else (earlier, later)
            if blamed is not None:
                errors.append(RowError(blamed, f"{_describe(fare)} overlaps "
                                               f"{f'line {other}' if other else 'the stored fare'} ({_describe(other_fare)})"))
    return errors


def listing(session: Session, office: str) -> list[dict]:
    fares = session.scalars(select(Fare).where(Fare.office == office).order_by(  # zones, then routes
        Fare.zone.is_(None), Fare.zone, Fare.origin, Fare.destination, Fare.fare_class, Fare.valid_from))
    return [{name: _json(getattr(f, name)) for name in COLUMNS} for f in fares]


def _json(value):
    return value.isoformat() if isinstance(value, date) else value


# Zones, stops and routes are text without control characters (schemas.Text), so this joins a
# route's two ends unambiguously and never makes a zone's code.
_SEPARATOR = "\x1f"


def _key(place) -> ColumnElement:
    """SQL: what a price is for: the zone, or the route with its ends in a fixed order (A–B and
    B–A are one route). One key, so the fare table is joined by one hashed equality."""
    first = case((place.origin <= place.destination, place.origin), else_=place.destination)
    second = case((place.origin <= place.destination, place.destination), else_=place.origin)
    return func.coalesce(place.zone, first + _SEPARATOR + second)


def journeys(period: Period, dialect: str, *where) -> Select:
    """Accepted redemptions in the period with their voucher, local day and what each is owed
    (columns id, voucher_id, redeemed_at, cost_center, fare_class, day, owed_cents, fare_cents,
    max_fare_cents; owed_cents NULL: no fare; fare_cents: the fare table's, all travellers).

    An accepted journey lies within its voucher's validity (services/redemption.py), so only
    vouchers valid during the period can have one; saying so lets the database read a month's
    vouchers, not all of them. save() refuses overlapping prices, so at most one fare row
    matches a journey."""
    day = local_day(Redemption.redeemed_at, period, dialect)
    rows = (
        select(Redemption.id, Redemption.voucher_id, Redemption.redeemed_at, Voucher.cost_center, Voucher.fare_class,
               Voucher.office, Voucher.travellers, Voucher.max_fare_cents,
               _key(Voucher).label("fare_key"), day.label("day"))
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .where(is_ride(), Redemption.redeemed_at >= period.start,
               Redemption.redeemed_at < period.end, *where,
               Voucher.valid_until > period.start - CLOCK_SKEW, Voucher.valid_from < period.end + CLOCK_SKEW)
        .subquery("journey_days")
    )
    fare, cap = Fare.price_cents * rows.c.travellers, rows.c.max_fare_cents
    owed = case((cap.is_(None), fare), (fare.is_(None), cap), (fare < cap, fare), else_=cap)
    return (select(rows.c.id, rows.c.voucher_id, rows.c.redeemed_at, rows.c.cost_center, rows.c.fare_class, rows.c.day,
                   owed.label("owed_cents"), fare.label("fare_cents"), cap.label("max_fare_cents"))
            .select_from(rows)
            .outerjoin(Fare, and_(Fare.office == rows.c.office, Fare.fare_class == rows.c.fare_class,
                                  _key(Fare) == rows.c.fare_key, Fare.valid_from <= rows.c.day,
                                  or_(Fare.valid_to.is_(None), Fare.valid_to >= rows.c.day))))
