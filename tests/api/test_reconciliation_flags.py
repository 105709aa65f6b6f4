"""Flags a page at a time, one voucher's drill-down, the streamed CSV, and the findings that
reconciliation adds: journeys without fare, future-dated journeys, the expired-unused day."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from voucher.services import finance

PERIOD = "from=2026-12-01&to=2026-12-05"
TRAVEL = "2026-12-03T09:30:00+01:00"


def redeem(client, auth, voucher, at=TRAVEL, device="bus-1"):
    body = {"device_id": device, "redemptions": [{"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": at}]}
    response = client.post("/api/v1/redemptions", json=body, headers=auth("verifier"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]


def get(client, auth, path, status=200):
    response = client.get(path, headers=auth("finance"))
    assert response.status_code == status, response.get_data(as_text=True)
    return response


@pytest.fixture
def double_uses(client, auth, issue, clock):
    """Five vouchers each used twice (single journeys): five double-use flags."""
    vouchers = [issue(return_trip=False, cost_center=f"KST-{n}") for n in range(5)]
    clock.advance(days=3)
    for n, voucher in enumerate(vouchers):
        redeem(client, auth, voucher), redeem(client, auth, voucher, at=f"2026-12-03T10:3{n}:00+01:00", device="bus-2")
    return vouchers


def test_flag_pages_cover_every_flag_once_in_order(client, auth, double_uses):
    seen, cursor, pages = [], None, 0
    while True:
        page = get(client, auth, f"/api/v1/reconciliation/flags?{PERIOD}&limit=2" + (f"&cursor={cursor}" if cursor else "")).get_json()
        seen += [(f["voucher_id"], f["kind"]) for f in page["flags"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 5
    assert [v for v, _ in seen] == [v["id"] for v in double_uses]  # oldest first: the order they were used in


def test_report_holds_the_first_page_of_flags_and_the_cursor_of_the_rest(client, auth, double_uses, monkeypatch):
    monkeypatch.setattr(finance, "FLAGS_PAGE", 3)
    body = get(client, auth, f"/api/v1/reconciliation?{PERIOD}").get_json()
    assert len(body["flags"]) == 3 and body["totals"]["flagged"] == 5
    rest = get(client, auth, f"/api/v1/reconciliation/flags?{PERIOD}&cursor={body['flags_next']}").get_json()
    assert [f["voucher_id"] for f in body["flags"] + rest["flags"]] == [v["id"] for v in double_uses]
    assert rest["next"] is None


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "eyJhIjoxfQ", "WyJ4IiwxLCJrIl0"])
def test_a_cursor_not_handed_out_is_a_422_problem(client, auth, cursor):
    response = get(client, auth, f"/api/v1/reconciliation/flags?{PERIOD}&cursor={cursor}", status=422)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("limit", ["0", "1001", "x"])
def test_a_bad_limit_is_a_422_problem(client, auth, limit):
    get(client, auth, f"/api/v1/reconciliation/flags?{PERIOD}&limit={limit}", status=422)


def test_voucher_drill_down_shows_journeys_owed_and_flags_but_no_personal_data(client, auth, double_uses):
    voucher = double_uses[0]
    body = get(client, auth, f"/api/v1/reconciliation/vouchers/{voucher['short_code']}").get_json()
    assert body["voucher"]["id"] == voucher["id"] and body["voucher"]["status"] == "redeemed"
    assert not {"code", "holder_name", "customer_ref", "recipient_address", "appointment_place"} & set(body["voucher"])
    assert [(r["outcome"], r["owed_cents"]) for r in body["redemptions"]] == [("accepted", 480), ("duplicate", None)]
    assert [(f["kind"], len(f["redemptions"])) for f in body["flags"]] == [("double_use", 2)]


def test_drill_down_of_an_unknown_voucher_redeemed_somewhere_shows_its_journeys(client, auth, clock):
    clock.advance(days=3)
    body = {"device_id": "bus-1", "redemptions": [{"client_id": "c-1", "voucher_id": "0000000000000", "redeemed_at": TRAVEL}]}
    assert client.post("/api/v1/redemptions", json=body, headers=auth("verifier")).get_json()["results"][0]["outcome"] == "unknown"
    detail = get(client, auth, "/api/v1/reconciliation/vouchers/0000000000000").get_json()
    assert detail["voucher"] is None and [f["kind"] for f in detail["flags"]] == ["unknown"]


@pytest.mark.parametrize("voucher_id", ["0000000000001", "not-a-code"])
def test_drill_down_of_nothing_known_is_a_404(client, auth, voucher_id):
    get(client, auth, f"/api/v1/reconciliation/vouchers/{voucher_id}", status=404)


def test_reconciliation_routes_need_the_finance_role(client, auth):
    for path in (f"/api/v1/reconciliation/flags?{PERIOD}", "/api/v1/reconciliation/vouchers/0000000000000"):
        assert client.get(path, headers=auth("verifier")).status_code == 403


def test_csv_is_streamed_with_every_flag(client, auth, double_uses, monkeypatch):
    monkeypatch.setattr(finance, "FLAGS_PAGE", 2)
    response = get(client, auth, f"/api/v1/reconciliation?{PERIOD}&format=csv&table=flags")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["voucher_id"] for r in rows] == [v["id"] for v in double_uses] and {r["kind"] for r in rows} == {"double_use"}


def test_journey_without_any_fare_is_flagged_and_counted_not_priced_at_zero(client, auth, issue, clock):
    priced, unpriced = issue(max_fare_cents=300), issue(max_fare_cents=None, zone="Z9", origin=None, destination=None)
    clock.advance(days=3)
    redeem(client, auth, priced), redeem(client, auth, unpriced)
    body = get(client, auth, f"/api/v1/reconciliation?{PERIOD}").get_json()
    assert (body["totals"]["redeemed"], body["totals"]["owed_cents"], body["totals"]["no_fare"]) == (2, 300, 1)
    assert [(f["voucher_id"], f["kind"]) for f in body["flags"]] == [(unpriced["id"], "no_fare")]


def test_fare_table_prices_a_journey_per_traveller_on_its_day(client, auth, issue, clock):
    table = "zone,fare_class,price_cents,valid_from,valid_to\nA1,2,250,2026-01-01,2026-12-02\nA1,2,270,2026-12-03,\n"
    assert client.put("/api/v1/fares", data=table, headers=auth("admin")).status_code == 200
    voucher = issue(max_fare_cents=None, zone="A1", origin=None, destination=None, travellers=3)
    clock.advance(days=3)
    redeem(client, auth, voucher), redeem(client, auth, voucher, at="2026-12-03T18:00:00+01:00")
    body = get(client, auth, f"/api/v1/reconciliation?{PERIOD}").get_json()
    assert body["totals"]["owed_cents"] == 2 * 3 * 270 and body["totals"]["no_fare"] == 0 and body["flags"] == []


def test_future_dated_journey_is_flagged_at_ingest_and_in_reconciliation(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=1)  # 2 December; the device says 3 December
    result = redeem(client, auth, voucher)
    assert result["outcome"] == "accepted" and result["flags"] == ["future_dated"]
    clock.advance(days=5)
    flags = get(client, auth, f"/api/v1/reconciliation?{PERIOD}").get_json()["flags"]
    assert [(f["voucher_id"], f["kind"]) for f in flags] == [(voucher["id"], "future_dated")]


def test_journey_within_the_clock_skew_is_not_future_dated(client, auth, issue, clock):
    voucher = issue(valid_from="2026-12-01", valid_until="2026-12-01")
    assert redeem(client, auth, voucher, at="2026-12-01T09:04:00+01:00")["flags"] == []  # server: 09:00 local


def test_expired_unused_counts_on_the_last_valid_day_once_validity_has_ended(client, auth, issue, clock):
    issue(valid_from="2026-12-03", valid_until="2026-12-03")  # valid through 3 December (until 4 December 00:00)
    clock.now = clock.now.replace(day=3, hour=22, minute=58)  # 23:58 local: still valid
    assert get(client, auth, f"/api/v1/reconciliation?{PERIOD}").get_json()["totals"]["expired_unused"] == 0
    clock.advance(minutes=7)  # 00:05 on 4 December: ended, beyond the clock skew
    days = {d["date"]: d["expired_unused"] for d in get(client, auth, f"/api/v1/reconciliation?{PERIOD}").get_json()["by_day"]}
    assert days["2026-12-03"] == 1 and days.get("2026-12-04", 0) == 0
