"""Redemption sync: idempotent by client_id, re-verified, every outcome stored and flagged."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from tests.vectors.make_vectors import flip_signature
from voucher.store import Redemption

URL = "/api/v1/redemptions"
TRAVEL = "2026-12-03T09:30:00+01:00"


def item(code=None, voucher_id=None, at=TRAVEL, **extra) -> dict:
    body = {"client_id": str(uuid.uuid4()), "redeemed_at": at, "location": "Bus 142", **extra}
    if code is not None:
        body["code"] = code
    if voucher_id is not None:
        body["voucher_id"] = voucher_id
    return body


def sync(client, auth, *items, device="tablet-07") -> list[dict]:
    response = client.post(URL, json={"device_id": device, "redemptions": list(items)}, headers=auth("verifier"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Redemption))


def test_accepted_redemption_marks_the_voucher_redeemed(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=3)  # the device uploads after the journey
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["outcome"] == "accepted" and result["voucher_id"] == voucher["id"] and result["flags"] == []
    assert client.get(f"/api/v1/vouchers/{voucher['id']}", headers=auth("issuer")).get_json()["status"] == "redeemed"


def test_replaying_a_batch_ten_times_changes_nothing(client, auth, issue, db):
    voucher = issue(return_trip=False)
    batch = [item(voucher["code"]), item(voucher["code"], at="2026-12-03T10:00:00+01:00")]
    first = sync(client, auth, *batch)
    for _ in range(10):
        assert sync(client, auth, *batch) == first
    assert count(db) == 2
    assert [r["outcome"] for r in first] == ["accepted", "duplicate"]


def test_single_journey_used_twice_is_flagged_across_devices(client, auth, issue, clock):
    voucher = issue(return_trip=False)
    clock.advance(days=3)
    sync(client, auth, item(voucher["code"]), device="bus-1")
    (second,) = sync(client, auth, item(voucher["code"]), device="bus-2")
    assert second["outcome"] == "duplicate" and second["flags"] == ["double_use"]


def test_return_voucher_allows_outbound_and_return(client, auth, issue):
    voucher = issue(return_trip=True)
    results = sync(client, auth, *(item(voucher["code"]) for _ in range(3)))
    assert [r["outcome"] for r in results] == ["accepted", "accepted", "duplicate"]


def test_redemption_after_revocation_is_kept_and_flagged(client, auth, issue, clock):
    voucher = issue()
    client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "cancelled"}, headers=auth("issuer"))
    clock.advance(days=3)
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["outcome"] == "revoked" and result["flags"] == ["redeemed_after_revocation", "accepted_offline"]


def test_journey_made_before_the_revocation_stays_accepted(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=3)  # the revocation happens after the journey at TRAVEL
    client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "late"}, headers=auth("issuer"))
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["outcome"] == "accepted" and result["flags"] == []


@pytest.mark.parametrize("at, outcome", [("2026-12-05T09:00:00Z", "expired"), ("2026-12-01T09:00:00Z", "not_yet_valid")])
def test_redemption_outside_validity_is_flagged(client, auth, issue, clock, at, outcome):
    code = issue()["code"]
    clock.advance(days=4, hours=2)
    (result,) = sync(client, auth, item(code, at=at))
    assert result["outcome"] == outcome and result["flags"] == ["outside_validity"]


def test_forged_and_unknown_codes_are_stored_not_dropped(client, auth, issue, db):
    voucher = issue()
    results = sync(client, auth, item(flip_signature(voucher["code"])), item("garbage"),
                   item(voucher_id="0000000000000"))
    assert [r["outcome"] for r in results] == ["invalid", "invalid", "unknown"]
    assert count(db) == 3


def test_typed_short_code_redeems_by_voucher_id(client, auth, issue):
    voucher = issue()
    (result,) = sync(client, auth, item(voucher_id=voucher["short_code"]))
    assert result["outcome"] == "accepted" and result["voucher_id"] == voucher["id"]


@pytest.mark.parametrize("body", [
    {"device_id": "x", "redemptions": [{"client_id": "a", "redeemed_at": TRAVEL}]},
    {"device_id": "x", "redemptions": [{"client_id": "a", "code": "JV1:", "voucher_id": "0000000000000", "redeemed_at": TRAVEL}]},
    {"device_id": "x", "redemptions": [{"client_id": "a", "code": "JV1:", "redeemed_at": "2026-12-03T09:30"}]},
    {"redemptions": []},
    {"device_id": "x", "redemptions": [{"client_id": str(i), "code": "x", "redeemed_at": TRAVEL} for i in range(501)]},
])
def test_bad_batches_are_422_problems_and_store_nothing(client, auth, db, body):
    response = client.post(URL, json=body, headers=auth("verifier"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert count(db) == 0


def test_concurrent_devices_cannot_both_use_a_single_journey(app, auth, issue, db):
    voucher = issue(return_trip=False)
    outcomes = []

    def device(n):
        with app.test_client() as c:
            outcomes.extend(r["outcome"] for r in sync(c, auth, item(voucher["code"]), device=f"bus-{n}"))

    threads = [threading.Thread(target=device, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["accepted"] + ["duplicate"] * 5


def test_redemption_sync_needs_the_verifier_role(client, auth):
    assert client.post(URL, json={"device_id": "x", "redemptions": []}, headers=auth("finance")).status_code == 403
