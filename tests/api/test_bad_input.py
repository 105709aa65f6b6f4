"""What probes send that once ended as a 500: each is a clear 4xx, and nothing stored is lost."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import voucher_request
from voucher.store import Redemption, Voucher

DEEP = "[" * 100_000 + "]" * 100_000
TRAVEL = "2026-12-03T09:30:00+01:00"
# Every route that reads a JSON body, with the role allowed to call it.
JSON_ROUTES = [
    ("/api/v1/vouchers", "issuer"),
    ("/api/v1/redemptions", "verifier"),
    ("/api/v1/vouchers/0000000000000/revoke", "issuer"),
]


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("url,role", JSON_ROUTES)
def test_json_nested_100000_deep_is_a_400_problem(client, auth, url, role):
    response = client.post(url, data=DEEP, content_type="application/json", headers=auth(role))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "well-formed JSON" in response.get_json()["detail"]


@pytest.mark.parametrize("key,message", [
    ("k" * 65, "at most 64 characters"),
    ("letter\x00-1", "control or invisible characters"),
])
def test_bad_idempotency_key_is_a_422_naming_the_header(client, auth, db, key, message):
    response = client.post("/api/v1/vouchers", json=voucher_request(), headers={**auth("issuer"), "Idempotency-Key": key})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == "Idempotency-Key"
    assert message in response.get_json()["detail"]
    assert count(db, Voucher) == 0


def test_idempotency_key_of_64_characters_is_kept(client, auth):
    headers = {**auth("issuer"), "Idempotency-Key": "k" * 64}
    first = client.post("/api/v1/vouchers", json=voucher_request(), headers=headers)
    again = client.post("/api/v1/vouchers", json=voucher_request(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]


@pytest.mark.parametrize("field", ["holder_name", "origin", "cost_center", "customer_ref", "appointment_place",
                                   "external_ref", "replaces"])
def test_nul_in_an_issued_text_field_is_a_422_naming_it(client, auth, db, field):
    response = client.post("/api/v1/vouchers", json=voucher_request(**{field: "KST\x001"}), headers=auth("issuer"))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == field
    assert count(db, Voucher) == 0


def test_nul_in_a_revocation_reason_is_a_422(client, auth, issue):
    voucher = issue()
    response = client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "lost\x00"}, headers=auth("issuer"))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "reason"


@pytest.mark.parametrize("field", ["device_id", "location", "client_id"])
def test_nul_in_a_device_field_is_a_422(client, auth, field):
    item = {"client_id": str(uuid.uuid4()), "code": "JV1:X", "redeemed_at": TRAVEL, "location": "Bus 142"}
    body = {"device_id": "tablet-07", "redemptions": [item]}
    if field == "device_id":
        body["device_id"] = "tablet\x00"
    else:
        item[field] = "x\x00"
    response = client.post("/api/v1/redemptions", json=body, headers=auth("verifier"))
    assert response.status_code == 422, response.get_json()


@pytest.mark.parametrize("poison", ["JV1:\x00\x00", "\x00", "JV1:\ud800AB"])
def test_unstorable_scan_is_stored_as_invalid_and_the_rest_of_the_batch_goes_through(client, auth, issue, db, poison):
    voucher = issue()
    good = {"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": TRAVEL}
    bad = {"client_id": str(uuid.uuid4()), "code": poison, "redeemed_at": TRAVEL}
    response = client.post("/api/v1/redemptions", json={"device_id": "tablet-07", "redemptions": [bad, good]},
                           headers=auth("verifier"))
    assert response.status_code == 200, response.get_json()
    assert [r["outcome"] for r in response.get_json()["results"]] == ["invalid", "accepted"]
    with db.session() as session:
        stored = session.scalar(select(Redemption.code).where(Redemption.client_id == bad["client_id"]))
    assert "\x00" not in stored and "\ufffd" in stored
    assert count(db, Redemption) == 2


@pytest.mark.parametrize("url,role", [
    ("/api/v1/vouchers/AB%00CD", "issuer"),
    ("/api/v1/vouchers/AB%00CD/letter.pdf", "issuer"),
    ("/api/v1/revocations?since=%00", "verifier"),
    ("/api/v1/reconciliation?from=2026-12-01%00&to=2026-12-02", "finance"),
])
def test_nul_in_a_path_or_query_is_a_4xx_problem(client, auth, url, role):
    response = client.get(url, headers=auth(role))
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"
