"""One voucher, one verdict: typed as its ticket number, uploaded as a photo of its QR code and
filmed by the camera (Chromium's fake capture device), the page says the same thing, for a valid,
a used, a revoked, a development-key and an expired voucher."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.verifier.fake_camera import camera_browser, camera_context, write_y4m
from tests.verifier.pages import check, next_voucher, open_page
from voucher import qr
from voucher.store import Voucher
from voucher.token import format as token_format

pytestmark = pytest.mark.browser

EXPECTED = {  # kind of voucher: (verdict, its reason)
    "valid": ("valid", "Online geprüft. Bitte Lichtbildausweis prüfen."),
    "used": ("used", "Die Fahrt ist schon entwertet – keine weitere Fahrt mit diesem Fahrschein."),
    "revoked": ("invalid", "Gesperrt (Termin abgesagt oder neu ausgestellt)"),
    "development_key": ("test_key", "Testschlüssel – kein gültiger Fahrschein. Dieser Code kommt aus einer Test- oder Demo-Installation."),
    "expired": ("invalid", "Abgelaufen"),
}


def make_voucher(live, kind: str) -> dict:
    """A voucher of `kind` through the real routes; `code` is what its letter's QR says."""
    voucher = live.issue(return_trip=False)
    client = live.app.test_client()
    if kind == "used":
        ride = {"client_id": str(uuid.uuid4()), "code": voucher["code"], "location": "Bus 142",
                "redeemed_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()}
        answer = client.post("/api/v1/redemptions", json={"device_id": "bus-142", "redemptions": [ride]}, headers=live.auth("verifier"))
        assert answer.get_json()["results"][0]["outcome"] == "accepted"
    elif kind == "revoked":
        client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "Termin abgesagt"}, headers=live.auth("issuer"))
    elif kind == "development_key":  # as a test installation signed it: the record names its key
        code = live.development_code(voucher)
        with live.db.session() as session:
            row = session.get(Voucher, voucher["id"])
            row.code, row.kid = code, token_format.parse(code)[0].kid
            session.commit()
        voucher = {**voucher, "code": code}
    return voucher


def qr_frame(code: str) -> Image.Image:
    """What a phone camera sees held over the code: the QR in the middle of a 1280×720 frame."""
    frame = Image.new("RGB", (1280, 720), "white")
    code_image = Image.open(io.BytesIO(qr.png(code, box_size=6))).convert("RGB")
    frame.paste(code_image, ((1280 - code_image.width) // 2, (720 - code_image.height) // 2))
    return frame


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture
def filming(playwright, live, tmp_path):
    """filming(code): an enrolled page whose camera films the QR code of `code`."""
    browsers = []

    def make(code: str):
        video = tmp_path / "code.y4m"
        write_y4m(video, qr_frame(code))
        browsers.append(camera_browser(playwright, video))
        return open_page(camera_context(browsers[-1]), live)

    yield make
    for browser in browsers:
        browser.close()


def verdict(page) -> tuple[str, str, str, str]:
    page.wait_for_selector("#verdict:not([hidden])", timeout=30_000)
    return tuple(page.evaluate("""() => [document.getElementById('verdict').className,
        ...['verdict-title', 'verdict-reason', 'verdict-details'].map((id) => document.getElementById(id).textContent)]"""))


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_typed_photographed_and_filmed_code_get_the_same_verdict(filming, live, tmp_path, kind):
    voucher = make_voucher(live, kind)
    page = filming(voucher["code"])
    if kind == "expired":
        page.clock.set_system_time(datetime.now(UTC) + timedelta(days=3))
    check(page, voucher["short_code"])
    typed = verdict(page)
    next_voucher(page)
    photo = tmp_path / "code.png"
    photo.write_bytes(qr.png(voucher["code"], box_size=6))
    page.set_input_files("#upload", str(photo))
    uploaded = verdict(page)
    next_voucher(page)
    page.click("#scan-button")
    filmed = verdict(page)
    assert typed == uploaded == filmed
    assert (typed[0], typed[2]) == EXPECTED[kind]
    assert page.is_visible("#redeem-button") == (kind == "valid")
    if kind == "used":  # when and where, in the office's time
        assert "Bus 142" in typed[3] and "Benutzt" in typed[3]
