"""A November 2026 of journeys, written straight into the database with fixed voucher ids, so
operator-export fixtures (tests/fixtures/invoices/) can name the vouchers they bill."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voucher.store import Redemption, Revocation, Voucher

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "invoices"
BERLIN = ZoneInfo("Europe/Berlin")
TODAY = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def vid(n: int) -> str:
    return f"{n:013d}"


def local(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{hour:02d}:{minute:02d}").replace(tzinfo=BERLIN)


# voucher number -> journeys (accepted unless said), revocation
JOURNEYS = {
    1: [local("11-03", 9)],
    2: [local("11-04", 8), local("11-04", 15)],   # a return trip
    3: [local("11-21", 10)],                      # billed for the 26th: date_mismatch
    4: [local("11-10", 9)],                       # revoked at 23:23 the same day: still paid
    5: [],
    6: [],                                        # never travelled
    7: [local("11-15", 12)],                      # nobody bills it at first
    8: [local("11-20", 7, 30)],                   # billed above its maximum fare
    9: [local("10-30", 10)],                      # outside November
}
REVOKED = {4: local("11-10", 23, 23), 5: local("11-12", 8)}
AFTER_REVOCATION = {5: local("11-12", 9)}  # a journey after the revocation (outcome revoked)


def build(db, max_fare_cents: int = 480) -> None:
    with db.session() as session:
        for n, journeys in JOURNEYS.items():
            session.add(voucher(n, max_fare_cents, return_trip=len(journeys) > 1))
        session.flush()
        for n, journeys in JOURNEYS.items():
            for i, at in enumerate(journeys):
                session.add(redemption(n, at, f"j-{n}-{i}", "accepted"))
        for seq, (n, at) in enumerate(REVOKED.items(), 1):
            session.add(Revocation(seq=seq, voucher_id=vid(n), revoked_at=at, reason="test", actor="test"))
        for n, at in AFTER_REVOCATION.items():
            session.add(redemption(n, at, f"late-{n}", "revoked"))
        session.commit()


def voucher(n: int, max_fare_cents: int | None, return_trip: bool = False, cost_center: str = "KST-4711") -> Voucher:
    return Voucher(
        id=vid(n), kid="test", code=f"JV1:{n}", holder_name="Ayşe Yılmaz", valid_from=local("10-01", 0),
        valid_until=local("12-01", 0), origin="Musterstadt Hbf", destination="Jobcenter Nord", fare_class=2,
        travellers=1, return_trip=return_trip, office="JC-TEST", cost_center=cost_center, max_fare_cents=max_fare_cents,
        request_hash="0" * 64, language="de", created_at=local("10-01", 0), created_by="test")


def redemption(n: int, at: datetime, client_id: str, outcome: str, location: str | None = "Bus 142") -> Redemption:
    return Redemption(client_id=client_id, device_id="bus-1", voucher_id=vid(n), code=None, redeemed_at=at,
                      received_at=at, location=location, outcome=outcome,
                      flags=["redeemed_after_revocation", "accepted_offline"] if outcome == "revoked" else [])


# A second world on its own route, priced by the fare table: voucher number -> (max fare,
# travellers, route, journeys). The route "Altstadt – Jobcenter Süd" costs 2,90 € a person in
# second class; "Dorf – Jobcenter Süd" has no fare.
PRICED_ROUTE, UNPRICED_ROUTE = ("Altstadt", "Jobcenter Süd"), ("Dorf", "Jobcenter Süd")
FARE_CENTS = 290
PRICED = {
    21: (None, 1, PRICED_ROUTE, [local("11-05", 9)]),   # no maximum fare: the fare table's 2,90 €
    22: (250, 1, PRICED_ROUTE, [local("11-06", 9)]),    # a maximum fare below the fare: 2,50 €
    23: (None, 1, UNPRICED_ROUTE, [local("11-09", 9)]),  # neither: no fare, never payable
    24: (None, 3, PRICED_ROUTE, [local("11-11", 9)]),   # three travellers, one line each: 3 × 2,90 €
    25: (480, 1, PRICED_ROUTE, [local("11-12", 9)]),    # a maximum fare above the fare: 2,90 €
}


def build_priced(db) -> None:
    from voucher.store import Fare

    with db.session() as session:
        session.add(Fare(office="JC-TEST", origin=PRICED_ROUTE[0], destination=PRICED_ROUTE[1], fare_class=2,
                         price_cents=FARE_CENTS, valid_from=datetime(2026, 1, 1).date()))
        for n, (cap, travellers, (origin, destination), _) in PRICED.items():
            v = voucher(n, cap)
            v.origin, v.destination, v.travellers = origin, destination, travellers
            session.add(v)
        session.flush()
        for n, (*_, journeys) in PRICED.items():
            for i, at in enumerate(journeys):
                session.add(redemption(n, at, f"p-{n}-{i}", "accepted"))
        session.commit()


def owed(n: int) -> int | None:
    """What voucher n's journey is owed, computed here from the table above (not by the code)."""
    cap, travellers, route, _ = PRICED[n]
    fare = FARE_CENTS * travellers if route == PRICED_ROUTE else None
    known = [c for c in (cap, fare) if c is not None]
    return min(known) if known else None


@pytest.fixture
def world(db, clock):
    """The November world above, on the day its invoices are checked."""
    clock.now = TODAY
    build(db)


def upload(client, auth, name: str, query: str = "") -> dict:
    """POST a fixture file to the API, as an operator's export, and return the report (200)."""
    response = client.post(f"/api/v1/invoices/match{query}", data=(FIXTURES / name).read_bytes(),
                           headers={**auth("finance"), "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()
