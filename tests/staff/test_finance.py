"""The finance page through the real routes, on both databases: who may use it, the figures of
the API in finance's words, flags a page at a time, one voucher's journeys without personal
data, invoice upload (a Windows-1252 German export) with each kind counted and summed, refusals
in German, CSV downloads, English."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from tests.staff.conftest import csrf_token, sign_in
from voucher.finance import report as finance_report
from voucher.staff.i18n import euros


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def journeys(issue, client, auth, clock):
    """Two vouchers on 3 December: a return trip with a maximum fare used three times (one too
    many), and a single trip in a zone without any fare. Returns (the vouchers, the API's report)."""
    capped = issue(max_fare_cents=480, return_trip=True, holder_name="Ayşe Yılmaz", customer_ref="PSN-4711",
                   recipient_address=["Lindenweg 4", "12345 Musterstadt"])
    unpriced = issue(origin=None, destination=None, zone="Q", max_fare_cents=None, return_trip=False, cost_center="KST-9")
    clock.advance(days=2, hours=4)
    scans = [(capped, "a", "08:00"), (capped, "b", "09:00"), (capped, "c", "10:00"), (unpriced, "d", "08:30")]
    body = {"device_id": "bus-142", "redemptions": [
        {"client_id": cid, "code": v["code"], "redeemed_at": f"2026-12-03T{at}:00Z", "location": "Bus 142"} for v, cid, at in scans]}
    assert client.post("/api/v1/redemptions", json=body, headers=auth("verifier")).status_code == 200
    report = client.get("/api/v1/reconciliation?from=2026-12-01&to=2026-12-05", headers=auth("finance")).get_json()
    return (capped, unpriced), report


@pytest.fixture
def clerk(client, person):
    person("fritz", "finance")
    assert sign_in(client, "fritz").status_code == 302
    return client


PERIOD = {"from": "2026-12-01", "to": "2026-12-05"}


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get("/finance/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=/finance/")


@pytest.mark.parametrize(("role", "page", "status"), [("issuer", "/finance/", 403), ("finance", "/counter/", 403),
                                                      ("admin", "/finance/", 200), ("finance", "/finance/invoices", 200)])
def test_roles(client, person, role, page, status):
    person("someone", role)
    sign_in(client, "someone")
    assert client.get(page).status_code == status


def test_overview_shows_the_apis_figures_in_finance_words(journeys, clerk):
    _, api = journeys
    page = text(clerk.get("/finance/", query_string=PERIOD))
    for word in ("Ausgegeben", "Fahrten", "Storniert", "Verfallen", "Auffällig", "Forderung in €", "Ohne Fahrpreis"):
        assert f"<dt>{word}</dt>" in page
    cards = dict(re.findall(r'data-column="(\w+)">\s*<dt>[^<]*</dt>\s*<dd class="figure">([^<]*)</dd>', page))
    assert cards == {c: euros_de(v) if c == "owed_cents" else str(v) for c, v in api["totals"].items()}
    assert api["totals"]["owed_cents"] == 960 and api["totals"]["no_fare"] == 1


def euros_de(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}\u00a0€"


@pytest.mark.parametrize("key", ["redeemed", "owed_cents"])
def test_chart_has_a_bar_for_every_day_with_the_apis_values(journeys, clerk, key):
    _, api = journeys
    page = text(clerk.get("/finance/", query_string=PERIOD))
    chart = page.split(f'id="chart-{key}"', 1)[1].split("</figure>", 1)[0]
    bars = dict(re.findall(r'data-day="([\d-]+)" data-value="(\d+)"', chart))
    expected = {f"2026-12-0{d}": 0 for d in range(1, 6)} | {row["date"]: row[key] for row in api["by_day"]}
    assert bars == {day: str(value) for day, value in expected.items()}
    assert re.search(r'<svg [^>]*role="img" aria-label="[^"]+', chart)


def test_finance_pages_run_no_script_and_hold_no_token(journeys, clerk):
    (capped, unpriced), _ = journeys
    invoice = _upload(clerk, _invoice(capped, unpriced)).headers["Location"]
    for path in ("/finance/", "/finance/flags", "/finance/invoices", f"/finance/vouchers/{capped['id']}", invoice):
        page = text(clerk.get(path))
        assert "<script" not in page and not re.search(r"\son[a-z]+=", page) and "Bearer" not in page


def test_an_unreadable_period_is_a_400_that_says_why(clerk):
    response = clerk.get("/finance/", query_string={"from": "2026-12-05", "to": "2026-12-01"})
    assert response.status_code == 400 and "„Bis“ darf nicht vor „Von“ liegen." in text(response)


def test_flags_come_a_page_at_a_time(journeys, clerk, monkeypatch):
    monkeypatch.setattr(finance_report, "FLAGS_PER_PAGE", 1)
    first = text(clerk.get("/finance/flags", query_string=PERIOD))
    assert first.count('<tr data-kind="') == 1 and "Auffälligkeiten 1 bis 1" in first
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    second = text(clerk.get(following))
    assert second.count('<tr data-kind="') == 1 and "Auffälligkeiten 2 bis 2" in second
    kinds = {re.search(r'<tr data-kind="(\w+)"', page).group(1) for page in (first, second)}
    assert kinds == {"double_use", "no_fare"}
    assert "Der Fahrschein wurde für mehr Fahrten benutzt, als er erlaubt." in first + second


def test_a_cursor_not_handed_out_starts_at_the_first_page(journeys, clerk):
    response = clerk.get("/finance/flags", query_string={**PERIOD, "cursor": "nonsense"})
    assert response.status_code == 200 and "Auffälligkeiten 1 bis 2" in text(response)


def test_a_vouchers_page_shows_its_journeys_and_no_personal_data(journeys, clerk):
    (capped, _), _ = journeys
    page = text(clerk.get(f"/finance/vouchers/{capped['short_code']}", query_string=PERIOD))
    assert page.count('<tr data-outcome="accepted" data-purpose="journey">') == 2 and page.count('<tr data-outcome="duplicate" data-purpose="journey">') == 1
    assert "Doppelt genutzt" in page and "4,80\u00a0€" in page and "KST-4711" in page
    for private in ("Ayşe", "Yılmaz", "PSN-4711", "Lindenweg", capped["code"], "Jobcenter Nord, Raum"):
        assert private not in page


def _upload(client, content: bytes, **fields):
    token = csrf_token(client.get("/finance/invoices").get_data(as_text=True))
    return client.post("/finance/invoices", content_type="multipart/form-data",
                       data={"csrf_token": token, "invoice": (io.BytesIO(content), "rechnung.csv"), **fields})


def _invoice(capped: dict, unpriced: dict) -> bytes:
    """As German Excel saves it: Windows-1252, `;`, euros with a comma, one line it cannot read."""
    lines = ["sep=;", "Rechnungsnummer;Haltestelle;voucher_id;travel_date;amount",
             f"RE-1;Münchner Straße;{capped['short_code']};03.12.2026;5,00 €",
             f"RE-1;Münchner Straße;{capped['short_code']};03.12.2026;4,80 €",
             f"RE-1;Hauptbahnhof;{unpriced['short_code']};03.12.2026;2,90 €",
             f"RE-1;Hauptbahnhof;{unpriced['short_code']};03.12.2026;2,90 €",
             f"RE-1;Hauptbahnhof;{unpriced['short_code']};03.12.26;2,90 €"]
    return "\r\n".join(lines).encode("cp1252")


def test_invoice_upload_shows_each_kind_with_count_and_sum(journeys, clerk):
    (capped, unpriced), _ = journeys
    response = _upload(clerk, _invoice(capped, unpriced), operator="Musterbus")
    assert response.status_code == 302
    page = text(clerk.get(response.headers["Location"]))
    assert "Die Rechnung ist gespeichert und geprüft." in page and "Musterbus" in page and "Windows-1252" in page
    rows = dict((kind, (count, amount)) for kind, count, amount in re.findall(
        r'<tr data-kind="(\w+)"[^>]*>\s*<th[^>]*>.*?</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>([^<]*)</td>', page, re.S))
    # The line above the maximum fare counts once: its excess as over_max_fare, the rest matched;
    # the unpriced voucher's journey has no fare and is not payable.
    assert rows["matched"] == ("2", "9,60\u00a0€") and rows["over_max_fare"] == ("1", "0,20\u00a0€")
    assert rows["no_fare"] == ("1", "2,90\u00a0€")
    assert rows["billed_twice"] == ("1", "2,90\u00a0€") and rows["rejected_lines"] == ("1", "2,90\u00a0€")
    assert rows["redeemed_not_billed"] == ("0", "–")
    assert "Zeile 7" not in page and "\"03.12.26\": bitte das Jahr vierstellig schreiben (03.12.2026)." in page
    assert "Geschuldet 4,80\u00a0€ (Tarif keiner, Höchstpreis 4,80\u00a0€); nicht zu zahlen: 0,20\u00a0€" in page


def test_the_same_file_again_shows_the_stored_report(journeys, clerk):
    (capped, unpriced), _ = journeys
    first = _upload(clerk, _invoice(capped, unpriced))
    again = _upload(clerk, _invoice(capped, unpriced))
    assert again.headers["Location"] == first.headers["Location"]
    assert "Diese Datei wurde schon einmal hochgeladen" in text(clerk.get(again.headers["Location"]))


def test_past_invoices_are_listed_with_their_status(journeys, clerk):
    (capped, unpriced), _ = journeys
    _upload(clerk, f"voucher_id;travel_date;amount_cents\n{capped['id']};2026-12-03;480\n".encode())
    _upload(clerk, _invoice(capped, unpriced), operator="Musterbus")
    page = text(clerk.get("/finance/invoices"))
    rows = re.findall(r'<tr data-invoice="(\d+)">.*?<span class="state [^"]+">([^<]+)</span>', page, re.S)
    assert rows == [("2", "Zu prüfen"), ("1", "In Ordnung")]


def test_a_journey_without_fare_makes_the_invoice_to_review_not_ok(journeys, clerk):
    (_, unpriced), _ = journeys
    _upload(clerk, f"voucher_id;travel_date;amount_cents\n{unpriced['id']};2026-12-03;290\n".encode())
    page = text(clerk.get("/finance/invoices"))
    assert re.findall(r'<span class="state [^"]+">([^<]+)</span>', page) == ["Zu prüfen"]


@pytest.mark.parametrize(("content", "fields", "status", "sentence"), [
    (None, {}, 400, "Bitte eine Datei auswählen."),
    (b"Datum;Betrag\n03.12.2026;4,80\n", {}, 400, "Die Rechnung braucht eine Kopfzeile mit den Spalten voucher_id"),
    (b"voucher_id;travel_date;amount\n", {}, 400, "Die Rechnung hat unter der Kopfzeile keine Zeilen."),
    (b"voucher_id;travel_date;amount\nX;03.12.2026;1\n", {"from": "2026-12-09", "to": "2026-12-01"}, 400,
     "„Bis“ darf nicht vor „Von“ liegen."),
    (b"voucher_id;travel_date;amount\nX;03.12.2026;1\n", {"operator": "x" * 65}, 400, "höchstens 64 Zeichen"),
])
def test_upload_refusals_say_why_in_german(clerk, content, fields, status, sentence):
    if content is None:
        token = csrf_token(clerk.get("/finance/invoices").get_data(as_text=True))
        response = clerk.post("/finance/invoices", data={"csrf_token": token}, content_type="multipart/form-data")
    else:
        response = _upload(clerk, content, **fields)
    assert response.status_code == status and sentence in text(response)


def test_an_invoice_over_the_limit_is_a_413_page(clerk, app, monkeypatch):
    monkeypatch.setattr(app.view_functions["finance.upload"], "max_content_length", 2000)
    response = _upload(clerk, b"voucher_id;travel_date;amount\n" + b"0RV4K8ZQ3M2TA;03.12.2026;4,80\n" * 100)
    assert response.status_code == 413 and "größer als 50 MB" in text(response)


def test_upload_without_the_csrf_token_is_refused(journeys, clerk):
    (capped, unpriced), _ = journeys
    response = clerk.post("/finance/invoices", content_type="multipart/form-data",
                          data={"invoice": (io.BytesIO(_invoice(capped, unpriced)), "rechnung.csv")})
    assert response.status_code == 400 and "Bitte noch einmal" in text(response)
    assert "Rechnung 1" not in text(clerk.get("/finance/invoices"))


def test_reconciliation_csv_for_german_excel(journeys, clerk):
    response = clerk.get("/finance/report.csv", query_string={**PERIOD, "table": "by_cost_center", "decimal": "comma"})
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert {(r["Kostenstelle"], r["Fahrten"], r["Forderung in €"]) for r in rows} == {("KST-4711", "2", "9,60"),
                                                                                   ("KST-9", "1", "0,00")}


def test_invoice_report_csv(journeys, clerk):
    (capped, unpriced), _ = journeys
    location = _upload(clerk, _invoice(capped, unpriced)).headers["Location"]
    response = clerk.get(f"{location}/report.csv")
    body = response.get_data(as_text=True).lstrip("\ufeff")
    assert response.status_code == 200 and body.startswith("invoice\r\n")
    rows = list(csv.reader(io.StringIO(body)))
    start = rows.index(["billed_twice"]) + 1
    table = [dict(zip(rows[start], row)) for row in rows[start + 1:rows.index([], start)]]
    assert [(row["voucher_id"], row["amount_cents"]) for row in table] == [(unpriced["id"], "290")]


def test_an_unknown_invoice_or_voucher_is_a_404_page(clerk):
    assert clerk.get("/finance/invoices/77").status_code == 404
    assert clerk.get("/finance/vouchers/0000000000000").status_code == 404


def test_english_is_the_second_language(journeys, clerk):
    token = csrf_token(clerk.get("/finance/").get_data(as_text=True))
    clerk.post("/language", data={"lang": "en", "next": "/finance/", "csrf_token": token})
    page = text(clerk.get("/finance/", query_string=PERIOD))
    for word in ("Issued", "Journeys", "Cancelled", "Expired unused", "Flagged", "Owed in €", "Without fare", "€9.60",
                 "The voucher was used for more journeys than it allows."):
        assert word in page


@pytest.mark.parametrize(("lang", "cents", "shown"), [("de", 123450, "1.234,50\u00a0€"), ("en", 123450, "€1,234.50"),
                                                        ("de", -480, "-4,80\u00a0€"), ("de", 5, "0,05\u00a0€")])
def test_euros_are_written_the_way_the_reader_expects(app, lang, cents, shown):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert euros(cents) == shown
