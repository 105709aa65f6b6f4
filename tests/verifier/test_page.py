"""The verifier page as staff use it, in Debian's Chromium: offline, typed, uploaded, revoked,
expired, redeemed offline and synced once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.vectors.make_vectors import flip_signature
from tests.verifier.pages import check, next_voucher, open_page, sync
from voucher import qr
from voucher.store import Redemption

pytestmark = pytest.mark.browser


def server_redemptions(live, voucher_id: str) -> list[Redemption]:
    with live.db.session() as session:
        return list(session.scalars(select(Redemption).where(Redemption.voucher_id == voucher_id)))


def test_page_loads_and_verifies_with_the_network_off(context, live, screenshot):
    voucher = live.issue(holder_name="Zofia Łukasiewicz")
    page = open_page(context, live)
    page.evaluate("navigator.serviceWorker.ready")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.text_content("#online") == "offline"
    assert check(page, voucher["code"]) == "valid"
    assert page.text_content("#verdict-title") == "GÜLTIG"
    details = page.text_content("#verdict-details")
    assert "Zofia Łukasiewicz" in details
    assert page.is_visible("#redeem-button")
    screenshot.sizes(page, "verifier-valid")
    next_voucher(page)
    assert check(page, flip_signature(voucher["code"])) == "invalid"
    assert "Fälschung" in page.text_content("#verdict-reason")
    assert not page.is_visible("#redeem-button")
    screenshot(page, "verifier-invalid.png")


def test_uploaded_photo_of_the_code_verifies(context, live, tmp_path):
    voucher = live.issue()
    image = tmp_path / "photo.png"
    image.write_bytes(qr.png(voucher["code"], box_size=6))
    page = open_page(context, live)
    page.set_input_files("#upload", str(image))
    page.wait_for_selector("#verdict:not([hidden])")
    assert page.get_attribute("#verdict", "class") == "valid"
    details = page.text_content("#verdict-details")
    assert voucher["short_code"] in details
    day = datetime.fromisoformat(live.today()).strftime("%d.%m.%Y")  # live.issue() uses the office's day
    assert f"Gültig{day}Strecke" in details  # a whole-day voucher reads as its date


def test_expired_voucher_is_invalid_on_the_device_clock(context, live):
    voucher = live.issue()
    page = open_page(context, live)
    page.clock.set_system_time(datetime.now(UTC) + timedelta(days=3))
    assert check(page, voucher["code"]) == "invalid"
    assert page.text_content("#verdict-reason") == "Abgelaufen"


def test_revoked_voucher_is_invalid_after_sync(context, live):
    voucher = live.issue()
    page = open_page(context, live)
    live.app.test_client().post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "abgesagt"}, headers=live.auth("issuer"))
    sync(page)
    assert check(page, voucher["code"]) == "invalid"
    assert "Gesperrt" in page.text_content("#verdict-reason")


def test_redemption_recorded_offline_survives_reload_and_arrives_once(context, live):
    voucher = live.issue(return_trip=False)
    page = open_page(context, live)
    page.evaluate("navigator.serviceWorker.ready")
    context.set_offline(True)
    assert check(page, voucher["code"]) == "valid"
    page.click("#redeem-button")
    page.wait_for_selector("#redeem-done:not([hidden])")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert "1 Entwertung" in page.text_content("#pending")
    assert server_redemptions(live, voucher["id"]) == []
    assert check(page, voucher["code"]) == "used"  # this device's own ride, not yet uploaded
    assert "Bus 142" in page.text_content("#verdict-details")
    assert not page.is_visible("#redeem-button")
    next_voucher(page)
    context.set_offline(False)
    page.wait_for_function("() => document.getElementById('pending').textContent === ''")
    sync(page)
    stored = server_redemptions(live, voucher["id"])
    assert [(r.outcome, r.location) for r in stored] == [("accepted", "Bus 142")]


def test_short_code_is_looked_up_online_and_refused_offline(context, live):
    voucher = live.issue()
    page = open_page(context, live)
    assert check(page, voucher["short_code"].lower()) == "valid"
    assert "Online geprüft" in page.text_content("#verdict-reason")
    next_voucher(page)
    context.set_offline(True)
    assert check(page, voucher["short_code"]) == "unchecked"
    assert "nur mit Netz" in page.text_content("#verdict-reason")


def test_status_shows_online_state_sync_age_and_unenrolled_device(context, live):
    page = open_page(context, live, enrol=False)
    assert page.is_visible("#enrol-hint")
    assert "Keine Sperrliste" in page.text_content("#revocation-age")
    assert page.text_content("#synced") == "Noch nie synchronisiert"  # the trust list alone is no sync
    context.set_offline(True)
    page.wait_for_function("() => document.getElementById('online').textContent === 'offline'")


def test_status_shows_the_sync_age_once_the_revocation_list_is_there(context, live):
    page = open_page(context, live)
    assert re.search(r"Letzte Synchronisierung: \d+ min", page.text_content("#synced"))
    assert re.search(r"Sperrliste: \d+ min alt", page.text_content("#revocation-age"))


def test_english_interface(context, live):
    voucher = live.issue()
    page = open_page(context, live)
    page.select_option("#language", "en")
    assert check(page, voucher["code"]) == "valid"
    assert page.text_content("#verdict-title") == "VALID"


def test_page_is_installable(live):
    client = live.app.test_client()
    manifest = client.get("/verify/manifest.webmanifest").get_json()
    assert manifest["display"] == "standalone" and {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    sw = client.get("/verify/sw.js").get_data(as_text=True)
    assert '"static/app.js"' in sw and "__VERSION__" not in sw
    assert '"static/vendor/zxing-wasm/reader/zxing_reader.wasm"' in sw  # scanning works offline
