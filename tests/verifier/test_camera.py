"""The camera path, with Chromium's fake capture device playing a Y4M video made from a phone
photo of a real letter: a verdict from the camera, the framing guide, torch and zoom only where
the camera has them, and the camera let go of when the page is hidden."""

from __future__ import annotations

import pytest

from tests import wear
from tests.verifier.fake_camera import camera_browser, camera_context, write_y4m
from tests.verifier.pages import open_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def photographed(live):
    """A voucher and a phone photo of its letter."""
    voucher = live.issue()
    return voucher, wear.photo(live.letter(voucher), seed=7)


@pytest.fixture(scope="module")
def camera_page_factory(tmp_path_factory, photographed):
    """camera_page(context_options, top): a page whose camera films the photo's band at `top`."""
    from playwright.sync_api import sync_playwright

    _, photo = photographed
    folder = tmp_path_factory.mktemp("camera")
    browsers = []
    with sync_playwright() as playwright:
        def make(live, top: float):
            video = folder / f"camera-{top}.y4m"
            write_y4m(video, wear.camera_frame(photo, top))
            browser = camera_browser(playwright, video)
            browsers.append(browser)
            return open_page(camera_context(browser), live)

        yield make
        for browser in browsers:
            browser.close()


def test_camera_reads_the_ticket_on_a_photographed_letter(camera_page_factory, live, photographed):
    voucher, _ = photographed
    page = camera_page_factory(live, 0.72)
    page.click("#scan-button")
    page.wait_for_selector("#verdict:not([hidden])", timeout=30_000)
    assert page.get_attribute("#verdict", "class") == "valid"
    assert voucher["short_code"] in page.text_content("#verdict-details")
    assert page.evaluate("document.getElementById('camera').srcObject") is None  # released after the hit


def test_camera_view_shows_the_guide_and_only_the_controls_the_camera_has(camera_page_factory, live, screenshot):
    page = camera_page_factory(live, 0.2)  # the letter's text: no code in view, the camera keeps running
    page.click("#scan-button")
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    assert page.is_visible("#viewfinder .guide")
    assert page.text_content("#scan-button").strip() == "Kamera aus"
    size = page.evaluate("[document.getElementById('camera').videoWidth, document.getElementById('camera').videoHeight]")
    assert size == [1280, 720]
    capabilities = page.evaluate("""() => {
      const track = document.getElementById('camera').srcObject.getVideoTracks()[0];
      const caps = track.getCapabilities();
      return {torch: Boolean(caps.torch), zoom: Boolean(caps.zoom && caps.zoom.max > caps.zoom.min)};
    }""")
    assert page.is_visible("#torch") == capabilities["torch"]
    assert page.is_visible("#zoom-control") == capabilities["zoom"]
    screenshot.sizes(page, "verifier-scanning")


def test_camera_is_released_when_the_page_is_hidden(camera_page_factory, live):
    page = camera_page_factory(live, 0.2)
    page.click("#scan-button")
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    page.evaluate("window.track = document.getElementById('camera').srcObject.getVideoTracks()[0]")
    page.evaluate("""() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    }""")
    assert page.evaluate("window.track.readyState") == "ended"
    assert not page.is_visible("#viewfinder")
    assert page.text_content("#scan-button").strip() == "Code scannen"
