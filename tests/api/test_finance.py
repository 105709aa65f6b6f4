"""Reconciliation, CSV export, invoice matching and retention through the real routes."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from voucher.services.retention import anonymize_closed

PERIOD = "from=2026-12-01&to=2026-12-05"
TRAVEL = "2026-12-03T09:30:00+01:00"


def redeem(client, auth, voucher, at=TRAVEL, device="bus-1"):
    body = {"device_id": device, "redemptions": [{"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": at}]}
    return client.post("/api/v1/redemptions", json=body, headers=auth("verifier")).get_json()["results"][0]


@pytest.fixture
def scenario(client, auth, issue, clock):
    v = {name: issue(return_trip=name == "F", cost_center="KST-2" if name in "EF" else "KST-1") for name in "ABCDEF"}
    client.post(f"/api/v1/vouchers/{v['C']['id']}/revoke", json={"reason": "cancelled"}, headers=auth("issuer"))
    clock.advance(days=4, hours=2)  # the devices upload after the journeys
    redeem(client, auth, v["A"])
    redeem(client, auth, v["B"]), redeem(client, auth, v["B"], device="bus-2")
    redeem(client, auth, v["C"])
    redeem(client, auth, v["D"], at="2026-12-05T08:00:00Z")
    redeem(client, auth, v["F"]), redeem(client, auth, v["F"], at="2026-12-03T15:00:00+01:00")
    clock.advance(days=1)
    return v


def report(client, auth, query=PERIOD):
    response = client.get(f"/api/v1/reconciliation?{query}", headers=auth("finance"))
    assert response.status_code == 200, response.get_json()
    return response


def test_reconciliation_totals(client, auth, scenario):
    totals = report(client, auth).get_json()["totals"]
    assert totals == {"issued": 6, "redeemed": 4, "revoked": 1, "expired_unused": 2, "flagged": 3, "owed_cents": 4 * 480,
                      "no_fare": 0}


def test_reconciliation_flags_each_kind_with_its_redemptions(client, auth, scenario):
    flags = {(f["voucher_id"], f["kind"]): f for f in report(client, auth).get_json()["flags"]}
    assert set(flags) == {(scenario["B"]["id"], "double_use"), (scenario["C"]["id"], "redeemed_after_revocation"),
                          (scenario["D"]["id"], "outside_validity")}
    assert {r["device_id"] for r in flags[(scenario["B"]["id"], "double_use")]["redemptions"]} == {"bus-1", "bus-2"}
    assert "accepted_offline" in flags[(scenario["C"]["id"], "redeemed_after_revocation")]["redemptions"][0]["flags"]


def test_reconciliation_per_cost_center_day_and_fare_class(client, auth, scenario):
    body = report(client, auth).get_json()
    centers = {row["cost_center"]: row for row in body["by_cost_center"]}
    assert (centers["KST-1"]["redeemed"], centers["KST-2"]["redeemed"]) == (2, 2)
    assert (centers["KST-1"]["issued"], centers["KST-2"]["issued"]) == (4, 2)
    days = {row["date"]: row for row in body["by_day"]}
    assert days["2026-12-03"]["redeemed"] == 4 and days["2026-12-01"]["issued"] == 6
    assert body["by_fare_class"] == [{"fare_class": 2, "redeemed": 4, "owed_cents": 1920, "no_fare": 0}]


def test_reconciliation_csv_with_german_decimal_comma(client, auth, scenario):
    response = report(client, auth, PERIOD + "&format=csv&table=by_cost_center&decimal=comma")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["Kostenstelle"] == "KST-1" and rows[0]["Forderung in €"] == "9,60"


def test_full_csv_has_every_table(client, auth, scenario):
    text = report(client, auth, PERIOD + "&format=csv").get_data(as_text=True)
    for section in ("totals", "by_cost_center", "by_day", "by_fare_class", "flags"):
        assert f"\r\n{section}\r\n" in "\r\n" + text.lstrip("\ufeff")


@pytest.mark.parametrize("query", ["from=2026-12-05&to=2026-12-01", "from=x&to=2026-12-01", "to=2026-12-01",
                                   "from=2025-01-01&to=2026-12-01", PERIOD + "&format=xml"])
def test_bad_report_query_is_a_422_problem(client, auth, query):
    response = client.get(f"/api/v1/reconciliation?{query}", headers=auth("finance"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def invoice(scenario, german=False) -> str:
    a, c, e, f = (scenario[k]["id"] for k in "ACEF")
    lines = [(a, 450), (a, 450), (f, 500), (f, 400), (c, 480), (e, 480), ("0000000000000", 100)]
    if german:
        body = "voucher_id;travel_date;amount\n" + "".join(f"{v};03.12.2026;{c // 100},{c % 100:02d}\n" for v, c in lines)
        return body + "kaputt;03.12.2026;1,00\n"
    return "voucher_id,travel_date,amount_cents\n" + "".join(f"{v},2026-12-03,{c}\n" for v, c in lines) + "kaputt,2026-12-03,100\n"


@pytest.mark.parametrize("german", [False, True])
def test_invoice_matching_lists(client, auth, scenario, german):
    response = client.post("/api/v1/invoices/match", data=invoice(scenario, german).encode(), headers={**auth("finance"), "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    ids = lambda name: sorted(x["voucher_id"] for x in body[name])  # noqa: E731
    s = {k: v["id"] for k, v in scenario.items()}
    assert ids("matched") == sorted([s["A"], s["F"], s["F"]])
    assert ids("billed_twice") == [s["A"]]
    assert ids("billed_after_revocation") == [s["C"]]
    assert ids("billed_not_redeemed") == sorted(["0000000000000", s["E"]])
    assert [(x["voucher_id"], x["excess_cents"]) for x in body["over_max_fare"]] == [(s["F"], 20)]
    assert ids("redeemed_not_billed") == [s["B"]]
    assert [x["line"] for x in body["rejected_lines"]] == [9]
    assert body["totals"]["billed_cents"] == 2860 and body["totals"]["payable_cents"] == 1330


def test_invoice_without_header_is_a_400_problem(client, auth):
    response = client.post("/api/v1/invoices/match", data=b"1,2,3\n", headers=auth("finance"))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_finance_routes_need_the_finance_role(client, auth):
    assert client.get(f"/api/v1/reconciliation?{PERIOD}", headers=auth("verifier")).status_code == 403
    assert client.post("/api/v1/invoices/match", data=b"", headers=auth("issuer")).status_code == 403


def test_retention_erases_personal_data_but_keeps_figures(client, auth, scenario, db, clock):
    before = report(client, auth).get_json()["totals"]
    with db.session() as session:
        assert anonymize_closed(session, timedelta(days=1), "test", clock.now) == 6
        assert anonymize_closed(session, timedelta(days=1), "test", clock.now) == 0
    voucher = client.get(f"/api/v1/vouchers/{scenario['A']['id']}", headers=auth("issuer")).get_json()
    assert voucher["holder_name"] == "" and voucher["customer_ref"] is None and voucher["code"] == ""
    assert client.get(f"/api/v1/vouchers/{scenario['A']['id']}/letter.pdf", headers=auth("issuer")).status_code == 410
    assert report(client, auth).get_json()["totals"] == before


def test_retention_erases_cancellation_reasons_and_names_in_scans_linked_to_no_voucher(client, auth, issue, db, clock):
    from sqlalchemy import select

    from voucher.store import Redemption, Revocation

    voucher = issue()
    client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "Kur wegen Depression"}, headers=auth("issuer"))
    tampered = voucher["code"][:-1] + ("0" if voucher["code"][-1] != "0" else "1")
    assert redeem(client, auth, {"code": tampered})["outcome"] == "invalid"
    clock.advance(days=10)
    recent = redeem(client, auth, {"code": tampered})  # younger than the retention period: kept
    with db.session() as session:
        anonymize_closed(session, timedelta(days=5), "test", clock.now)
        assert session.scalar(select(Revocation.reason)) == ""
        codes = dict(session.execute(select(Redemption.client_id, Redemption.code)).all())
    assert codes[recent["client_id"]] == tampered
    assert [code for client_id, code in codes.items() if client_id != recent["client_id"]] == [None]


def test_audit_log_records_issue_revoke_redeem_and_match(client, auth, scenario, db):
    from sqlalchemy import select

    from voucher.store import AuditEvent

    client.post("/api/v1/invoices/match", data=invoice(scenario).encode(), headers=auth("finance"))
    with db.session() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.actor)).all()
    assert {a for a, _ in events} >= {"issue", "revoke", "redeem", "invoice_match"}
    assert ("invoice_match", "finance:test-finance") in events
