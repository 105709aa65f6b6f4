"""The reconciliation's SQL figures equal a plain Python count of the same rows.

Random vouchers, journeys, revocations and fares around both DST changes of Europe/Berlin,
with vouchers without a maximum fare, revoked ones, double uses, expired unused ones,
journeys after revocation, outside validity, future-dated, of unknown vouchers and unreadable
codes, then the report is read through the real routes (flags page by page) and compared with
the reference below, written as plainly as possible.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from voucher.store import Fare, Redemption, Revocation, Voucher
from voucher.token import codes

TZ = ZoneInfo("Europe/Berlin")
SKEW = timedelta(minutes=5)
OFFICE = "JC-TEST"
CENTERS = ["KST-1", "KST-2", "KST 3/Ost", "KST-4"]
# Periods spanning the spring and the autumn change of clocks (29 March and 25 October 2026).
PERIODS = {"spring": (date(2026, 3, 27), date(2026, 3, 31)), "autumn": (date(2026, 10, 23), date(2026, 10, 27))}
FARES_CSV = """zone,origin,destination,fare_class,price_cents,valid_from,valid_to
A,,,2,300,2026-01-01,2026-03-28
A,,,2,320,2026-03-29,
A,,,1,510,2026-01-01,
B,,,2,270,2026-10-24,2026-10-25
,Musterstadt Hbf,Jobcenter Nord,2,410,2026-01-01,
"""


def local(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ).astimezone(UTC)


def some_moment(rng: random.Random, first: date, last: date) -> datetime:
    """Anywhere from two days before to two days after the period, often near midnight or in the
    small hours when the clocks change."""
    day = first + timedelta(days=rng.randint(-2, (last - first).days + 2))
    if rng.random() < 0.4:
        return midnight(day) + timedelta(minutes=rng.choice([-61, -1, 0, 1, 59, 61, 119, 121, 179, 181]))
    return midnight(day) + timedelta(seconds=rng.randrange(86400))


def make_rows(rng: random.Random, first: date, last: date):
    vouchers = []
    for n in range(60):
        start = midnight(first + timedelta(days=rng.randint(-3, (last - first).days + 1)))
        where = rng.choice([{"zone": "A"}, {"zone": "B"}, {"zone": "Z"},
                            {"origin": "Musterstadt Hbf", "destination": "Jobcenter Nord"},
                            {"origin": "Jobcenter Nord", "destination": "Musterstadt Hbf"}])
        vouchers.append(Voucher(
            id=codes.id_to_text(rng.randbytes(8)), kid="test", code="JV1:test", holder_name=f"Holder {n}",
            valid_from=start, valid_until=start + timedelta(days=rng.choice([1, 1, 2])) - timedelta(minutes=rng.choice([0, 0, 30])),
            fare_class=rng.choice([1, 2, 2]), travellers=rng.choice([1, 1, 2, 3]), return_trip=rng.random() < 0.5,
            office=OFFICE if rng.random() < 0.9 else "JC-OTHER", cost_center=rng.choice(CENTERS),
            max_fare_cents=None if rng.random() < 0.5 else rng.choice([0, 480, 560]), request_hash="x", language="de",
            created_at=some_moment(rng, first, last), created_by="test", **where))
    revocations = [Revocation(seq=seq, voucher_id=v.id, revoked_at=some_moment(rng, first, last), reason="test", actor="test")
                   for seq, v in enumerate(rng.sample(vouchers, 10), start=1)]
    revoked_at = {r.voucher_id: r.revoked_at for r in revocations}
    redemptions = []

    def redeem(voucher_id, at, outcome, flags):
        if rng.random() < 0.08:
            flags = [*flags, "future_dated"]
        redemptions.append(Redemption(client_id=str(uuid.UUID(int=rng.getrandbits(128))), device_id=f"bus-{rng.randint(1, 3)}",
                                      voucher_id=voucher_id, code=None, redeemed_at=at, received_at=at, location="Bus 1",
                                      outcome=outcome, flags=flags))

    for v in rng.sample(vouchers, 40):
        # An accepted journey lies within the voucher's validity, as the server decides it.
        for _ in range(rng.choice([1, 1, 2, 3])):
            at = v.valid_from - SKEW + timedelta(seconds=rng.randrange(int((v.valid_until - v.valid_from + 2 * SKEW).total_seconds())))
            if v.id in revoked_at and revoked_at[v.id] <= at:
                redeem(v.id, at, "revoked", ["redeemed_after_revocation", "accepted_offline"])
            elif sum(r.voucher_id == v.id and r.outcome == "accepted" for r in redemptions) >= (2 if v.return_trip else 1):
                redeem(v.id, at, "duplicate", ["double_use"])
            else:
                redeem(v.id, at, "accepted", [])
    for v in rng.sample(vouchers, 8):
        redeem(v.id, v.valid_until + timedelta(hours=rng.randint(1, 30)), "expired", ["outside_validity"])
    for _ in range(6):
        redeem(codes.id_to_text(rng.randbytes(8)), some_moment(rng, first, last), "unknown", [])
        redeem(None, some_moment(rng, first, last), "invalid", [])
    return vouchers, revocations, redemptions


def price(voucher: Voucher, day: date, fares: list[Fare]) -> int | None:
    for fare in fares:
        same_place = (fare.zone == voucher.zone if voucher.zone is not None
                      else fare.zone is None and {fare.origin, fare.destination} == {voucher.origin, voucher.destination})
        if (fare.office == voucher.office and fare.fare_class == voucher.fare_class and same_place
                and fare.valid_from <= day and (fare.valid_to is None or day <= fare.valid_to)):
            return fare.price_cents
    return None


def reference(vouchers, revocations, redemptions, fares, first: date, last: date, now: datetime) -> dict:
    start, end = midnight(first), midnight(last + timedelta(days=1))
    by_id = {v.id: v for v in vouchers}
    by_center = defaultdict(lambda: defaultdict(int))
    by_day = defaultdict(lambda: defaultdict(int))
    by_class = defaultdict(lambda: defaultdict(int))

    def add(voucher, day, column, amount=1):
        by_center[voucher.cost_center if voucher else "(unknown voucher)"][column] += amount
        by_day[day.isoformat()][column] += amount

    for v in vouchers:
        if start <= v.created_at < end:
            add(v, local(v.created_at), "issued")
    for r in revocations:
        if start <= r.revoked_at < end:
            add(by_id[r.voucher_id], local(r.revoked_at), "revoked")
    used = {r.voucher_id for r in redemptions if r.outcome == "accepted"}
    revoked = {r.voucher_id for r in revocations}
    for v in vouchers:
        if v.id not in used and v.id not in revoked and start < v.valid_until <= end and v.valid_until + SKEW <= now:
            add(v, local(v.valid_until - timedelta(seconds=1)), "expired_unused")
    flags = {}
    for r in sorted(redemptions, key=lambda r: (r.redeemed_at, r.id)):
        if not start <= r.redeemed_at < end:
            continue
        voucher = by_id.get(r.voucher_id)
        kinds = [kind for kind in r.flags if kind != "accepted_offline"]
        if r.outcome in ("invalid", "unknown"):
            kinds.append(r.outcome)
        if r.outcome == "accepted":
            # Owed: the lower of the fare table's fare (all travellers) and the maximum fare.
            table = price(voucher, local(r.redeemed_at), fares)
            known = [c for c in (voucher.max_fare_cents, None if table is None else table * voucher.travellers)
                     if c is not None]
            fare = min(known) if known else None
            add(voucher, local(r.redeemed_at), "redeemed")
            add(voucher, local(r.redeemed_at), "owed_cents", fare or 0)
            add(voucher, local(r.redeemed_at), "no_fare", 1 if fare is None else 0)
            by_class[voucher.fare_class]["redeemed"] += 1
            by_class[voucher.fare_class]["owed_cents"] += fare or 0
            by_class[voucher.fare_class]["no_fare"] += 1 if fare is None else 0
            if fare is None:
                kinds.append("no_fare")
        for kind in kinds:
            key = (r.voucher_id or r.client_id, kind)
            if key not in flags:
                add(voucher, local(r.redeemed_at), "flagged")
                flags[key] = {"voucher_id": r.voucher_id, "kind": kind, "cost_center": voucher.cost_center if voucher else None,
                              "date": local(r.redeemed_at).isoformat(), "client_ids": [], "first": (r.redeemed_at, key[0], kind)}
            flags[key]["client_ids"].append(r.client_id)
    for flag in flags.values():  # a double use shows every journey of the voucher in the period
        if flag["kind"] == "double_use":
            flag["client_ids"] = [r.client_id for r in sorted(redemptions, key=lambda r: (r.redeemed_at, r.id))
                                  if r.voucher_id == flag["voucher_id"] and start <= r.redeemed_at < end]
    columns = ("issued", "redeemed", "revoked", "expired_unused", "flagged", "owed_cents", "no_fare")
    table = lambda rows: {key: {c: row[c] for c in columns} for key, row in rows.items()}  # noqa: E731
    return {
        "totals": {c: sum(row[c] for row in by_center.values()) for c in columns},
        "by_cost_center": table(by_center), "by_day": table(by_day),
        "by_fare_class": {k: {c: row[c] for c in ("redeemed", "owed_cents", "no_fare")} for k, row in by_class.items()},
        "flags": [{k: v for k, v in flag.items() if k != "first"} for flag in sorted(flags.values(), key=lambda f: f["first"])],
    }


def read_report(client, auth, first: date, last: date) -> dict:
    period = f"from={first}&to={last}"
    body = client.get(f"/api/v1/reconciliation?{period}", headers=auth("finance")).get_json()
    flags, cursor = [], ""
    while cursor is not None:
        page = client.get(f"/api/v1/reconciliation/flags?{period}&limit=7{cursor and '&cursor=' + cursor}",
                          headers=auth("finance")).get_json()
        flags += page["flags"]
        cursor = page["next"]
    assert body["flags"] == flags[:len(body["flags"])]
    strip = lambda rows, key: {row[key]: {k: v for k, v in row.items() if k != key} for row in rows}  # noqa: E731
    return {
        "totals": body["totals"], "by_cost_center": strip(body["by_cost_center"], "cost_center"),
        "by_day": strip(body["by_day"], "date"), "by_fare_class": strip(body["by_fare_class"], "fare_class"),
        "flags": [{**{k: f[k] for k in ("voucher_id", "kind", "cost_center", "date")},
                   "client_ids": [r["client_id"] for r in f["redemptions"]]} for f in flags],
    }


@pytest.mark.parametrize("season", sorted(PERIODS))
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("now_inside", [False, True], ids=["after", "during"])
def test_sql_figures_equal_a_plain_count(client, auth, db, clock, season, seed, now_inside):
    first, last = PERIODS[season]
    clock.now = midnight(last) + timedelta(hours=13) if now_inside else midnight(last + timedelta(days=3))
    rng = random.Random(f"{season}-{seed}")
    vouchers, revocations, redemptions = make_rows(rng, first, last)
    put = client.put("/api/v1/fares", data=FARES_CSV, headers={**auth("admin"), "Content-Type": "text/csv"})
    assert put.status_code == 200, put.get_json()
    with db.session() as session:
        session.add_all(vouchers)
        session.flush()
        session.add_all(revocations + redemptions)
        session.add(Fare(office="JC-OTHER", zone="Z", fare_class=2, price_cents=999, valid_from=date(2026, 1, 1)))
        session.commit()
        fares = session.query(Fare).all()
        expected = reference(vouchers, revocations, redemptions, fares, first, last, clock.now)
    assert expected["flags"] and expected["totals"]["no_fare"] and expected["totals"]["expired_unused"]
    assert read_report(client, auth, first, last) == expected
