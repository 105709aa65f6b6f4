"""What verifiers sync: the trust list and the signed revocation list."""

from __future__ import annotations

import re

import pytest

from voucher.token import revlist
from voucher.keys import TrustList


def test_trust_list_is_public_and_well_formed(client):
    document = client.get("/api/v1/trust-list").get_json()
    trust = TrustList.from_json(document)
    assert len(trust.keys) == 1
    assert set(document["keys"][0]) >= {"kid", "alg", "public_key", "not_before", "not_after", "issuer"}


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
