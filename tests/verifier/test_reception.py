"""A reception device checks the holder in; it never uses up a ride. A return-trip voucher
scanned on the bus, at the Jobcenter's reception and on the bus home is two journeys and one
arrival, and the reception's screen says "ANGEMELDET" with the appointment, not a ride."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.staff.test_pages import accessibility_problems
from tests.verifier.pages import check, next_voucher, open_page
from voucher.services import clients

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reception_token(live) -> str:
    with live.db.session() as session:
        token = clients.create_token(session, "verifier", "reception-desk", datetime.now(UTC), purpose="reception")
        session.commit()
    return token


def scans(live, voucher: dict, until: int = 0) -> dict:
    """The server's record of the voucher's scans, once it holds `until` of them (the page
    uploads right after a scan; 10 s at most)."""
    client = live.app.test_client()
    for _ in range(100):
        record = client.get(f"/api/v1/vouchers/{voucher['id']}", headers=live.auth("issuer")).get_json()
        if len(record["redemptions"]) + len(record["attendances"]) >= until:
            break
        time.sleep(0.1)
    return record


def ride(page, live, voucher: dict, count: int) -> None:
    """Scan on the bus and redeem the journey, the `count`th scan the server gets."""
    assert check(page, voucher["code"]) == "valid"
    page.click("#redeem-button")
    page.wait_for_selector("#redeem-done:not([hidden])")
    scans(live, voucher, until=count)
    next_voucher(page)


def test_return_trip_bus_reception_bus_is_two_journeys_and_one_arrival(browser, context, live, reception_token, screenshot):
    voucher = live.issue(return_trip=True, appointment_at=f"{live.today()}T09:30:00+01:00", appointment_place="Raum 2.14")
    bus = open_page(context, live)
    assert bus.text_content("#purpose") == "Fahrt"
    ride(bus, live, voucher, 1)

    reception_context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow")
    desk = open_page(reception_context, live, token=reception_token, location="Empfang")
    assert desk.text_content("#purpose") == "Empfang"
    assert check(desk, voucher["code"]) == "checked_in"
    assert desk.text_content("#verdict-title") == "ANGEMELDET"
    desk.wait_for_function("() => document.getElementById('verdict-appointment').textContent === 'Termin 09:30, Raum 2.14'")
    assert desk.text_content("#redeem-done").strip().startswith("Angekommen ")
    assert not desk.is_visible("#redeem-button")
    assert "entwertet" not in desk.text_content("#verdict")  # no word of a ride at the reception
    assert accessibility_problems(desk) == []
    screenshot.sizes(desk, "verifier-checked-in")
    scans(live, voucher, until=2)
    reception_context.close()

    assert check(bus, voucher["code"]) == "valid"  # the arrival used nothing up
    assert "Eine der zwei Fahrten" in bus.text_content("#verdict-warning")
    next_voucher(bus)
    ride(bus, live, voucher, 3)

    record = scans(live, voucher)
    assert [(r["outcome"], r["flags"], r["location"]) for r in record["redemptions"]] == [("accepted", [], "Bus 142")] * 2
    assert [(a["outcome"], a["location"]) for a in record["attendances"]] == [("accepted", "Empfang")]

    assert check(bus, voucher["code"]) == "used"  # a third ride: both are shown, when and where
    assert bus.text_content("#verdict-title") == "SCHON BENUTZT"
    assert bus.text_content("#verdict-details").count("Bus 142") == 2
    assert not bus.is_visible("#redeem-button")
    assert accessibility_problems(bus) == []
    screenshot.sizes(bus, "verifier-used")


def test_a_second_scan_at_the_reception_records_no_second_arrival(browser, live, reception_token):
    voucher = live.issue()
    context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow")
    desk = open_page(context, live, token=reception_token, location="Empfang")
    assert check(desk, voucher["code"]) == "checked_in"
    desk.wait_for_function("() => document.getElementById('verdict-appointment').textContent !== ''")
    next_voucher(desk)
    assert check(desk, voucher["short_code"]) == "checked_in"  # typed: the same verdict
    assert "Schon angemeldet um" in desk.text_content("#redeem-done")
    scans(live, voucher, until=1)
    desk.wait_for_timeout(500)  # time enough for a second upload, were there one
    record = scans(live, voucher)
    assert len(record["attendances"]) == 1 and record["redemptions"] == []
    context.close()


def test_reception_checks_in_offline_with_what_the_qr_carries(browser, live, reception_token):
    voucher = live.issue(appointment_at=f"{live.today()}T09:30:00+01:00", appointment_place="Raum 2.14")
    context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow")
    desk = open_page(context, live, token=reception_token, location="Empfang")
    context.set_offline(True)
    assert check(desk, voucher["code"]) == "checked_in"
    assert "Ayşe Yılmaz" in desk.text_content("#verdict-details")
    assert desk.text_content("#verdict-appointment") == "Termin: nur mit Netz sichtbar"
    next_voucher(desk)
    assert desk.text_content("#pending") == "1 Anmeldung(en) warten auf Übertragung"
    context.set_offline(False)
    record = scans(live, voucher, until=1)
    assert [(a["outcome"], a["location"]) for a in record["attendances"]] == [("accepted", "Empfang")]
    assert record["redemptions"] == []
    context.close()
