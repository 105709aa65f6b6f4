"""The finance page in Debian's Chromium on a live server holding the demo month: signing in and
who may use it, changing the period, the chart's bars against the API's figures, a flag down to
its voucher's journeys, the demo's Windows-1252 invoice uploaded and shown kind by kind, past
invoices, CSV downloads against the API, CSRF; axe-core on every page; screenshots for the
README (docs/finance-*.png with VOUCHER_SCREENSHOTS=1)."""

from __future__ import annotations

import csv
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.live_server import start_server
from tests.staff.test_pages import accessibility_problems
from voucher.config import Settings
from voucher.db import Database
from voucher.demo import INVOICE_FILE, seed
from voucher.keys import KeyStore
from voucher.services import clients

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Month:
    url: str
    app: object
    settings: Settings
    text: str
    finance: dict
    first: str
    last: str

    def api(self, path: str, **query):
        response = self.app.test_client().get("/api/v1" + path, headers=self.finance, query_string=query)
        assert response.status_code == 200
        return response

    def password(self, name: str) -> str:
        return re.search(rf"\b{name}\s+/ (\S+)", self.text).group(1)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """A live server on the demo month, seeded as `voucher demo` does (development keys)."""
    folder = tmp_path_factory.mktemp("finance")
    settings = Settings(data_dir=folder, keys_dir=folder / "keys")
    db = Database(settings.database)
    db.upgrade()
    now = datetime.now(UTC)
    with db.session() as session:
        text = seed(session, KeyStore(settings.keys_dir), settings, "http://demo.test", now)
        token = clients.create_token(session, "finance", "browser-test", now)
        session.commit()
    db.engine.dispose()
    url, app, stop = start_server(settings)
    first, last = (datetime.strptime(d, "%d.%m.%Y").date().isoformat()
                   for d in re.search(r"Demo month (\S+) – (\S+):", text).groups())
    yield Month(url, app, settings, text, {"Authorization": f"Bearer {token}"}, first, last)
    stop()


def de_euros(cents: int) -> str:
    """4,80 € / 1.234,50 €, as the page writes them (with a no-break space)."""
    whole = f"{abs(cents) // 100:,}".replace(",", ".")
    return f"{'-' if cents < 0 else ''}{whole},{abs(cents) % 100:02d}\u00a0€"


def signed_in(context, month: Month, name: str = "finanzen", path: str = "/finance/"):
    page = context.new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(f"{month.url}/sign-in?next={urllib.parse.quote(path)}")
    page.fill("#name", name)
    page.fill("#password", month.password(name))
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    return page


def test_finance_signs_in_and_may_not_use_the_counter(context, month):
    page = signed_in(context, month)
    assert page.text_content("h1") == "Abrechnung" and page.url.endswith("/finance/")
    assert page.goto(month.url + "/counter/").status == 403
    assert page.text_content("h1") == "Nicht erlaubt"
    assert accessibility_problems(page) == []


def test_the_counter_may_not_use_finance(context, month):
    page = signed_in(context, month, "schalter", "/counter/")
    assert page.goto(month.url + "/finance/").status == 403


def test_overview_figures_and_chart_are_the_apis(context, month, screenshot):
    page = signed_in(context, month)
    api = month.api("/reconciliation", **{"from": month.first, "to": month.last}).get_json()
    for column, value in api["totals"].items():
        shown = page.text_content(f'#totals [data-column="{column}"] .figure')
        assert shown == (de_euros(value) if column == "owed_cents" else str(value))
    by_day = {row["date"]: row for row in api["by_day"]}
    for key in ("redeemed", "owed_cents"):
        bars = page.eval_on_selector_all(f"#chart-{key} rect.bar", "bars => bars.map(b => [b.dataset.day, +b.dataset.value])")
        assert len(bars) == 30 and sum(value for _, value in bars) == api["totals"][key] > 0
        assert all(value == by_day.get(day, {}).get(key, 0) for day, value in bars)
    assert page.locator("#chart-redeemed svg[role=img]").get_attribute("aria-label").startswith("Fahrten pro Tag")
    assert accessibility_problems(page) == []
    screenshot(page, "finance-overview.png", full_page=True)
    page.set_viewport_size(PHONE)
    screenshot(page, "finance-overview-phone.png", full_page=True)
    page.click("details.as-table summary")
    assert page.locator("#by_day tbody tr").count() == 30
    assert accessibility_problems(page) == []


def test_changing_the_period(context, month):
    page = signed_in(context, month)
    page.click(".presets li:nth-child(2) a")  # this month so far
    first = page.input_value("#from")
    assert first.endswith("-01") and page.url.endswith(f"from={first}&to={month.last}")
    page.fill("#from", month.last)
    page.fill("#to", month.last)
    page.click("form.dates button[type=submit]")
    api = month.api("/reconciliation", **{"from": month.last, "to": month.last}).get_json()
    assert page.text_content('#totals [data-column="issued"] .figure') == str(api["totals"]["issued"])
    assert page.locator("#chart-redeemed rect.bar").count() == 1
    page.fill("#from", month.last)
    page.fill("#to", month.first)
    page.click("form.dates button[type=submit]")
    assert page.text_content("#period-problem") == "„Bis“ darf nicht vor „Von“ liegen."


def test_a_flag_leads_to_its_vouchers_journeys(context, month, screenshot):
    page = signed_in(context, month, path=f"/finance/flags?from={month.first}&to={month.last}")
    assert accessibility_problems(page) == []
    screenshot(page, "finance-flags.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert accessibility_problems(page) == []
    page.set_viewport_size(DESKTOP)
    assert "Der Fahrschein wurde für mehr Fahrten benutzt, als er erlaubt." in page.text_content(".legend")
    page.click('#flags tr[data-kind="redeemed_after_revocation"] a.code')
    assert page.text_content("#voucher-flags").strip().startswith("Nach Stornierung genutzt")
    assert page.locator('#journeys tr[data-outcome="revoked"]').count() == 1
    assert "Offline angenommen" in page.text_content("#journeys")
    code = page.text_content("h1").removeprefix("Fahrschein ")
    detail = month.api(f"/reconciliation/vouchers/{code}").get_json()
    assert page.locator("#journeys tbody tr").count() == len(detail["redemptions"])
    assert accessibility_problems(page) == []
    screenshot(page, "finance-voucher.png", full_page=True)
    page.click("text=← Zurück zur Abrechnung")
    assert page.text_content("h1") == "Abrechnung"


def test_double_use_shows_both_journeys(context, month):
    page = signed_in(context, month, path=f"/finance/flags?from={month.first}&to={month.last}")
    page.click('#flags tr[data-kind="double_use"] a.code')
    # A single trip: one journey accepted, the second a double use; a reception check-in, when
    # the holder had one, is an attendance beside them, never a journey.
    assert page.locator('#journeys tr[data-outcome="accepted"][data-purpose="journey"]').count() == 1
    assert page.locator('#journeys tr[data-outcome="duplicate"][data-purpose="journey"]').count() == 1
    assert page.locator('#journeys tr[data-purpose="reception"][data-outcome="duplicate"]').count() == 0


KIND_ROWS = "#invoice-kinds tbody tr"


def test_uploading_the_demo_invoice_shows_every_kind_with_count_and_sum(context, month, screenshot):
    page = signed_in(context, month, path="/finance/invoices")
    assert accessibility_problems(page) == []
    page.set_input_files("#invoice", str(month.settings.data_dir / INVOICE_FILE))
    page.fill("#operator", "Musterstadt Verkehrsbetriebe")
    page.click("form.upload button[type=submit]")
    assert page.text_content(".notice") == "Die Rechnung ist gespeichert und geprüft."
    invoice_id = int(page.url.rsplit("/", 1)[1])
    stored = month.api(f"/invoices/{invoice_id}").get_json()
    shown = {row.get_attribute("data-kind"): (row.locator("td").nth(0).text_content(), row.locator("td").nth(1).text_content())
             for row in page.locator(KIND_ROWS).all()}
    for kind in ("matched", "over_max_fare", "credited", "billed_twice", "billed_after_revocation", "billed_not_redeemed",
                 "date_mismatch", "redeemed_not_billed", "rejected_lines"):
        count, amount = shown[kind]
        assert int(count) == len(stored[kind]) > 0, kind
        if kind == "over_max_fare":  # its excess; the rest of those lines is under matched
            assert amount == de_euros(sum(line["excess_cents"] for line in stored[kind]))
        elif kind == "matched":
            assert amount == de_euros(sum(line["amount_cents"] - line.get("excess_cents", 0) for line in stored[kind]))
        elif kind != "redeemed_not_billed":
            assert amount == de_euros(sum(line["amount_cents"] or 0 for line in stored[kind]))
    assert page.locator("#lines-rejected_lines tbody tr").count() == 1
    assert "bitte das Jahr vierstellig schreiben" in page.text_content("#lines-rejected_lines")
    assert "Windows-1252" in page.text_content("#invoice-summary")
    assert accessibility_problems(page) == []
    screenshot(page, "finance-invoice.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert accessibility_problems(page) == []
    screenshot(page, "finance-invoice-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.click("text=← Zu den Rechnungen")
    rows = page.locator("#past-invoices tbody tr")
    assert rows.count() == 2 and rows.first.get_attribute("data-invoice") == str(invoice_id)
    # The demo's first invoice overcharges one journey above the fare table: to review too.
    assert [rows.nth(n).locator(".state").text_content() for n in (0, 1)] == ["Zu prüfen", "Zu prüfen"]
    screenshot(page, "finance-invoices.png", full_page=True)
    page.click(f'#past-invoices tr[data-invoice="{invoice_id}"] a')
    with page.expect_download() as download:
        page.click("form.download button[type=submit]")
    body = open(download.value.path(), encoding="utf-8-sig", newline="").read()
    assert body.startswith("Rechnung\r\n") and ";" in body.splitlines()[1] and "Verkehrsunternehmen" in body


def _upload_page(page, content: bytes, name: str, operator: str | None = None) -> int:
    page.goto(page.url.split("/finance/")[0] + "/finance/invoices")
    page.set_input_files("#invoice", {"name": name, "mimeType": "text/csv", "buffer": content})
    if operator:
        page.fill("#operator", operator)
    page.click("form.upload button[type=submit]")
    return int(page.url.rsplit("/", 1)[1])


def test_a_correction_shows_the_difference_line_by_line(context, month, screenshot):
    """The operator sends the demo's first invoice again under its number: the overcharged line
    billed right, one journey left out. Only the difference is payable, shown per journey."""
    page = signed_in(context, month, path="/finance/invoices")
    first = month.api("/invoices/1").get_json()
    lines = sorted(first["matched"], key=lambda line: line["line"])
    over = next(line for line in lines if line.get("excess_cents"))
    dropped = next(line for line in lines if line is not over)
    rows = ["sep=;", "Rechnungsnummer;voucher_id;travel_date;amount"]
    for line in lines:
        if line is not dropped:
            cents = line["amount_cents"] - line.get("excess_cents", 0)
            day = datetime.fromisoformat(line["travel_date"])
            rows.append(f"{first['invoice']['number']};{line['voucher_id']};{day:%d.%m.%Y};{cents // 100},{cents % 100:02d}")
    invoice_id = _upload_page(page, ("\r\n".join(rows) + "\r\n").encode("cp1252"), "korrektur.csv",
                              first["invoice"]["operator"])
    report = month.api(f"/invoices/{invoice_id}").get_json()
    assert report["invoice"]["corrects_id"] == 1
    assert report["totals"]["payable_cents"] == -(dropped["amount_cents"] - dropped.get("excess_cents", 0))
    assert page.locator('#lines-corrections tr[data-direction="owed_back"]').count() == 1
    assert "Zu zahlen (Unterschied)" in page.text_content("#invoice-totals")
    assert accessibility_problems(page) == []
    page.locator("#corrections-heading").scroll_into_view_if_needed()
    screenshot(page, "finance-invoice-correction.png", full_page=True)


def test_a_refused_line_is_shown_with_its_reason_and_the_line_counts_add_up(context, month, screenshot):
    page = signed_in(context, month, path="/finance/invoices")
    newest = month.api("/invoices").get_json()["invoices"][0]["id"]
    unbilled = month.api(f"/invoices/{newest}").get_json()["redeemed_not_billed"][:3]
    rows = ["voucher_id;travel_date;amount;Bemerkung"]
    for n, line in enumerate(unbilled):
        day = datetime.fromisoformat(line["redeemed_at"]).astimezone(ZoneInfo("Europe/Berlin"))
        remark = '"Umstieg Hauptbahnhof' if n == 1 else "Einzelfahrt"
        rows.append(f"{line['voucher_id']};{day:%d.%m.%Y};2,40;{remark}")
    invoice_id = _upload_page(page, ("\r\n".join(rows) + "\r\n").encode("cp1252"), "rechnung-november.csv")
    assert page.text_content("#invoice-line-counts") == (
        "Zeilen in der Datei: 3 · gelesen: 2 · abgelehnt: 1 · Summenzeilen: 0")
    assert "Anführungszeichen" in page.text_content("#lines-rejected_lines")
    assert "Umstieg Hauptbahnhof" in page.text_content("#lines-rejected_lines")  # the line as written
    assert page.locator("#lines-matched tbody tr").count() == 2
    assert month.api(f"/invoices/{invoice_id}").get_json()["invoice"]["status"] == "review"
    assert accessibility_problems(page) == []
    screenshot(page, "finance-invoice-refused-line.png", full_page=True)


def test_reconciliation_csv_download_equals_the_apis(context, month):
    page = signed_in(context, month)
    page.select_option("#csv-table", "by_cost_center")
    with page.expect_download() as download:
        page.click("form.download button[type=submit]")
    rows = list(csv.DictReader(open(download.value.path(), encoding="utf-8-sig"), delimiter=";"))
    api = month.api("/reconciliation", **{"from": month.first, "to": month.last}).get_json()
    unknown = {"(unknown voucher)": "(kein bekannter Fahrschein)"}  # the page's words for scans of no voucher
    assert {row["Kostenstelle"]: (int(row["Fahrten"]), row["Forderung in €"]) for row in rows} == {
        unknown.get(row["cost_center"], row["cost_center"]): (
            row["redeemed"], f"{row['owed_cents'] // 100},{row['owed_cents'] % 100:02d}")
        for row in api["by_cost_center"]}
    page.uncheck("form.download input[name=decimal]")
    page.select_option("#csv-table", "")
    with page.expect_download() as download:
        page.click("form.download button[type=submit]")
    assert open(download.value.path(), encoding="utf-8-sig", newline="").read() == month.api(
        "/reconciliation", **{"from": month.first, "to": month.last, "format": "csv"}).get_data(as_text=True).lstrip("\ufeff")


def test_upload_with_the_session_cookie_and_no_csrf_token_is_refused(context, month):
    signed_in(context, month)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(month.url))
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="invoice"; filename="r.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\nvoucher_id;travel_date;amount\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(f"{month.url}/finance/invoices", data=body, method="POST", headers={
        "Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_english(context, month):
    page = signed_in(context, month)
    page.click("button[name=lang]")
    assert page.text_content("h1") == "Finance"
    assert page.text_content('#totals [data-column="owed_cents"] dt') == "Owed in €"
    assert page.text_content('#totals [data-column="owed_cents"] .figure').startswith("€")
    assert accessibility_problems(page) == []
