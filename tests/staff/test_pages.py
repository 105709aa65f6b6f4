"""The staff pages in Debian's Chromium: signing in, lockout, CSRF, single sign-on, the ticket
counter's flows end to end (re-issue → the verifier refuses the old code after its sync → the new
letter's QR verifies), axe-core on every page, screenshots for the README."""

from __future__ import annotations

import itertools
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from tests.live_server import start_server
from tests.verifier.test_page import check, next_voucher, open_page, sync
from voucher.config import Settings

pytestmark = pytest.mark.browser

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js").read_text(encoding="utf-8")
_names = itertools.count(1)


def accessibility_problems(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE)
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def sign_in(context, live, role: str = "issuer", name: str | None = None, path: str = "/"):
    """A new person of `role`, signed in through the start page's form; returns the page."""
    name = name or f"{role}{next(_names)}"
    password = live.person(name, role)
    page = context.new_page()
    page.goto(live.url + path)
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    return page


def find(page, text: str = "", day: str = "") -> None:
    page.fill("#q", text)
    page.fill("#day", day)
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()


def test_start_page_and_sign_in(context, live, screenshot):
    page = context.new_page()
    page.goto(live.url + "/")
    assert page.locator(".place-name").all_text_contents() == ["Fahrkartenschalter", "Fahrscheinprüfung", "Abrechnung"]
    assert accessibility_problems(page) == []
    screenshot(page, "staff-start.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "staff-start-phone.png", full_page=True)
    page.close()
    page = sign_in(context, live, "issuer", name="anna.schmidt")
    assert "Angemeldet als anna.schmidt (Sachbearbeitung)" in page.text_content("main")
    assert page.locator(".place-name").all_text_contents() == ["Fahrkartenschalter", "Fahrscheinprüfung"]
    assert accessibility_problems(page) == []


def test_language_switch_to_english(context, live):
    page = sign_in(context, live, "finance")
    page.click("button[name=lang]")
    assert page.locator(".place-name").all_text_contents() == ["Check tickets", "Finance"]
    assert page.get_attribute("html", "lang") == "en"


def test_wrong_password_then_lockout(context, live, screenshot):
    name = "sabine.wolf"
    live.person(name, "issuer")
    page = context.new_page()
    page.goto(live.url + "/sign-in")
    for _ in range(4):
        page.fill("#name", name)
        page.fill("#password", "not the password")
        page.click("form.stack button[type=submit]")
        assert page.text_content("#sign-in-problem") == "Benutzername oder Passwort stimmt nicht."
    assert accessibility_problems(page) == []
    screenshot(page, "staff-sign-in.png")
    page.fill("#name", name)
    page.fill("#password", "not the password")
    page.click("form.stack button[type=submit]")
    assert re.fullmatch(r"Zu viele Fehlversuche\. Bitte versuchen Sie es in \d+ Minuten wieder, oder bitten Sie die "
                        r"Verwaltung \(IT\), Ihre Anmeldung sofort zu entsperren\.", page.text_content("#sign-in-problem"))
    page.fill("#name", name)
    page.fill("#password", "correct horse battery staple")
    page.click("form.stack button[type=submit]")
    assert "Zu viele Fehlversuche" in page.text_content("#sign-in-problem")


def test_post_with_the_session_cookie_but_no_csrf_token_is_refused(context, live):
    voucher = live.issue()
    page = sign_in(context, live)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(live.url))
    request = urllib.request.Request(f"{live.url}/counter/vouchers/{voucher['id']}/cancel", method="POST",
                                     data=b"reason=forged", headers={"Cookie": cookie,
                                                                     "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    page.goto(f"{live.url}/counter/vouchers/{voucher['id']}")
    assert page.text_content(".state-lines li").strip() == "Gültig"


@pytest.fixture(scope="module")
def sso(live, tmp_path_factory):
    """A second server on the same database and keys, behind a (pretend) authenticating proxy."""
    folder = tmp_path_factory.mktemp("sso")
    settings = Settings(data_dir=folder, keys_dir=Path(live.app.extensions["voucher"].settings.keys_dir),
                        database_url=live.db.url, trusted_user_header="X-Remote-User")
    url, app, stop = start_server(settings)
    yield url
    stop()


def test_single_sign_on_header_decides_only_when_configured(browser, live, sso, screenshot):
    live.person("sso.anna", "issuer")
    for url, header, expected in ((sso, "sso.anna", "Fahrkartenschalter"), (sso, "stranger", "Kein Zugang"),
                                  (live.url, "sso.anna", "Anmelden")):
        context = browser.new_context(locale="de-DE", extra_http_headers={"X-Remote-User": header})
        page = context.new_page()
        page.goto(url + "/counter/")
        assert page.text_content("h1") == expected
        if expected == "Kein Zugang":
            assert accessibility_problems(page) == []
        context.close()


def test_find_by_code_name_and_date(context, live, screenshot):
    day = live.today(20)
    wanted = live.issue(holder_name="Çağrı Öztürk", valid_from=day, valid_until=day, customer_ref="PSN-77")
    live.issue(holder_name="Çağla Öztürk-Meier")
    page = sign_in(context, live, name="jonas.weber", path="/counter/")
    find(page, "oztürk")
    assert page.locator(".results li").count() == 2
    find(page, "ozturk", day)
    assert page.locator(".results .code").all_text_contents() == [wanted["short_code"]]
    find(page, "PSN-77")
    assert page.locator(".results .code").all_text_contents() == [wanted["short_code"]]
    find(page, "", "")
    find(page, "öztürk")
    assert accessibility_problems(page) == []
    screenshot(page, "staff-counter-search.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "staff-counter-search-phone.png", full_page=True)
    find(page, wanted["short_code"].replace("-", " ").lower())
    assert page.text_content("h1") == f"Fahrschein {wanted['short_code']}"


def test_cancel_with_confirmation(context, live):
    voucher = live.issue(holder_name="Jana Nováková")
    page = sign_in(context, live, path="/counter/")
    find(page, voucher["short_code"])
    page.click("text=Stornieren")
    assert accessibility_problems(page) == []
    page.fill("#reason", "Termin abgesagt")
    page.click("button.danger")
    assert "Storniert am" in page.text_content(".state-lines li") and "(Termin abgesagt)" in page.text_content(".state-lines li")
    assert "Storniert: Termin abgesagt" in page.text_content(".history")


def test_reissue_old_code_refused_by_the_verifier_after_sync_and_new_letter_verifies(context, live, tmp_path, screenshot):
    old = live.issue(holder_name="Ayşe Yılmaz", language="en", appointment_at=None)
    verifier = open_page(context, live)
    assert check(verifier, old["code"]) == "valid"
    next_voucher(verifier)

    page = sign_in(context, live, name="lena.koch", path="/counter/")
    find(page, old["short_code"])
    page.click("text=Neu ausstellen")
    assert accessibility_problems(page) == []
    tomorrow = live.today(1)
    page.fill("#f-valid_from", tomorrow)
    page.fill("#f-valid_until", tomorrow)
    page.fill("#f-destination", "Jobcenter Süd")
    page.click("form.issue button[type=submit]")
    assert "Neuer Fahrschein ausgestellt" in page.text_content(".notice")
    assert page.text_content(".state-lines li").startswith("Gültig")
    assert accessibility_problems(page) == []
    screenshot(page, "staff-voucher.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "staff-voucher-phone.png", full_page=True)
    with page.expect_download() as download:
        page.click("text=Brief herunterladen (Englisch")
    letter = tmp_path / "letter.pdf"
    download.value.save_as(letter)
    (found,) = zxingcpp.read_barcodes(pdfium.PdfDocument(letter.read_bytes())[0].render(scale=200 / 72).to_pil(),
                                      formats=zxingcpp.BarcodeFormat.QRCode)

    sync(verifier)
    assert check(verifier, old["code"]) == "invalid"
    assert "Gesperrt" in verifier.text_content("#verdict-reason")
    next_voucher(verifier)
    verifier.clock.set_system_time(datetime.now(UTC) + timedelta(days=1))
    assert check(verifier, found.text) == "valid"
    assert "Jobcenter Süd" in verifier.text_content("#verdict-details")


def test_issue_form(context, live, screenshot):
    page = sign_in(context, live, name="murat.demir", path="/counter/new")
    options = page.locator("#f-language option").all_text_contents()
    assert options[0].startswith("Arabisch – العربية") and "Deutsch" in options
    assert accessibility_problems(page) == []
    screenshot(page, "staff-issue-form.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "staff-issue-form-phone.png", full_page=True)
    day = live.today(7)
    page.fill("#f-holder_name", "Olena Kovalenko")
    page.fill("#f-valid_from", day)
    page.fill("#f-valid_until", day)
    page.fill("#f-origin", "Musterstadt Hbf")
    page.fill("#f-destination", "Jobcenter Nord")
    page.fill("#f-cost_center", "KST-4711")
    page.fill("#f-appointment_at", f"{live.today(9)}T10:00")
    page.click("form.issue button[type=submit]")
    assert "außerhalb der Gültigkeit" in page.text_content("#e-appointment_at")
    assert accessibility_problems(page) == []
    page.fill("#f-appointment_at", f"{day}T10:00")
    page.click("form.issue button[type=submit]")
    assert page.text_content(".notice") == "Fahrschein ausgestellt. Laden Sie den Brief herunter."


def test_accessibility_check_finds_a_known_problem(context, live):
    """The check above is worth something: a button without a name is a critical violation."""
    page = context.new_page()
    page.goto(live.url + "/")
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    assert [v["id"] for v in accessibility_problems(page)] == ["button-name"]


def test_scan_button_reads_a_photo_of_the_letter_and_opens_its_voucher(context, live, tmp_path):
    voucher = live.issue(holder_name="Olena Kovalenko")
    letter = tmp_path / "letter.png"
    pdfium.PdfDocument(live.letter(voucher))[0].render(scale=150 / 72).to_pil().save(letter)
    blank = tmp_path / "blank.png"
    pdfium.PdfDocument(live.letter(voucher))[0].render(scale=30 / 72).to_pil().crop((0, 0, 200, 100)).save(blank)
    page = sign_in(context, live, path="/counter/")
    page.wait_for_selector("body[data-scan-ready=true]")
    page.click("#scan-open")
    assert page.get_attribute("#scan-open", "aria-expanded") == "true"
    assert accessibility_problems(page) == []
    page.set_input_files("#scan-file", str(blank))
    page.wait_for_selector("#scan-status:has-text('kein QR-Code zu lesen')")
    page.set_input_files("#scan-file", str(letter))
    page.wait_for_url(f"**/counter/vouchers/{voucher['id']}")
    assert page.text_content("h1") == f"Fahrschein {voucher['short_code']}"
