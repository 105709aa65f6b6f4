"""Verdicts that say what was checked: a ticket-number lookup that got no answer is "not checked"
with the reason, never "invalid"; a development key's voucher is never a green ticket."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.verifier.pages import check, open_page, sync

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("failure, reason", [
    ("network", "Keine Verbindung zum Server"),
    (429, "HTTP 429"),
    (500, "HTTP 500"),
    (503, "HTTP 503"),
    (401, "lehnt das Token dieses Geräts ab"),
])
def test_ticket_number_lookup_without_an_answer_is_not_checked(context, live, screenshot, failure, reason):
    voucher = live.issue()
    page = open_page(context, live)

    def fail(route):
        if failure == "network":
            route.abort("connectionreset")
        else:
            route.fulfill(status=failure, content_type="application/problem+json",
                          body=json.dumps({"status": failure, "title": "x", "detail": "x"}))

    page.route("**/api/v1/vouchers/*", fail)
    assert check(page, voucher["short_code"]) == "unchecked"
    assert page.text_content("#verdict-title") == "NICHT GEPRÜFT"
    assert reason in page.text_content("#verdict-reason")
    assert not page.is_visible("#redeem-button")
    if failure == 503:
        screenshot.sizes(page, "verifier-unchecked")


def test_unknown_ticket_number_is_invalid(context, live):
    page = open_page(context, live)
    assert check(page, "0000-0000-0000-00") == "invalid"
    assert page.text_content("#verdict-reason") == "Fahrschein-Nr. unbekannt"


def test_mistyped_ticket_number_is_caught_before_any_lookup(context, live):
    voucher = live.issue()
    short = voucher["short_code"]
    typo = short[:-1] + ("0" if short[-1] != "0" else "1")  # the check character no longer matches
    page = open_page(context, live)
    lookups = []
    page.on("request", lambda request: lookups.append(request.url) if "/api/v1/vouchers/" in request.url else None)
    assert check(page, typo) == "unchecked"
    assert "Prüfzeichen" in page.text_content("#verdict-reason")
    assert lookups == []


def test_voucher_signed_with_a_development_key_is_no_ticket_on_a_demo_installation(context, live, screenshot):
    """A demo installation has only development keys: their vouchers show the striped screen."""
    voucher = live.issue()
    demo_trust = json.dumps(live.development_key.trust_list().to_json())
    context.route("**/api/v1/trust-list", lambda route: route.fulfill(status=200, content_type="application/json", body=demo_trust))
    page = open_page(context, live, enrol=False)  # the demo's revocation list is signed by another key
    assert check(page, live.development_code(voucher)) == "test_key"
    assert page.text_content("#verdict-title") == "TESTSCHLÜSSEL"
    assert "Testschlüssel – kein gültiger Fahrschein" in page.text_content("#verdict-reason")
    assert voucher["short_code"] in page.text_content("#verdict-details")
    assert not page.is_visible("#redeem-button")
    screenshot.sizes(page, "verifier-test-key")


def test_voucher_signed_with_a_development_key_is_a_test_key_once_a_production_key_exists(context, live):
    """The server then lists development keys apart (`development_keys`): never trusted for
    travel, but known, so the page says "test key" rather than "forged"."""
    assert "development_keys" in live.app.test_client().get("/api/v1/trust-list").get_json()
    voucher = live.issue()
    page = open_page(context, live)
    assert check(page, live.development_code(voucher)) == "test_key"
    assert page.text_content("#verdict-title") == "TESTSCHLÜSSEL"
    assert not page.is_visible("#redeem-button")


def test_voucher_signed_with_a_key_in_no_list_is_invalid(context, live):
    voucher = live.issue()
    page = open_page(context, live)

    def without_development_keys(route):
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "development_keys": []})

    page.route("**/api/v1/trust-list", without_development_keys)
    sync(page, "/api/v1/trust-list")
    assert check(page, live.development_code(voucher)) == "invalid"
    assert page.text_content("#verdict-reason") == "Unbekannter Aussteller (Schlüssel nicht in der Liste)"
    assert not page.is_visible("#redeem-button")


def test_ride_the_server_refuses_as_used_turns_the_screen_to_schon_benutzt(context, live):
    """The lookup at the scan got no answer, so the page said GÜLTIG (with a note); the upload of
    the ride is answered "duplicate", and the screen says so, with the ride that counts."""
    voucher = live.issue(return_trip=False)
    earlier = {"client_id": str(uuid.uuid4()), "code": voucher["code"], "location": "Tram 7",
               "redeemed_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat()}
    live.app.test_client().post("/api/v1/redemptions", json={"device_id": "tram-7", "redemptions": [earlier]},
                                headers=live.auth("verifier"))
    page = open_page(context, live)
    page.route("**/api/v1/vouchers/*", lambda route: route.abort("timedout"))
    assert check(page, voucher["code"]) == "valid"
    assert "Server nicht erreicht" in page.text_content("#verdict-warning")
    page.click("#redeem-button")
    page.wait_for_selector("#verdict.used")
    assert page.text_content("#verdict-title") == "SCHON BENUTZT"
    assert "Tram 7" in page.text_content("#verdict-details")
    assert not page.is_visible("#redeem-button")
