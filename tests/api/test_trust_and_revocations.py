"""What verifiers sync: the trust list and the signed revocation list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from voucher import create_app
from voucher.config import Settings
from voucher.keys import TrustList
from voucher.token import revlist


def test_trust_list_is_public_and_well_formed(client):
    document = client.get("/api/v1/trust-list").get_json()
    trust = TrustList.from_json(document)
    assert len(trust.keys) == 1
    assert set(document["keys"][0]) >= {"kid", "alg", "public_key", "not_before", "not_after", "issuer"}
    assert document["max_age_hours"] == 168  # verifiers warn when their copy is older


def test_trust_list_max_age_comes_from_the_settings(tmp_path, keys_dir, db, clock):
    settings = Settings(data_dir=tmp_path, keys_dir=keys_dir, database_url=db.url, trust_max_age=timedelta(hours=12))
    app = create_app(settings, clock=clock)
    try:
        assert app.test_client().get("/api/v1/trust-list").get_json()["max_age_hours"] == 12
    finally:
        app.extensions["voucher"].db.engine.dispose()


def test_a_dropped_key_changes_the_trust_list_etag_so_the_next_poll_gets_the_new_list(client, app, clock):
    first = client.get("/api/v1/trust-list")
    store = app.extensions["voucher"].keystore
    kid = store.signer(clock.now).kid
    store.rotate("JC", clock.now, timedelta(days=730))
    store.retire(kid, clock.now, drop=True)
    again = client.get("/api/v1/trust-list", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and kid not in {k["kid"] for k in again.get_json()["keys"]}


def test_revocation_list_is_signed_and_incremental(client, issue, auth):
    ids = [issue()["id"] for _ in range(3)]
    for voucher_id in ids:
        client.post(f"/api/v1/vouchers/{voucher_id}/revoke", json={"reason": "cancelled"}, headers=auth("issuer"))
    full = client.get("/api/v1/revocations", headers=auth("verifier")).get_json()
    trust = TrustList.from_json(client.get("/api/v1/trust-list").get_json())
    assert revlist.verified_ids(full, trust) == set(ids)
    delta = client.get("/api/v1/revocations?since=2", headers=auth("verifier")).get_json()
    assert [e["id"] for e in delta["entries"]] == ids[2:] and delta["seq"] == 3
    forged = {**full, "entries": full["entries"][:1]}
    with pytest.raises(ValueError):
        revlist.verified_ids(forged, trust)


def test_full_sync_leaves_out_expired_vouchers(client, issue, auth, clock):
    voucher_id = issue()["id"]
    client.post(f"/api/v1/vouchers/{voucher_id}/revoke", json={"reason": "x"}, headers=auth("issuer"))
    clock.advance(days=5)
    assert client.get("/api/v1/revocations", headers=auth("verifier")).get_json()["entries"] == []


@pytest.mark.parametrize("query", ["since=-1", "since=abc"])
def test_bad_since_is_a_422_problem(client, auth, query):
    response = client.get(f"/api/v1/revocations?{query}", headers=auth("verifier"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_revocations_need_the_verifier_role(client, auth):
    assert client.get("/api/v1/revocations").status_code == 401
    assert client.get("/api/v1/revocations", headers=auth("finance")).status_code == 403


def test_openapi_describes_every_route(client, app):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule.removeprefix("/api/v1"))
             for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    assert rules <= set(paths)


def test_compact_revocation_list_carries_the_same_ids(client, issue, auth):
    ids = [issue()["id"] for _ in range(5)]
    for voucher_id in ids:
        client.post(f"/api/v1/vouchers/{voucher_id}/revoke", json={"reason": "x"}, headers=auth("issuer"))
    trust = TrustList.from_json(client.get("/api/v1/trust-list").get_json())
    compact = client.get("/api/v1/revocations?format=compact", headers=auth("verifier")).get_json()
    assert compact["format"] == "ids-delta" and compact["count"] == 5 and compact["seq"] == 5
    assert revlist.verified_ids(compact, trust) == set(ids)
    with pytest.raises(ValueError):
        revlist.verified_ids({**compact, "count": 4}, trust)
    with pytest.raises(ValueError):
        revlist.verified_ids({**compact, "ids": compact["ids"][:-2]}, trust)


def test_trust_list_carries_an_etag_and_a_repeated_poll_costs_a_304(client):
    first = client.get("/api/v1/trust-list")
    assert first.headers["ETag"] and first.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/api/v1/trust-list", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, no-cache"


def test_revocation_poll_with_nothing_new_costs_a_304(client, issue, auth):
    client.post(f"/api/v1/vouchers/{issue()['id']}/revoke", json={"reason": "x"}, headers=auth("issuer"))
    first = client.get("/api/v1/revocations?since=0&format=compact", headers=auth("verifier"))
    assert first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    again = client.get("/api/v1/revocations?since=0&format=compact",
                       headers={**auth("verifier"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "private, no-cache"


def test_a_new_revocation_changes_the_revocation_list_etag(client, issue, auth):
    first = client.get("/api/v1/revocations", headers=auth("verifier"))
    client.post(f"/api/v1/vouchers/{issue()['id']}/revoke", json={"reason": "x"}, headers=auth("issuer"))
    again = client.get("/api/v1/revocations", headers={**auth("verifier"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["seq"] == 1
    assert again.headers["ETag"] != first.headers["ETag"]


def test_revocation_list_is_resigned_once_its_generation_window_has_passed(client, auth, clock):
    first = client.get("/api/v1/revocations", headers=auth("verifier"))
    clock.advance(minutes=11)
    again = client.get("/api/v1/revocations", headers={**auth("verifier"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.get_json()["generated_at"] > first.get_json()["generated_at"]


def test_revocation_list_is_identical_within_its_generation_window(client, auth, clock):
    first = client.get("/api/v1/revocations", headers=auth("verifier"))
    clock.advance(seconds=30)
    again = client.get("/api/v1/revocations", headers=auth("verifier"))
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
