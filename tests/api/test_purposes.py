"""Device purposes: a reception device's scans are attendances, never rides (issue 19, item 1)."""

from __future__ import annotations

import pytest

from tests.api.test_redemptions import item
from voucher.services import clients

URL = "/api/v1/redemptions"


@pytest.fixture
def reception(db, clock) -> dict[str, str]:
    """Headers of a verifier device enrolled at the reception."""
    with db.session() as session:
        token = clients.create_token(session, "verifier", "Empfang", clock.now, purpose="reception")
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def scan(client, headers, *items, device="tablet-07") -> list[dict]:
    response = client.post(URL, json={"device_id": device, "redemptions": list(items)}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_me_says_the_device_purpose(client, auth, reception):
    assert client.get("/api/v1/me", headers=reception).get_json()["purpose"] == "reception"
    assert client.get("/api/v1/me", headers=auth("verifier")).get_json()["purpose"] == "journey"


def test_unknown_purpose_is_refused_when_a_token_is_made(db, clock):
    with db.session() as session, pytest.raises(ValueError, match="journey, reception"):
        clients.create_token(session, "verifier", "x", clock.now, purpose="bus")
    with db.session() as session, pytest.raises(ValueError, match="verifier devices only"):
        clients.create_token(session, "issuer", "x", clock.now, purpose="reception")


def test_bus_reception_bus_is_two_rides_one_attendance_no_flag(client, auth, issue, reception, clock):
    voucher = issue(appointment_at="2026-12-03T09:30:00+01:00", appointment_place="Raum 2.14")
    clock.advance(days=2, hours=8)
    (there,) = scan(client, auth("verifier"), item(voucher["code"], at="2026-12-03T08:40:00+01:00"))
    (desk,) = scan(client, reception, item(voucher["code"], at="2026-12-03T09:20:00+01:00", location="Empfang"),
                   device="empfang-1")
    (home,) = scan(client, auth("verifier"), item(voucher["code"], at="2026-12-03T11:05:00+01:00"))
    assert [r["outcome"] for r in (there, desk, home)] == ["accepted"] * 3
    assert [r["flags"] for r in (there, desk, home)] == [[], [], []]
    assert [r["purpose"] for r in (there, desk, home)] == ["journey", "reception", "journey"]
    assert desk["attendance"] == {"arrived_at": "2026-12-03T09:20:00+01:00",
                                  "appointment_at": "2026-12-03T09:30:00+01:00", "appointment_place": "Raum 2.14"}
    detail = client.get(f"/api/v1/vouchers/{voucher['id']}", headers=auth("issuer")).get_json()
    assert [r["redeemed_at"] for r in detail["redemptions"]] == ["2026-12-03T07:40:00Z", "2026-12-03T10:05:00Z"]
    assert [(a["redeemed_at"], a["location"]) for a in detail["attendances"]] == [("2026-12-03T08:20:00Z", "Empfang")]
    report = client.get("/api/v1/reconciliation?from=2026-12-01&to=2026-12-31", headers=auth("finance")).get_json()
    assert report["totals"]["redeemed"] == 2 and report["totals"]["flagged"] == 0
    assert report["totals"]["owed_cents"] == 2 * 480  # the reception scan is owed nothing


def test_reception_scans_never_use_up_a_single_trip(client, auth, issue, reception, clock):
    voucher = issue(return_trip=False)
    clock.advance(days=2, hours=8)
    desk = [scan(client, reception, item(voucher["code"], at=f"2026-12-03T09:{m}:00+01:00"))[0] for m in (10, 20)]
    (ride,) = scan(client, auth("verifier"), item(voucher["code"], at="2026-12-03T11:05:00+01:00"))
    assert [r["outcome"] for r in desk] == ["accepted", "accepted"] and [r["flags"] for r in desk] == [[], []]
    assert ride["outcome"] == "accepted" and ride["flags"] == []


def test_a_double_use_names_the_ride_that_counts(client, auth, issue, clock):
    voucher = issue(return_trip=False)
    clock.advance(days=2, hours=8)
    scan(client, auth("verifier"), item(voucher["code"], at="2026-12-03T08:40:00+01:00", location="Bus 142"))
    (again,) = scan(client, auth("verifier"), item(voucher["code"], at="2026-12-03T12:00:00+01:00", location="Bus 7"))
    assert again["outcome"] == "duplicate" and again["flags"] == ["double_use"]
    assert again["first_use"] == {"redeemed_at": "2026-12-03T08:40:00+01:00", "location": "Bus 142"}


def test_reception_reads_the_appointment(client, issue, reception):
    voucher = issue(appointment_at="2026-12-03T09:30:00+01:00", appointment_place="Raum 2.14")
    response = client.get(f"/api/v1/vouchers/{voucher['short_code']}/appointment", headers=reception)
    assert response.status_code == 200
    assert response.get_json() == {"voucher_id": voucher["id"], "holder_name": "Ayşe Yılmaz",
                                   "appointment_at": "2026-12-03T09:30:00+01:00", "appointment_place": "Raum 2.14",
                                   "status": "issued"}


@pytest.mark.parametrize("role, status", [("verifier", 403), ("finance", 403), ("issuer", 200), ("admin", 200)])
def test_appointment_is_for_reception_devices_and_the_office(client, auth, issue, role, status):
    response = client.get(f"/api/v1/vouchers/{issue()['id']}/appointment", headers=auth(role))
    assert response.status_code == status
    if status == 403:
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("voucher_id", ["nope", "0" * 13, "%00", "x" * 500])
def test_appointment_of_a_bad_id_is_a_404_problem(client, reception, voucher_id):
    response = client.get(f"/api/v1/vouchers/{voucher_id}/appointment", headers=reception)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_trust_list_names_the_office_time_zone(client):
    assert client.get("/api/v1/trust-list").get_json()["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize("body", [
    {"device_id": "empfang", "redemptions": [{"client_id": "x", "code": "JV1:", "redeemed_at": "heute"}]},
    {"device_id": "empfang", "redemptions": [{"client_id": "x", "voucher_id": "nope", "redeemed_at": "2026-12-03T09:00:00"}]},
    {"device_id": "empfang", "redemptions": [{"client_id": "x", "code": "x", "redeemed_at": "2026-12-03T09:00:00Z",
                                               "purpose": "journey"}]},
    {"device_id": "empfang", "purpose": "journey", "redemptions": []},
    [], "nonsense",
])
def test_bad_input_from_a_reception_device_is_a_4xx_problem(client, reception, body):
    response = client.post(URL, json=body, headers=reception)
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"


def test_a_reception_scan_of_a_garbled_code_is_stored_invalid_with_no_attendance_data(client, reception, clock):
    clock.advance(days=2, hours=8)
    (result,) = scan(client, reception, item("JV1:NOT-A-TICKET", at="2026-12-03T09:20:00+01:00"))
    assert (result["outcome"], result["purpose"], result["voucher_id"]) == ("invalid", "reception", None)
    assert result["attendance"] == {"arrived_at": "2026-12-03T09:20:00+01:00", "appointment_at": None,
                                    "appointment_place": None}
