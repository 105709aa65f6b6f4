"""The verifier in each driver's language on a 320 px phone: the page switches (right to left for
Arabic, codes and times still left to right), keeps the choice on the device and offline, every
verdict word fits without breaking inside a word, nothing scrolls sideways, axe finds nothing
serious in Arabic and Russian."""

from __future__ import annotations

import pytest

from tests.staff.test_pages import accessibility_problems
from tests.verifier.pages import check, next_voucher, open_page
from tests.verifier.test_layout import LONG_NAME, LONG_PLACE, assert_fits
from voucher.verifier import LANGUAGES

pytestmark = pytest.mark.browser

DRIVERS = ["tr", "ar", "uk", "ru"]
VERDICTS = ["valid", "invalid", "unchecked", "test_key", "info", "used", "checked_in"]
# Words of the verdict title that the browser broke across lines (a word in two rects).
BROKEN_WORDS = """() => {
  const node = document.getElementById('verdict-title').firstChild;
  const broken = [];
  for (const match of node.textContent.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    if (range.getClientRects().length > 1) broken.push(match[0]);
  }
  return broken;
}"""


def choose(page, language: str) -> None:
    page.select_option("#language", language)
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=language)


@pytest.mark.parametrize("language", DRIVERS)
def test_page_switches_to_the_language_and_keeps_the_choice(context, live, language):
    page = open_page(context, live)
    choose(page, language)
    texts = LANGUAGES[language].texts
    assert page.text_content("#title") == texts["title"]
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.text_content("#title") == texts["title"] and page.input_value("#language") == language


def test_arabic_is_right_to_left_with_codes_and_times_left_to_right(context, live, screenshot):
    voucher = live.issue(holder_name="Ayşe Yılmaz")
    page = open_page(context, live)
    choose(page, "ar")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("getComputedStyle(document.getElementById('title')).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.getElementById('code-input')).direction") == "ltr"
    assert check(page, voucher["code"]) == "valid"
    ticket = page.locator("#verdict-details .ticket bdi")
    assert ticket.text_content() == voucher["short_code"]
    assert ticket.evaluate("(el) => getComputedStyle(el).direction") == "ltr"  # a Latin code: its own direction
    fare_class = page.locator("#verdict-details dd bdi", has_text="2.")
    assert fare_class.evaluate("(el) => [el.dir, getComputedStyle(el).direction]") == ["ltr", "ltr"]
    # The title's icon stands at the right (the start of an RTL line): the layout is mirrored.
    icon, word = (page.locator(s).bounding_box() for s in (".verdict-icon", "#verdict-title"))
    assert icon["x"] > word["x"]
    page.click("#redeem-button")
    page.wait_for_selector("#redeem-done:not([hidden])")
    done = page.text_content("#redeem-done")
    assert "\u2068" in done and "\u2069" in done  # the time sits in a bidi isolate


@pytest.mark.parametrize("language", DRIVERS)
def test_every_verdict_word_fits_a_320_px_screen(context, live, screenshot, language):
    page = open_page(context, live)
    choose(page, language)
    page.set_viewport_size({"width": 320, "height": 640})
    for kind in VERDICTS:
        page.evaluate("async (kind) => (await import('/verify/static/verdict.js')).show({kind, reason: ''})", kind)
        assert page.text_content("#verdict-title") == LANGUAGES[language].texts[kind]
        assert page.evaluate(BROKEN_WORDS) == [], kind
        assert page.evaluate("document.getElementById('verdict-title').getClientRects()[0].height") < 2.6 * 40, kind
        assert_fits(page)


@pytest.mark.parametrize("language", DRIVERS)
def test_no_screen_scrolls_sideways_at_320_px(context, live, screenshot, language):
    voucher = live.issue(holder_name=LONG_NAME, origin=LONG_PLACE, destination=LONG_PLACE, return_trip=False)
    page = open_page(context, live)
    choose(page, language)
    page.set_viewport_size({"width": 320, "height": 800})
    assert_fits(page)  # the scanning view, settings open
    page.evaluate("document.getElementById('settings').open = false")
    assert_fits(page)
    assert check(page, voucher["code"]) == "valid"
    assert_fits(page)
    screenshot(page, f"verifier-{language}-valid-320.png", full_page=True)
    page.click("#redeem-button")
    page.wait_for_selector("#redeem-done:not([hidden])")
    next_voucher(page)
    assert check(page, voucher["code"]) == "used"
    assert_fits(page)
    screenshot(page, f"verifier-{language}-used-320.png", full_page=True)


@pytest.mark.parametrize("language", ["ar", "ru"])
def test_axe_finds_nothing_serious(context, live, language):
    voucher = live.issue()
    page = open_page(context, live)
    choose(page, language)
    assert accessibility_problems(page) == []  # scanning view, settings open
    check(page, voucher["code"])
    assert accessibility_problems(page) == []  # a verdict


def test_a_language_chosen_offline_still_loads(context, live):
    page = open_page(context, live)
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("async () => (await caches.keys()).length > 0 && (await caches.match('/verify/i18n/uk.json')) !== undefined")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    choose(page, "uk")
    assert page.text_content("#title") == LANGUAGES["uk"].texts["title"]
    assert page.text_content("#online") == LANGUAGES["uk"].texts["offline"]
