"""Development keys: once a production key exists, what they signed is a test, never a ticket,
whether scanned or typed (issue 19, item 2)."""

from __future__ import annotations

from datetime import timedelta

from tests.api.test_redemptions import item, sync
from voucher.keys import KeyStore


def rotate_to_production(keys_dir, clock) -> str:
    return KeyStore(keys_dir, "a production passphrase").rotate("Jobcenter Test", clock.now, timedelta(days=730)).kid


def test_development_key_vouchers_are_valid_while_no_production_key_exists(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=2, hours=8)
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["outcome"] == "accepted" and result["flags"] == []


def test_after_rotation_to_production_a_development_voucher_is_a_flagged_test_owed_nothing(
        client, auth, issue, clock, keys_dir):
    voucher = issue()
    rotate_to_production(keys_dir, clock)
    clock.advance(days=2, hours=8)
    scanned, typed = sync(client, auth, item(voucher["code"]), item(voucher_id=voucher["short_code"],
                                                                     at="2026-12-03T10:30:00+01:00"))
    for result in (scanned, typed):
        assert (result["outcome"], result["flags"], result["voucher_id"]) == ("invalid", ["test_key"], voucher["id"])
    report = client.get("/api/v1/reconciliation?from=2026-12-01&to=2026-12-31", headers=auth("finance")).get_json()
    assert report["totals"]["redeemed"] == 0 and report["totals"]["owed_cents"] == 0
    kinds = {f["kind"] for f in report["flags"] if f["voucher_id"] == voucher["id"]}
    assert "test_key" in kinds
    assert client.get(f"/api/v1/vouchers/{voucher['id']}", headers=auth("issuer")).get_json()["status"] != "redeemed"


def test_rotation_to_production_drops_development_keys_from_the_published_trust_list(client, issue, clock, keys_dir):
    development = {k["kid"] for k in client.get("/api/v1/trust-list").get_json()["keys"]}
    production = rotate_to_production(keys_dir, clock)
    published = client.get("/api/v1/trust-list").get_json()["keys"]
    assert [k["kid"] for k in published] == [production] and not published[0]["development"]
    assert development and production not in development
    # Listed apart, so a verifier can tell a test voucher from a forgery without trusting it.
    listed = client.get("/api/v1/trust-list").get_json()["development_keys"]
    assert {k["kid"] for k in listed} == development and all(k["development"] for k in listed)
