"""A reception desk's keyboard-wedge scanner: it types the code and presses Enter. Set to a US
layout on a computer with a German one, it types other characters; the page reads them back."""

from __future__ import annotations

import pytest

from tests.verifier.pages import open_page

pytestmark = pytest.mark.browser

# What a German (QWERTZ) layout makes of the keys a US-layout scanner presses, worked out key by
# key here independently of the page's own table (typed.js).
US_KEYS_ON_GERMAN = {"Y": "Z", "Z": "Y", "y": "z", "z": "y", "*": "(", "-": "ß", "/": "-", ":": "Ö"}
DEAD_GRAVE = {"A": "À", "E": "È", "I": "Ì", "O": "Ò", "U": "Ù"}  # US "+" is German Shift+´ (dead `)


def typed_on_german(code: str) -> str:
    out, i = [], 0
    while i < len(code):
        c = code[i]
        if c == "+":
            following = code[i + 1] if i + 1 < len(code) else ""
            if following in DEAD_GRAVE:
                out.append(DEAD_GRAVE[following])
                i += 2
                continue
            out.append("`")
        else:
            out.append(US_KEYS_ON_GERMAN.get(c, c))
        i += 1
    return "".join(out)


def scan_with_wedge(page, text: str) -> str:
    page.click("#code-input")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector("#verdict:not([hidden])")
    return page.get_attribute("#verdict", "class")


def test_enter_from_a_wedge_scanner_checks_at_once(context, live):
    voucher = live.issue()
    page = open_page(context, live)
    assert scan_with_wedge(page, voucher["code"]) == "valid"


def test_code_typed_by_a_us_layout_scanner_on_a_german_keyboard_is_verified(context, live):
    voucher = live.issue()
    garbled = typed_on_german(voucher["code"])
    assert garbled.startswith("JV1Ö") and garbled != voucher["code"]
    page = open_page(context, live)
    assert scan_with_wedge(page, garbled) == "valid"
    assert voucher["short_code"] in page.text_content("#verdict-details")


def test_ticket_number_typed_by_a_us_layout_scanner_on_a_german_keyboard_is_looked_up(context, live):
    voucher = live.issue()
    garbled = typed_on_german(voucher["short_code"])
    assert "ß" in garbled
    page = open_page(context, live)
    assert scan_with_wedge(page, garbled) == "valid"
    assert "Online geprüft" in page.text_content("#verdict-reason")


def test_dead_key_letters_are_read_back(context, live):
    """US "+A" arrives as one letter "À" (a dead key with a vowel); the page splits it again."""
    page = open_page(context, live)
    assert page.evaluate("async () => (await import('/verify/static/typed.js')).usLayoutOnGerman('JV1ÖÀ`9(ß-Y')") == "JV1:+A+9*-/Z"


def test_next_code_from_a_wedge_scanner_while_a_verdict_is_shown_is_checked(context, live):
    first, second = live.issue(), live.issue()
    page = open_page(context, live)
    assert scan_with_wedge(page, first["code"]) == "valid"
    page.keyboard.type(second["code"])  # no click: the verdict screen has the focus
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.getElementById('verdict-details').textContent.includes({second['short_code']!r})")
    assert page.get_attribute("#verdict", "class") == "valid"


def test_shift_enter_still_breaks_the_line(context, live):
    page = open_page(context, live)
    page.click("#code-input")
    page.keyboard.type("ABC")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("DEF")
    assert page.input_value("#code-input") == "ABC\nDEF"
    assert not page.is_visible("#verdict")
