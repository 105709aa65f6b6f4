"""Rides count in the order they were made, and backdating is visible (issue 19, items 3 and 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.test_redemptions import item, sync
from voucher.config import from_environment


def test_rides_uploaded_late_in_reverse_order_flag_the_later_ride(client, auth, issue, clock):
    voucher = issue(return_trip=False)
    clock.advance(days=2, hours=12)
    (late_ride,) = sync(client, auth, item(voucher["code"], at="2026-12-03T13:24:00+01:00", location="Bus 7"), device="bus-2")
    (early_ride,) = sync(client, auth, item(voucher["code"], at="2026-12-03T10:37:00+01:00", location="Bus 142"),
                         device="bus-1")
    assert (early_ride["outcome"], early_ride["flags"]) == ("accepted", [])
    detail = client.get(f"/api/v1/vouchers/{voucher['id']}", headers=auth("issuer")).get_json()
    rides = {r["location"]: (r["outcome"], r["flags"]) for r in detail["redemptions"]}
    assert rides == {"Bus 142": ("accepted", []), "Bus 7": ("duplicate", ["double_use"])}
    # The device that sent the later ride learns its new result when it asks again.
    (again,) = sync(client, auth, {**item(voucher["code"], at="2026-12-03T13:24:00+01:00"), "client_id": late_ride["client_id"]})
    assert again["outcome"] == "duplicate" and again["first_use"]["location"] == "Bus 142"


def test_a_return_trip_keeps_its_two_earliest_rides(client, auth, issue, clock):
    voucher = issue(return_trip=True)
    clock.advance(days=2, hours=12)
    for at in ("2026-12-03T12:00:00+01:00", "2026-12-03T14:00:00+01:00", "2026-12-03T08:00:00+01:00"):
        sync(client, auth, item(voucher["code"], at=at, location=at[11:16]))
    detail = client.get(f"/api/v1/vouchers/{voucher['id']}", headers=auth("issuer")).get_json()
    assert {r["location"]: r["outcome"] for r in detail["redemptions"]} == {
        "08:00": "accepted", "12:00": "accepted", "14:00": "duplicate"}


def test_a_ride_received_long_after_it_was_made_is_flagged_late_upload(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=6)  # the ride of 3 December arrives on 7 December
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["outcome"] == "accepted" and result["flags"] == ["late_upload"]


def test_a_ride_received_within_a_day_is_not_late(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=2, hours=12)
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["flags"] == []


def test_a_backdated_journey_after_a_synced_revocation_is_flagged(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=2, hours=6)  # 3 December, 15:00 local: the voucher is cancelled
    assert client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "Termin abgesagt"},
                       headers=auth("issuer")).status_code == 200
    clock.advance(hours=1)
    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 200  # the device now knows
    clock.advance(hours=2)
    (result,) = sync(client, auth, item(voucher["code"], at="2026-12-03T09:30:00+01:00"))  # dated before the revocation
    assert result["outcome"] == "accepted" and "dated_before_revocation_after_sync" in result["flags"]
    report = client.get("/api/v1/reconciliation?from=2026-12-01&to=2026-12-31", headers=auth("finance")).get_json()
    assert "dated_before_revocation_after_sync" in {f["kind"] for f in report["flags"]}


def test_a_journey_before_a_revocation_the_device_never_fetched_is_not_flagged(client, auth, issue, clock):
    voucher = issue()
    clock.advance(days=2, hours=6)
    client.get("/api/v1/revocations", headers=auth("verifier"))  # fetched before the cancellation
    clock.advance(minutes=5)
    client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "Termin abgesagt"}, headers=auth("issuer"))
    clock.advance(hours=2)
    (result,) = sync(client, auth, item(voucher["code"], at="2026-12-03T09:30:00+01:00"))
    assert result["outcome"] == "accepted" and result["flags"] == []


def test_late_upload_setting_is_read_and_checked(monkeypatch):
    monkeypatch.setenv("VOUCHER_LATE_UPLOAD_HOURS", "24")
    assert from_environment().late_upload == timedelta(hours=24)
    for bad in ("0", "-3", "2161", "drei", "1.5"):
        monkeypatch.setenv("VOUCHER_LATE_UPLOAD_HOURS", bad)
        with pytest.raises(ValueError, match="VOUCHER_LATE_UPLOAD_HOURS"):
            from_environment()


def test_the_late_upload_setting_decides(app, client, auth, issue, clock):
    voucher = issue()
    services = app.extensions["voucher"]
    services.settings = services.settings.replace(late_upload=timedelta(hours=1))
    clock.advance(days=2, hours=12)  # a day after the ride
    (result,) = sync(client, auth, item(voucher["code"]))
    assert result["flags"] == ["late_upload"]
