"""What looks wrong: flags, one per voucher and kind of finding, in SQL.

A redemption carries a finding when it has a stored flag (services/redemption.py) other than the
informational `accepted_offline`, when its outcome is `invalid` or `unknown`, or, for an accepted
journey, when it has no fare (services/fares.py). Findings of the same kind on the same voucher
(on the same redemption when there is no voucher id) are one flag, dated, placed in its cost
centre and ordered by its first redemption. Flags are read a page at a time: a cursor says where
the last page ended, so a year with thousands of flags never has to be held at once.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Select, String, Subquery, and_, column, func, literal, or_, select, text, true, tuple_, union_all
from sqlalchemy.orm import Session

from ..store import Redemption, UTCDateTime, Voucher
from ..store.redemptions import FINDINGS
from ..timefmt import format_instant
from . import fares
from .errors import Rejected
from .localdays import Period, local_day
from .purposes import JOURNEY
from .redemption import (
    ACCEPTED_OFFLINE,
    AFTER_REVOCATION,
    BEFORE_REVOCATION_AFTER_SYNC,
    DOUBLE_USE,
    FUTURE_DATED,
    LATE_UPLOAD,
    OUTSIDE_VALIDITY,
    TEST_KEY,
)

NO_FARE = "no_fare"
# Outcomes that are a finding of their own although no flag is stored with them.
OUTCOME_KINDS = ("invalid", "unknown")
INFORMATIONAL = (ACCEPTED_OFFLINE,)
UNKNOWN_CENTER = "(unknown voucher)"

# One plain sentence per kind, for pages and exports.
FLAG_TEXT = {
    DOUBLE_USE: {"de": "Der Fahrschein wurde für mehr Fahrten benutzt, als er erlaubt.",
                 "en": "The voucher was used for more journeys than it allows."},
    AFTER_REVOCATION: {"de": "Der Fahrschein wurde benutzt, nachdem er storniert war.",
                       "en": "The voucher was used after it had been cancelled."},
    OUTSIDE_VALIDITY: {"de": "Die Fahrt liegt außerhalb der Tage, an denen der Fahrschein gilt.",
                       "en": "The journey lies outside the days on which the voucher is valid."},
    FUTURE_DATED: {"de": "Das Gerät hat eine Fahrtzeit in der Zukunft gemeldet; seine Uhr geht wohl falsch.",
                   "en": "The device reported a journey time in the future; its clock is probably wrong."},
    TEST_KEY: {"de": "Der Fahrschein ist mit einem Testschlüssel unterschrieben: kein gültiger Fahrschein, nichts geschuldet.",
               "en": "The voucher is signed with a development (test) key: not a valid ticket, nothing owed."},
    LATE_UPLOAD: {"de": "Die Fahrt kam viel später beim Server an, als sie gemacht wurde; prüfen, ob sie zurückdatiert ist.",
                  "en": "The journey reached the server long after it was made; check whether it was backdated."},
    BEFORE_REVOCATION_AFTER_SYNC: {
        "de": "Die Fahrt ist vor der Stornierung datiert, aber das Gerät kannte die Stornierung schon; wohl zurückdatiert.",
        "en": "The journey is dated before the cancellation, but the device already knew of it; probably backdated."},
    NO_FARE: {"de": "Für die Fahrt gibt es weder einen Höchstpreis noch einen Tarif; sie fehlt im geschuldeten Betrag.",
              "en": "The journey has neither a maximum fare nor a fare in the fare table; it is missing from the amount owed."},
    "invalid": {"de": "Der gescannte Code ist kein gültig unterschriebener Fahrschein.",
                "en": "The scanned code is not a validly signed voucher."},
    "unknown": {"de": "Diesen Fahrschein kennt die Datenbank nicht.",
                "en": "This voucher is not known to the database."},
    ACCEPTED_OFFLINE: {"de": "Das Gerät war offline und kannte die Stornierung noch nicht; der Fahrgast hat nichts falsch gemacht.",
                       "en": "The device was offline and did not know of the cancellation yet; the passenger did nothing wrong."},
}


def prepare(session: Session) -> str:
    """The backend's name, and on PostgreSQL the planner settings these reports want, for this
    transaction only: no JIT (compiling takes longer than running them), and index pages costed
    as the cached pages they are (the default, 4, assumes spinning disks and makes the planner
    hash whole tables instead of merging two indexes that are already in voucher order)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
    return dialect


def _restrict(keys: list[str] | None) -> tuple:
    if keys is None:
        return ()
    return (or_(Redemption.voucher_id.in_(keys), and_(Redemption.voucher_id.is_(None), Redemption.client_id.in_(keys))),)


def _stored_flags(flags, dialect: str):
    """The elements of a JSON list column, as a table joined to its row."""
    value = column("value", String)
    if dialect == "postgresql":
        return func.json_array_elements_text(flags).table_valued(value).render_derived(name="flag")
    return func.json_each(flags).table_valued(value, name="flag")


def _findings(period: Period, dialect: str, keys: list[str] | None = None) -> Subquery:
    """One row per redemption and kind of finding it carries itself (a stored flag, an outcome):
    id, redeemed_at, key, kind, voucher_id, cost_center."""
    # Findings are rare: their voucher's cost centre is looked up one by one, never by a hash of
    # every voucher.
    center = select(Voucher.cost_center).where(Voucher.id == Redemption.voucher_id).scalar_subquery()
    candidate = (
        select(Redemption.id, Redemption.redeemed_at, func.coalesce(Redemption.voucher_id, Redemption.client_id).label("key"),
               Redemption.outcome, Redemption.flags, Redemption.voucher_id, center.label("cost_center"))
        .where(Redemption.redeemed_at >= period.start, Redemption.redeemed_at < period.end, *_restrict(keys), FINDINGS)
        .cte("candidate")
    )
    flag = _stored_flags(candidate.c.flags, dialect)
    stored = (select(candidate.c.id, candidate.c.redeemed_at, candidate.c.key, flag.c.value.label("kind"),
                     candidate.c.voucher_id, candidate.c.cost_center)
              .select_from(candidate).join(flag, true()).where(flag.c.value.not_in(INFORMATIONAL)))
    outcomes = select(candidate.c.id, candidate.c.redeemed_at, candidate.c.key, candidate.c.outcome,
                      candidate.c.voucher_id, candidate.c.cost_center).where(candidate.c.outcome.in_(OUTCOME_KINDS))
    return union_all(stored, outcomes).subquery("finding")


def _journeys(period: Period, dialect: str, keys: list[str] | None = None) -> Subquery:
    return fares.journeys(period, dialect, *_restrict(keys)).subquery("journeys")


def no_fare_flags(unpriced: Subquery) -> Select:
    """The flags `no_fare` (key, kind, voucher_id, cost_center, first_at) from journeys without
    fare (voucher_id, cost_center, redeemed_at): each journey, or the report's per voucher and day."""
    return (select(unpriced.c.voucher_id.label("key"), literal(NO_FARE, String).label("kind"), unpriced.c.voucher_id,
                   unpriced.c.cost_center, func.min(unpriced.c.redeemed_at).label("first_at"))
            .group_by(unpriced.c.voucher_id, unpriced.c.cost_center))


def flags(period: Period, dialect: str, no_fare: Select, keys: list[str] | None = None) -> Select:
    """One row per flag: first_at, key, kind, voucher_id, cost_center, day (of the first)."""
    found = _findings(period, dialect, keys)
    firsts = (select(found.c.key, found.c.kind, found.c.voucher_id, found.c.cost_center,
                     func.min(found.c.redeemed_at).label("first_at"))
              .group_by(found.c.key, found.c.kind, found.c.voucher_id, found.c.cost_center))
    every = union_all(firsts, no_fare).subquery("every_flag")
    return select(every.c.first_at, every.c.key, every.c.kind, every.c.voucher_id, every.c.cost_center,
                  local_day(every.c.first_at, period, dialect).label("day"))


def _standalone(period: Period, dialect: str, keys: list[str] | None = None) -> Subquery:
    """The flags, when the journeys are not read for anything else."""
    journeys = _journeys(period, dialect, keys)
    unpriced = select(journeys).where(journeys.c.owed_cents.is_(None)).subquery("unpriced")
    return flags(period, dialect, no_fare_flags(unpriced), keys).subquery("flag")


def order(flag: Subquery | CTE) -> tuple:
    """Oldest first; a flag is one per key and kind, so the order is total (and the database's
    own, collation included, which the cursor relies on)."""
    return flag.c.first_at, flag.c.key, flag.c.kind


def ordered(flag: Subquery | CTE) -> Select:
    return select(flag).order_by(*order(flag))


def _entry(row) -> dict:
    return {"voucher_id": row.voucher_id, "kind": row.kind, "cost_center": row.cost_center, "date": row.day.isoformat()}


def page(session: Session, period: Period, limit: int, cursor: str | None = None) -> tuple[list[dict], str | None]:
    """Up to `limit` flags after `cursor`, each with its redemptions, and the cursor of the next
    page (None after the last)."""
    dialect = prepare(session)
    flag = _standalone(period, dialect)
    query = ordered(flag).limit(limit + 1)
    if cursor is not None:
        at, key, kind = _decode(cursor)
        query = query.where(tuple_(flag.c.first_at, flag.c.key, flag.c.kind)
                            > tuple_(literal(at, UTCDateTime()), literal(key, String), literal(kind, String)))
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return with_redemptions(session, period, rows), next_cursor(rows, more)


def next_cursor(rows: Sequence[Any], more: bool) -> str | None:
    return _encode(rows[-1]) if more and rows else None


def of(session: Session, period: Period, keys: list[str]) -> list[dict]:
    """The flags of these vouchers (or redemptions without a voucher id), with their redemptions."""
    dialect = session.get_bind().dialect.name
    flag = _standalone(period, dialect, keys)
    return with_redemptions(session, period, session.execute(ordered(flag)).all())


def stream(session: Session, period: Period) -> Iterator[dict]:
    """Every flag of the period, without redemptions, read in batches (CSV export)."""
    dialect = prepare(session)
    flag = _standalone(period, dialect)
    for row in session.execute(ordered(flag).execution_options(yield_per=1000)):
        yield _entry(row)


def with_redemptions(session: Session, period: Period, rows) -> list[dict]:
    """The flags as JSON with their redemptions: every journey scan of the voucher in the period
    for a double use (the extra journey makes sense only next to the others; arrivals at the
    reception are no journeys), else those that carry the finding."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    keys = sorted({row.key for row in rows})
    journeys = _journeys(period, dialect, keys)
    no_fare = select(journeys.c.id, journeys.c.redeemed_at, journeys.c.voucher_id, literal(NO_FARE, String),
                     journeys.c.voucher_id, journeys.c.cost_center).where(journeys.c.owed_cents.is_(None))
    finding = union_all(select(_findings(period, dialect, keys)), no_fare).subquery("carried")
    carries = {(r.id, r.kind) for r in session.execute(select(finding.c.id, finding.c.kind))}
    by_key: dict[str, list[Redemption]] = defaultdict(list)
    for r in session.scalars(select(Redemption).where(
            Redemption.redeemed_at >= period.start, Redemption.redeemed_at < period.end, *_restrict(keys))
            .order_by(Redemption.redeemed_at, Redemption.id)):
        by_key[r.voucher_id or r.client_id].append(r)
    return [{**_entry(row), "redemptions": [redemption_json(r) for r in by_key[row.key]
                                            if (row.kind == DOUBLE_USE and r.purpose == JOURNEY) or (r.id, row.kind) in carries]}
            for row in rows]


def redemption_json(r: Redemption) -> dict:
    """A redemption as every API shows it: `redeemed_at` is when it was made, `received_at`
    when the device uploaded it."""
    return {"client_id": r.client_id, "device_id": r.device_id, "redeemed_at": format_instant(r.redeemed_at),
            "received_at": format_instant(r.received_at), "location": r.location, "outcome": r.outcome,
            "flags": list(r.flags or []), "purpose": r.purpose}


def _encode(row) -> str:
    raw = json.dumps([row.first_at.isoformat(), row.key, row.kind], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str, str]:
    try:
        at, key, kind = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not isinstance(key, str) or not isinstance(kind, str):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Rejected("The cursor is not one this server handed out; start again without it.") from None
    return moment, key, kind
