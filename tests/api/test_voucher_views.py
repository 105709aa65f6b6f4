"""Each role sees the voucher it needs, on every route that returns one: issuer and admin all of
it, a verifier what the QR code shows, finance the accounting view (no code, no person, no
appointment)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import voucher_request

EVERYTHING = {"code", "holder_name", "customer_ref", "recipient_address", "appointment_at", "appointment_place",
              "external_ref", "language", "cost_center", "max_fare_cents", "links"}
QR_VIEW = {"id", "short_code", "valid_from", "valid_until", "status", "holder_name", "origin", "destination", "zone",
           "fare_class", "travellers", "return_trip", "kid"}
FINANCE_VIEW = {"id", "short_code", "valid_from", "valid_until", "status", "origin", "destination", "zone",
                "fare_class", "travellers", "return_trip", "cost_center", "max_fare_cents", "replaces", "replaced_by",
                "created_at", "redemptions", "attendances"}
PERSONAL = {"code", "holder_name", "customer_ref", "recipient_address", "appointment_at", "appointment_place",
            "external_ref", "language"}


@pytest.fixture
def voucher_id(issue):
    return issue(recipient_address=["Ayşe Yılmaz", "Lindenstr. 5", "12345 Musterstadt"], appointment_place="Raum 2.14",
                 appointment_at="2026-12-03T10:00:00+01:00", external_ref="LS-4711")["id"]


def issue_as(client, auth, role):
    return client.post("/api/v1/vouchers", json=voucher_request(), headers=auth(role))


def get_as(client, auth, role, voucher_id):
    return client.get(f"/api/v1/vouchers/{voucher_id}", headers=auth(role))


def revoke_as(client, auth, role, voucher_id):
    return client.post(f"/api/v1/vouchers/{voucher_id}/revoke", json={"reason": "moved"}, headers=auth(role))


@pytest.mark.parametrize("role", ["issuer", "admin"])
@pytest.mark.parametrize("route", [issue_as, get_as, revoke_as])
def test_issuer_and_admin_see_the_whole_voucher(client, auth, voucher_id, role, route):
    response = route(client, auth, role, voucher_id) if route is not issue_as else route(client, auth, role)
    assert response.status_code in (200, 201) and set(response.get_json()) >= EVERYTHING


def test_a_verifier_sees_what_the_qr_code_shows(client, auth, voucher_id):
    assert set(get_as(client, auth, "verifier", voucher_id).get_json()) == QR_VIEW | {"redemptions"}


def test_a_verifier_sees_when_and_where_each_ride_was_made_and_nothing_else_of_it(client, auth, voucher_id):
    ride = {"client_id": str(uuid.uuid4()), "voucher_id": voucher_id, "redeemed_at": "2026-12-03T08:40:00+01:00",
            "location": "Bus 142"}
    sent = client.post("/api/v1/redemptions", json={"device_id": "bus-142", "redemptions": [ride]}, headers=auth("verifier"))
    assert sent.get_json()["results"][0]["outcome"] == "accepted"
    body = get_as(client, auth, "verifier", voucher_id).get_json()
    assert body["redemptions"] == [{"redeemed_at": "2026-12-03T08:40:00+01:00", "location": "Bus 142"}]


def test_finance_sees_the_accounting_view_without_code_person_or_appointment(client, auth, voucher_id):
    body = get_as(client, auth, "finance", voucher_id).get_json()
    assert set(body) == FINANCE_VIEW and not PERSONAL & set(body)
    assert (body["cost_center"], body["max_fare_cents"]) == ("KST-4711", 480)


@pytest.mark.parametrize("role", ["verifier", "finance"])
def test_verifier_and_finance_can_neither_issue_nor_revoke(client, auth, voucher_id, role):
    assert issue_as(client, auth, role).status_code == 403
    assert revoke_as(client, auth, role, voucher_id).status_code == 403
