"""POST /api/v1/vouchers/batch: per-item results in order, idempotent by external_ref."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.conftest import voucher_request
from voucher.keys import TrustList
from voucher.services.issuing import CHUNK
from voucher.store import AuditEvent, Revocation, Voucher
from voucher.token import format as fmt

URL = "/api/v1/vouchers/batch"


def post_batch(client, auth, items: list) -> list[dict]:
    response = client.post(URL, json={"vouchers": items}, headers=auth("issuer"))
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    return results


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_batch_issues_every_item_in_request_order_and_each_verifies(client, auth, clock, db):
    items = [voucher_request(holder_name=f"Person {i}", external_ref=f"B-{i}") for i in range(CHUNK + 7)]
    results = post_batch(client, auth, items)
    assert {r["status"] for r in results} == {201}
    trust = TrustList.from_json(client.get("/api/v1/trust-list").get_json())
    holders = [fmt.verify(r["voucher"]["code"], trust, clock.now.replace(day=3, hour=9)).claims.holder_name for r in results]
    assert holders == [f"Person {i}" for i in range(CHUNK + 7)]
    assert count(db, Voucher) == CHUNK + 7 and count(db, AuditEvent) == CHUNK + 7 + 4  # and the fixture's four tokens


def test_bad_item_rejects_only_itself_with_its_problem(client, auth, db):
    items = [voucher_request(external_ref="OK-1"), voucher_request(holder_name=""), "not an object",
             voucher_request(valid_from="2026-11-01", valid_until="2026-11-02"), voucher_request(external_ref="OK-2")]
    results = post_batch(client, auth, items)
    assert [r["status"] for r in results] == [201, 422, 422, 422, 201]
    assert "holder_name" in results[1]["problem"]["detail"] and results[1]["problem"]["errors"][0]["field"] == "holder_name"
    assert "past" in results[3]["problem"]["detail"] and results[3]["problem"]["title"]
    assert "voucher" not in results[1] and "problem" not in results[0]
    assert count(db, Voucher) == 2


def test_replayed_batch_returns_the_first_vouchers_with_200(client, auth, db):
    items = [voucher_request(external_ref=f"R-{i}") for i in range(5)]
    first = post_batch(client, auth, items)
    again = post_batch(client, auth, items)
    assert [r["status"] for r in again] == [200] * 5
    assert [r["voucher"]["id"] for r in again] == [r["voucher"]["id"] for r in first]
    assert count(db, Voucher) == 5


def test_reference_repeated_within_a_batch_gives_one_voucher_or_a_conflict(client, auth, db):
    items = [voucher_request(external_ref="DUP"), voucher_request(external_ref="DUP"),
             voucher_request(external_ref="DUP", holder_name="Someone Else")]
    results = post_batch(client, auth, items)
    assert [r["status"] for r in results] == [201, 200, 409]
    assert results[0]["voucher"]["id"] == results[1]["voucher"]["id"]
    assert results[2]["problem"]["status"] == 409
    assert count(db, Voucher) == 1


def test_batch_reissue_revokes_the_old_voucher_and_replaces_it_once(client, auth, issue, db):
    old = issue()
    results = post_batch(client, auth, [voucher_request(replaces=old["id"], holder_name="New 1"),
                                        voucher_request(replaces=old["id"], holder_name="New 2"),
                                        voucher_request(replaces="0000000000000")])
    assert [r["status"] for r in results] == [201, 409, 404]
    assert client.get(f"/api/v1/vouchers/{old['id']}", headers=auth("issuer")).get_json()["status"] == "revoked"
    listed = client.get("/api/v1/revocations", headers=auth("verifier")).get_json()
    assert [e["id"] for e in listed["entries"]] == [old["id"]] and listed["seq"] == 1
    assert count(db, Revocation) == 1


def test_more_than_1000_items_are_refused_whole(client, auth, db):
    response = client.post(URL, json={"vouchers": [voucher_request()] * 1001}, headers=auth("issuer"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert count(db, Voucher) == 0


def test_batch_needs_the_issuer_role(client, auth):
    assert client.post(URL, json={"vouchers": []}, headers=auth("verifier")).status_code == 403
    assert client.post(URL, json={"vouchers": []}).status_code == 401


def test_concurrent_batches_with_the_same_references_issue_each_once(app, auth, db):
    items = [voucher_request(external_ref=f"C-{i}", holder_name=f"Person {i}") for i in range(30)]
    answers = []

    def post():
        with app.test_client() as c:
            answers.append(c.post(URL, json={"vouchers": items}, headers=auth("issuer")).get_json()["results"])

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 3 and count(db, Voucher) == 30
    for i in range(30):
        statuses = sorted(answer[i]["status"] for answer in answers)
        assert statuses == [200, 200, 201]
        assert len({answer[i]["voucher"]["id"] for answer in answers}) == 1
