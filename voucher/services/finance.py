"""Reconciliation for finance: what was issued, used, revoked and left unused, what is owed,
and what looks wrong, per cost centre, per day and per fare class.

Every figure is counted, grouped and rolled up inside the database, in one statement, so a year
of a large office comes back as a few thousand rows, not a few hundred thousand objects. Days are
calendar days in the office's time zone (services/localdays.py).

- `issued`: vouchers created in the period; `revoked`: revocations made in it.
- `redeemed`: journeys (accepted redemptions), which is what the transit operator bills;
  `owed_cents` adds what each is owed (services/fares.py); `no_fare` counts the journeys that have
  no fare at all and so are missing from `owed_cents`.
- `expired_unused`: vouchers neither used nor revoked whose validity ended (beyond the clock skew
  a device may have) before now, on their last valid day: a voucher valid through 3 December
  (valid_until 4 December 00:00, exclusive) counts on 3 December.
- `flagged`: flags (services/flags.py), on the day of their first redemption.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Date, Integer, String, case, cast, exists, func, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from ..store import Redemption, Revocation, UTCDateTime, Voucher
from ..timefmt import format_instant
from ..token import codes
from ..token.format import CLOCK_SKEW
from . import attendance, fares, flags, vouchers
from .errors import NotFound
from .german_csv import Vocabulary, day, phrase, word, words
from .localdays import Period, local_day
from .purposes import is_ride

__all__ = ["COLUMNS", "FLAGS_PAGE", "GERMAN_CSV", "SECTION_WORDS", "Period", "reconcile", "sections", "voucher_detail"]

COLUMNS = ("issued", "redeemed", "revoked", "expired_unused", "flagged", "owed_cents", "no_fare")
JOURNEY_COLUMNS = ("redeemed", "owed_cents", "no_fare")
FLAGS_PAGE = 100
# What finance needs of a voucher: no code, holder, customer reference, address or appointment.
FINANCE_FIELDS = ("id", "short_code", "valid_from", "valid_until", "status", "origin", "destination", "zone",
                  "fare_class", "travellers", "return_trip", "cost_center", "max_fare_cents", "replaces", "created_at")
LAST_INSTANT = -timedelta(seconds=1)  # valid_until is an exclusive end, in whole minutes
# The CSV's sections and columns as the finance page names them (staff catalogue keys).
SECTION_WORDS = {"totals": "csv_totals", "by_cost_center": "per_cost_center", "by_day": "per_day",
                 "by_fare_class": "per_fare_class", "attendance": "attendance_heading", "flags": "fin_flags"}
_COLUMN_WORDS = {**{c: f"col_{c}" for c in (*COLUMNS, *attendance.COLUMNS, "cost_center", "date", "fare_class", "kind")},
                 "voucher_id": "col_voucher"}
# "Für Excel (deutsch)": the page's words, days as 03.12.2026, the class as "2. Klasse".
GERMAN_CSV = Vocabulary(keys={**SECTION_WORDS, **_COLUMN_WORDS}, values={
    "date": day, "fare_class": phrase("class_n", "n"), "kind": word("kind_"),
    "cost_center": words({flags.UNKNOWN_CENTER: "center_unknown"})}, empty={"cost_center": "center_unknown"})


def reconcile(session: Session, period: Period, now: datetime) -> dict:
    """The report; `flags` holds the first page of flags (FLAGS_PAGE), `flags_next` the cursor
    for the rest (GET /reconciliation/flags), None when there is no more."""
    flags_limit = FLAGS_PAGE
    report, rows = _report(session, period, now, flags_limit)
    report["flags"] = flags.with_redemptions(session, period, rows[:flags_limit])
    report["flags_next"] = flags.next_cursor(rows[:flags_limit], len(rows) > flags_limit)
    report["attendance"] = attendance.by_cost_center(session, period)
    return report


def sections(session: Session, period: Period, now: datetime, only: str | None = None) -> dict[str, Iterable[dict]]:
    """The report as tables for CSV (all, or `only` one): the figures, then every flag, read
    from the database as the CSV is written (GERMAN_CSV reads them in German)."""
    if only == "flags":
        return {"flags": flags.stream(session, period)}
    report, _ = _report(session, period, now, 0)
    tables = {"totals": [report["totals"]], **{name: report[name] for name in ("by_cost_center", "by_day", "by_fare_class")},
              "attendance": attendance.by_cost_center(session, period), "flags": flags.stream(session, period)}
    return {only: tables[only]} if only else tables


def _report(session: Session, period: Period, now: datetime, flags_limit: int) -> tuple[dict, list]:
    """The figures, and the first flags_limit + 1 flags (to tell whether there are more)."""
    by_center: dict[str, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_day: dict[date, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_class: dict[int, dict] = defaultdict(lambda: dict.fromkeys(JOURNEY_COLUMNS, 0))
    first_flags = []
    for row in session.execute(_statement(session, period, now, flags_limit + 1 if flags_limit else 0)):
        if row.axis == "flag":
            first_flags.append(row)
            continue
        if row.axis == "center":
            target = by_center[row.cost_center or flags.UNKNOWN_CENTER]
        elif row.axis == "day":
            target = by_day[row.day]
        else:
            target = by_class[row.fare_class]
        if row.part == "redeemed":
            target.update(redeemed=row.n, owed_cents=row.cents, no_fare=row.missing)
        else:
            target[row.part] = row.n
    totals = dict.fromkeys(COLUMNS, 0)
    for center in by_center.values():
        for column in COLUMNS:
            totals[column] += center[column]
    report = {
        "from": period.first.isoformat(), "to": period.last.isoformat(),
        "totals": totals,
        "by_cost_center": [{"cost_center": k, **v} for k, v in sorted(by_center.items())],
        "by_day": [{"date": k.isoformat(), **v} for k, v in sorted(by_day.items())],
        "by_fare_class": [{"fare_class": k, **v} for k, v in sorted(by_class.items())],
    }
    return report, sorted(first_flags, key=lambda r: r.n)  # in the database's order


# Each row of the report's one statement has these columns, NULL where it has nothing to say.
_LAYOUT = {"axis": String, "part": String, "cost_center": String, "day": Date, "fare_class": Integer, "n": BigInteger,
           "cents": BigInteger, "missing": BigInteger, "first_at": UTCDateTime, "key": String, "kind": String,
           "voucher_id": String}


def _row(**columns) -> list:
    return [(columns[c] if c in columns else cast(null(), kind)).label(c) for c, kind in _LAYOUT.items()]


def _name(word: str):
    return literal_column(f"'{word}'")


def _statement(session: Session, period: Period, now: datetime, flags_limit: int):
    """One statement: every figure counted per cost centre and local day (journeys also per fare
    class), rolled up per cost centre, per day and per fare class, and the first flags. The
    journeys are joined to their vouchers and priced once, for the figures and for the flags
    without fare alike."""
    dialect = flags.prepare(session)

    def day(moment, shift=timedelta(0)):
        return local_day(moment, period, dialect, shift).label("day")

    def counted(name: str, rows):
        rows = rows.subquery()
        return select(*_row(part=_name(name), cost_center=rows.c.cost_center, day=rows.c.day, n=func.count())).group_by(
            rows.c.cost_center, rows.c.day)

    issued = select(Voucher.cost_center, day(Voucher.created_at)).where(
        Voucher.created_at >= period.start, Voucher.created_at < period.end)
    revoked = select(Voucher.cost_center, day(Revocation.revoked_at)).join(Voucher, Voucher.id == Revocation.voucher_id).where(
        Revocation.revoked_at >= period.start, Revocation.revoked_at < period.end)
    ended = (Voucher.valid_until > period.start, Voucher.valid_until <= min(period.end, now - CLOCK_SKEW))
    # A voucher's journeys lie within its validity (services/redemption.py): only those from the
    # earliest start of a voucher that ended in the period can decide whether it was used.
    earliest = session.scalar(select(func.min(Voucher.valid_from)).where(*ended)) or period.start
    used = exists().where(Redemption.voucher_id == Voucher.id, is_ride(),
                          Redemption.redeemed_at >= earliest - CLOCK_SKEW, Redemption.redeemed_at < period.end + CLOCK_SKEW)
    cancelled = exists().where(Revocation.voucher_id == Voucher.id)
    expired = select(Voucher.cost_center, day(Voucher.valid_until, LAST_INSTANT)).where(*ended, ~used, ~cancelled)
    journeys = fares.journeys(period, dialect).subquery("journeys")
    owed = journeys.c.owed_cents
    # Grouped once: per cost centre, day and fare class, and apart per voucher for the journeys
    # without fare, which the flags `no_fare` come from.
    without_fare = case((owed.is_(None), journeys.c.voucher_id)).label("voucher_id")
    journey_cells = select(
        journeys.c.cost_center, journeys.c.day, journeys.c.fare_class, without_fare, func.count().label("n"),
        func.coalesce(func.sum(owed), 0).label("cents"), func.sum(case((owed.is_(None), 1), else_=0)).label("missing"),
        func.min(journeys.c.redeemed_at).label("redeemed_at"),
    ).group_by(journeys.c.cost_center, journeys.c.day, journeys.c.fare_class, without_fare).cte("journey_cells")
    redeemed = select(*_row(part=_name("redeemed"), cost_center=journey_cells.c.cost_center, day=journey_cells.c.day,
                            fare_class=journey_cells.c.fare_class, n=journey_cells.c.n, cents=journey_cells.c.cents,
                            missing=journey_cells.c.missing))
    unpriced = select(journey_cells).where(journey_cells.c.voucher_id.is_not(None)).subquery("unpriced")
    flag = flags.flags(period, dialect, flags.no_fare_flags(unpriced)).cte("flag")
    cell = union_all(counted("issued", issued), counted("revoked", revoked), counted("expired_unused", expired), redeemed,
                     counted("flagged", select(flag.c.cost_center, flag.c.day))).cte("cell")
    sums = dict(n=cast(func.sum(cell.c.n), BigInteger), cents=cast(func.sum(cell.c.cents), BigInteger),
                missing=cast(func.sum(cell.c.missing), BigInteger))
    parts = [
        select(*_row(axis=_name("center"), part=cell.c.part, cost_center=cell.c.cost_center, **sums)).group_by(
            cell.c.part, cell.c.cost_center),
        select(*_row(axis=_name("day"), part=cell.c.part, day=cell.c.day, **sums)).group_by(cell.c.part, cell.c.day),
        select(*_row(axis=_name("class"), part=cell.c.part, fare_class=cell.c.fare_class, **sums)).where(
            cell.c.fare_class.is_not(None)).group_by(cell.c.part, cell.c.fare_class),
    ]
    if flags_limit:
        first = select(flag, func.row_number().over(order_by=flags.order(flag)).label("n")).order_by(
            *flags.order(flag)).limit(flags_limit).subquery("first_flags")
        parts.append(select(*_row(axis=_name("flag"), cost_center=first.c.cost_center, day=first.c.day, n=first.c.n,
                                  first_at=first.c.first_at, key=first.c.key, kind=first.c.kind,
                                  voucher_id=first.c.voucher_id)))
    return union_all(*parts)


def voucher_detail(session: Session, voucher_id: str, tz: ZoneInfo, now: datetime) -> dict:
    """One voucher as finance sees it (no code, holder, customer reference or address), every
    redemption of it with what each journey is owed, and its flags, whatever the period."""
    try:
        canonical = codes.normalize_id(voucher_id)
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    voucher = session.get(Voucher, canonical)
    first, last = session.execute(select(func.min(Redemption.redeemed_at), func.max(Redemption.redeemed_at))
                                  .where(Redemption.voucher_id == canonical)).one()
    if voucher is None and first is None:
        raise NotFound(f"no voucher and no redemption with id {canonical}")
    detail: dict[str, Any] = {"voucher_id": canonical, "voucher": None, "redemptions": [], "flags": []}
    if voucher is not None:
        described = vouchers.describe(voucher, vouchers.state(session, voucher, now))
        revoked_at = session.scalar(select(Revocation.revoked_at).where(Revocation.voucher_id == canonical))
        detail["voucher"] = {**{k: described[k] for k in FINANCE_FIELDS}, "revoked_at": revoked_at and format_instant(revoked_at)}
    if first is None:
        return detail
    period = Period.covering(first, last, tz)
    journeys = fares.journeys(period, session.get_bind().dialect.name, Redemption.voucher_id == canonical).subquery()
    owed = dict(session.execute(select(journeys.c.id, journeys.c.owed_cents)).all())
    redemptions = session.scalars(select(Redemption).where(Redemption.voucher_id == canonical)
                                  .order_by(Redemption.redeemed_at, Redemption.id))
    detail["redemptions"] = [{**flags.redemption_json(r), "owed_cents": owed.get(r.id)} for r in redemptions]
    detail["flags"] = flags.of(session, period, [canonical])
    return detail
