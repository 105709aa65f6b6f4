"""The verifier on a phone: long values wrap inside 320–412 px and no screen scrolls sideways;
validity in the office's time zone on a device set to another; a camera that does not open is a
German note beside its button; axe-core finds nothing serious."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.staff.test_pages import accessibility_problems
from tests.vectors.make_vectors import flip_signature
from tests.verifier.pages import check, next_voucher, open_page

pytestmark = pytest.mark.browser

LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff Anna"  # 40 characters (the most), one word of 35
LONG_PLACE = "Bahnhofsvorplatz Nordstadt (Gleis 1-12)"
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((el) => el.getClientRects().length
    && el.getBoundingClientRect().right > width + 0.5 && !el.closest('.sprite'));
  return {scroll: document.documentElement.scrollWidth - width, wide: wide.map((el) => el.id || el.tagName)};
}"""


def assert_fits(page) -> None:
    assert page.evaluate(OVERFLOW) == {"scroll": 0, "wide": []}


@pytest.mark.parametrize("width", [320, 360, 390, 412])
def test_long_name_and_ticket_number_wrap_on_every_screen(context, live, screenshot, width):
    assert len(LONG_NAME) == 40
    voucher = live.issue(holder_name=LONG_NAME, origin=LONG_PLACE, destination=LONG_PLACE)
    page = open_page(context, live)
    page.set_viewport_size({"width": width, "height": 800})
    assert_fits(page)  # the scanning view, settings open
    page.evaluate("document.getElementById('settings').open = false")
    assert_fits(page)
    assert check(page, voucher["code"]) == "valid"
    assert_fits(page)
    holder = page.locator("#verdict-details .holder")
    assert holder.text_content() == LONG_NAME
    if width == 320:
        screenshot(page, "verifier-long-name-320.png", full_page=True)
    next_voucher(page)
    assert check(page, flip_signature(voucher["code"])) == "invalid"
    assert_fits(page)
    next_voucher(page)
    assert check(page, voucher["short_code"]) == "valid"
    assert_fits(page)


def test_validity_is_shown_in_the_office_time_zone_on_a_device_set_to_utc(browser, live):
    voucher = live.issue()  # valid for the office's day: midnight to midnight in Europe/Berlin
    context = browser.new_context(timezone_id="UTC", locale="de-DE", service_workers="allow")
    page = open_page(context, live)
    assert check(page, voucher["code"]) == "valid"
    day = datetime.fromisoformat(live.today()).strftime("%d.%m.%Y")
    assert page.text_content("#verdict-details").count("Gültig" + day + "Strecke") == 1
    context.close()


DENIED_CAMERA = """navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException('Permission denied by system', 'NotAllowedError'));"""


def test_camera_that_does_not_open_is_a_german_note_beside_its_button(context, live, screenshot):
    context.add_init_script(DENIED_CAMERA)
    page = open_page(context, live)
    page.click("#scan-button")
    page.wait_for_selector("#camera-note:not([hidden])")
    note = page.text_content("#camera-note")
    assert "Kamera nicht freigegeben" in note and "Permission" not in note
    assert not page.is_visible("#verdict")  # not a verdict about any voucher
    assert page.evaluate("document.getElementById('scan-button').nextElementSibling.id") == "camera-note"
    page.set_viewport_size({"width": 390, "height": 700})
    screenshot(page, "verifier-camera-note.png")


def test_axe_finds_nothing_serious_on_the_verifier(context, live):
    voucher = live.issue()
    page = open_page(context, live)
    assert accessibility_problems(page) == []  # scanning view, settings open
    check(page, voucher["code"])
    assert accessibility_problems(page) == []  # a verdict
