"""The camera path, with Chromium's fake capture device playing a Y4M video made from a phone
photo of a real letter: a verdict from the camera, the framing guide, torch and zoom only where
the camera has them, and the camera let go of when the page is hidden."""

from __future__ import annotations

import pytest
from PIL import Image

from tests import wear
from tests.live_server import CHROMIUM, CHROMIUM_ARGS
from tests.verifier.pages import open_page

pytestmark = pytest.mark.browser


def write_y4m(path, frame: Image.Image, count: int = 15) -> None:
    """An uncompressed YUV 4:2:0 video of `count` copies of `frame` (Chromium loops it)."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    planes = y.tobytes() + cb.resize(half, Image.BOX).tobytes() + cr.resize(half, Image.BOX).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{frame.width} H{frame.height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(count):
            video.write(b"FRAME\n" + planes)


@pytest.fixture(scope="module")
def photographed(live):
    """A voucher and a phone photo of its letter."""
    voucher = live.issue()
    return voucher, wear.photo(live.letter(voucher), seed=7)


def camera_browser(playwright, video):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])


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
            context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow",
                                          permissions=["camera"])
            return open_page(context, live)

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
