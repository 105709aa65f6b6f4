"""Paper reaches a verdict: letters from the letter route, printed and worn (tests/wear.py) at
100, 150 and 300 dpi and photographed with an 8-megapixel phone, uploaded through the page's
file input in Chromium, which has no BarcodeDetector: zxing-wasm does all the work."""

from __future__ import annotations

from functools import cache

import pytest

from tests import wear
from tests.verifier.pages import open_page

pytestmark = pytest.mark.browser

WASM = "/verify/static/vendor/zxing-wasm/reader/zxing_reader.wasm"


@pytest.fixture(scope="module")
def scanner(browser, live):
    """One enrolled page for every upload (each test starts from the scanning view)."""
    context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow")
    page = open_page(context, live)
    yield page
    context.close()


@pytest.fixture(scope="module")
def letter(live):
    """letter(kind) -> (voucher, letter PDF): one voucher per kind of wear, from the real routes."""

    @cache
    def make(kind: str) -> tuple[dict, bytes]:
        voucher = live.issue()
        return voucher, live.letter(voucher)

    return make


def upload(page, path) -> tuple[str, str]:
    """Upload a picture on the scanning view; the verdict's kind and details."""
    if page.is_visible("#verdict"):
        page.click("#next-button")
    page.set_input_files("#upload", str(path))
    page.wait_for_selector("#verdict:not([hidden])", timeout=60_000)
    return page.get_attribute("#verdict", "class"), page.text_content("#verdict-details")


@pytest.mark.parametrize("dpi", [100, 150, 300])
@pytest.mark.parametrize("kind", list(wear.WEAR))
def test_worn_letter_uploaded_is_verified(scanner, letter, tmp_path, kind, dpi):
    voucher, pdf = letter(kind)
    picture = tmp_path / ("letter.jpg" if wear.WEAR[kind].jpeg_quality else "letter.png")
    picture.write_bytes(wear.worn(pdf, kind, dpi, seed=dpi))
    verdict, details = upload(scanner, picture)
    assert verdict == "valid", details
    assert voucher["short_code"] in details


def test_8_megapixel_photo_of_the_letter_is_verified(scanner, letter, tmp_path):
    voucher, pdf = letter("photo")
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(wear.photo(pdf, seed=1))
    verdict, details = upload(scanner, picture)
    assert verdict == "valid" and voucher["short_code"] in details


def test_picture_without_a_code_is_not_checked(scanner, letter, tmp_path):
    _, pdf = letter("clean")
    picture = tmp_path / "top-half.png"
    page = wear.render_pdf(pdf, 150)
    page.crop((0, 0, page.width, page.height // 2)).save(picture)
    verdict, _ = upload(scanner, picture)
    assert verdict == "unchecked"
    assert "kein QR-Code" in scanner.text_content("#verdict-reason")


def test_photo_is_verified_offline_from_the_first_offline_start(context, live, letter, tmp_path):
    """Nothing is scanned online first: the decoder's .wasm comes from the service worker's
    precache, which the first visit filled."""
    voucher, pdf = letter("photo")
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(wear.photo(pdf, seed=2))
    page = open_page(context, live)
    page.evaluate("navigator.serviceWorker.ready")
    assert page.evaluate(f"async () => Boolean(await caches.match({WASM!r}))")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.text_content("#online") == "offline"
    verdict, details = upload(page, picture)
    assert verdict == "valid" and voucher["short_code"] in details
