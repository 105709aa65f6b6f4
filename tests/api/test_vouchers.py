"""Issuing, reading, rendering and revoking through the real HTTP routes."""

from __future__ import annotations

import io
import threading

import pytest
import zxingcpp
from PIL import Image

from tests.conftest import voucher_request
from voucher.keys import TrustList
from voucher.token import format as fmt

URL = "/api/v1/vouchers"


def trust(client) -> TrustList:
    return TrustList.from_json(client.get("/api/v1/trust-list").get_json())


def test_issued_voucher_carries_contract_fields_and_verifies_with_public_key_only(client, issue, clock):
    body = issue()
    assert body["status"] == "issued"
    assert set(body["links"]) == {"self", "qr_png", "qr_svg", "letter_pdf"}
    claims = fmt.verify(body["code"], trust(client), clock.now.replace(day=3, hour=9)).claims
    assert claims.voucher_id == body["id"]
    assert claims.holder_name == "Ayşe Yılmaz" and claims.return_trip
    assert body["valid_from"] == "2026-12-02T23:00:00Z"  # Berlin midnight
    assert body["valid_until"] == "2026-12-03T23:00:00Z"  # end of that Berlin day


def test_qr_png_decodes_to_the_exact_code(client, issue, auth):
    body = issue()
    response = client.get(body["links"]["qr_png"], headers=auth("issuer"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [d.text for d in decoded] == [body["code"]]


def test_qr_svg_is_an_svg_document(client, issue, auth):
    response = client.get(issue()["links"]["qr_svg"], headers=auth("issuer"))
    assert response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_customer_reference_never_reaches_the_qr(client, issue):
    body = issue(customer_ref="PSN-SECRET-4242")
    assert "PSN-SECRET-4242" not in repr(fmt.parse(body["code"])[0])


@pytest.mark.parametrize("header", ["external_ref", "Idempotency-Key"])
def test_repeated_reference_returns_the_same_voucher(client, auth, header):
    kwargs = {"json": voucher_request(external_ref="LTR-1")} if header == "external_ref" else {
        "json": voucher_request(), "headers": {**auth("issuer"), "Idempotency-Key": "LTR-1"}}
    kwargs.setdefault("headers", auth("issuer"))
    first = client.post(URL, **kwargs)
    again = client.post(URL, **kwargs)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]


def test_reference_reused_for_different_content_is_a_conflict(client, auth):
    client.post(URL, json=voucher_request(external_ref="LTR-2"), headers=auth("issuer"))
    response = client.post(URL, json=voucher_request(external_ref="LTR-2", holder_name="Other"), headers=auth("issuer"))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_concurrent_retries_create_one_voucher(app, auth):
    results = []

    def post():
        with app.test_client() as c:
            results.append(c.post(URL, json=voucher_request(external_ref="RACE"), headers=auth("issuer")))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.get_json()["id"] for r in results}) == 1


def test_reissue_revokes_the_replaced_voucher_which_then_names_its_replacement(client, issue, auth):
    old = issue()
    assert old["replaced_by"] is None
    new = issue(replaces=old["short_code"].lower())
    assert new["replaces"] == old["id"] and new["replaced_by"] is None
    for role in ("issuer", "finance"):
        shown = client.get(f"{URL}/{old['id']}", headers=auth(role)).get_json()
        assert (shown["status"], shown["replaced_by"]) == ("revoked", new["id"])
    again = client.post(URL, json=voucher_request(replaces=old["id"]), headers=auth("issuer"))
    assert again.status_code == 409


def test_revoke_is_harmless_twice_and_listed_once(client, issue, auth):
    body = issue()
    for _ in range(2):
        response = client.post(f"{URL}/{body['id']}/revoke", json={"reason": "appointment cancelled"}, headers=auth("issuer"))
        assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    listed = client.get("/api/v1/revocations?since=0", headers=auth("verifier")).get_json()
    assert [e["id"] for e in listed["entries"]] == [body["id"]] and listed["seq"] == 1


def test_concurrent_cancellations_of_one_voucher_revoke_it_once(app, issue, auth):
    body = issue()
    start, results = threading.Barrier(6), []

    def revoke():
        with app.test_client() as c:
            start.wait()
            results.append(c.post(f"{URL}/{body['id']}/revoke", json={"reason": "double click"}, headers=auth("issuer")))

    threads = [threading.Thread(target=revoke) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * 6
    with app.test_client() as c:
        listed = c.get("/api/v1/revocations?since=0", headers=auth("verifier")).get_json()
    assert [e["id"] for e in listed["entries"]] == [body["id"]] and listed["seq"] == 1


def test_verifier_sees_only_what_the_qr_shows(client, issue, auth):
    body = issue()
    seen = client.get(f"{URL}/{body['short_code']}", headers=auth("verifier")).get_json()
    assert seen["id"] == body["id"] and "customer_ref" not in seen and "cost_center" not in seen


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"holder_name": ""}, "holder_name"),
        ({"holder_name": "x" * 41}, "holder_name"),
        ({"valid_from": "3. Dezember"}, "valid_from"),
        ({"valid_until": "2026-12-02"}, "valid_until must not be before"),
        ({"zone": "AB"}, "either origin and destination, or a zone"),
        ({"origin": None}, "either origin and destination, or a zone"),
        ({"fare_class": 3}, "fare_class"),
        ({"travellers": 10}, "travellers"),
        ({"cost_center": None}, "cost_center"),
        ({"holder_name": "Tab\there"}, "control"),
        ({"unexpected": 1}, "unexpected"),
        ({"replaces": "not-a-code"}, "replaces"),
    ],
)
def test_invalid_request_is_a_422_problem_naming_the_field(client, auth, changes, field):
    response = client.post(URL, json=voucher_request(**changes), headers=auth("issuer"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["detail"]


def test_voucher_already_over_is_refused(client, auth):
    response = client.post(URL, json=voucher_request(valid_from="2026-11-01", valid_until="2026-11-02"), headers=auth("issuer"))
    assert response.status_code == 422 and "past" in response.get_json()["detail"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"null", b"\xff\xfe"])
def test_body_that_is_not_a_json_object_is_a_400_problem(client, auth, body):
    response = client.post(URL, data=body, content_type="application/json", headers=auth("issuer"))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_missing_token_is_401_and_wrong_role_is_403(client, auth):
    assert client.post(URL, json=voucher_request()).status_code == 401
    assert client.post(URL, json=voucher_request(), headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post(URL, json=voucher_request(), headers=auth("verifier")).status_code == 403
    assert client.post(URL, json=voucher_request(), headers=auth("admin")).status_code == 201


@pytest.mark.parametrize("path", ["/vouchers/NOPE", "/vouchers/0000000000000", "/vouchers/0000000000000/qr.png", "/nowhere"])
def test_unknown_things_are_404_problems(client, auth, path):
    response = client.get("/api/v1" + path, headers=auth("issuer"))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_nothing_stored_is_lost_after_a_bad_request(client, issue, auth):
    body = issue(external_ref="KEEP")
    client.post(URL, json=voucher_request(external_ref="KEEP", holder_name=""), headers=auth("issuer"))
    assert client.get(f"{URL}/{body['id']}", headers=auth("issuer")).status_code == 200


@pytest.mark.parametrize("appointment", ["2026-12-09T10:00", "2026-12-02T23:59:00+01:00", "2026-12-04T00:00"])
def test_appointment_outside_the_validity_window_is_a_422(client, auth, appointment):
    """A ticket valid on 3 December cannot take anyone to an appointment on another day."""
    body = voucher_request(valid_from="2026-12-03", valid_until="2026-12-03", appointment_at=appointment)
    response = client.post("/api/v1/vouchers", json=body, headers=auth("issuer"))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"][0]["field"] == "appointment_at" and "outside the ticket's validity" in problem["detail"]


def test_appointment_inside_the_validity_window_is_accepted(issue):
    assert issue(valid_from="2026-12-03", valid_until="2026-12-03", appointment_at="2026-12-03T23:59")["appointment_at"] == "2026-12-03T22:59:00Z"


def test_reissuing_a_used_voucher_warns_and_the_audit_log_says_so(client, auth, issue, clock, db):
    from sqlalchemy import select

    from voucher.store import AuditEvent

    today = {"valid_from": "2026-12-01", "valid_until": "2026-12-01"}
    old = issue(**today)
    journey = {"client_id": "j-1", "code": old["code"], "redeemed_at": clock.now.isoformat()}
    synced = client.post("/api/v1/redemptions", json={"device_id": "bus", "redemptions": [journey]}, headers=auth("verifier"))
    assert synced.get_json()["results"][0]["outcome"] == "accepted"
    new = issue(replaces=old["id"], **today)
    assert len(new["warnings"]) == 1 and old["id"] in new["warnings"][0] and "already used" in new["warnings"][0]
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "issue", AuditEvent.voucher_id == new["id"]))
    assert event.detail["warnings"] == new["warnings"] and event.detail["replaces"] == old["id"]


def test_reissuing_an_unused_voucher_has_no_warning(issue):
    assert issue(replaces=issue()["id"])["warnings"] == []
