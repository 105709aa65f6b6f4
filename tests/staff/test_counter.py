"""The ticket counter through the real routes: find, read the state and history in words,
cancel, re-issue, print, issue from the form; everything in the audit log under the person."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import select

from tests.staff.conftest import csrf_token, post_form, sign_in
from voucher.services import retirement
from voucher.store import AuditEvent, Revocation, Voucher
from voucher.token import format


def text(response) -> str:
    return response.get_data(as_text=True)


def voucher_page(client, voucher_id: str) -> str:
    response = client.get(f"/counter/vouchers/{voucher_id}")
    assert response.status_code == 200
    return text(response)


def test_typed_short_code_in_any_spelling_opens_the_voucher(issuer, issue):
    voucher = issue()
    response = issuer.get("/counter/", query_string={"q": voucher["short_code"].lower().replace("-", " ")})
    assert response.headers["Location"] == f"/counter/vouchers/{voucher['id']}"


def test_scanned_qr_text_opens_the_voucher(issuer, issue):
    voucher = issue()
    response = issuer.get("/counter/", query_string={"q": voucher["code"]})
    assert response.headers["Location"] == f"/counter/vouchers/{voucher['id']}"


@pytest.mark.parametrize("typed", ["yilmaz", "AYSE", "ayşe yıl", "Yılmaz"])
def test_name_search_ignores_case_and_accents(issuer, issue, typed):
    voucher = issue(holder_name="Ayşe Yılmaz")
    issue(holder_name="Łukasz Wiśniewski")
    page = text(issuer.get("/counter/", query_string={"q": typed}))
    assert voucher["short_code"] in page and "Gefunden: 1" in page


def test_name_search_treats_percent_and_underscore_as_letters(issuer, issue):
    issue(holder_name="Ayşe Yılmaz")
    assert "Gefunden: 0" in text(issuer.get("/counter/", query_string={"q": "%"}))


@pytest.mark.parametrize("field", ["external_ref", "customer_ref"])
def test_reference_finds_its_voucher(issuer, issue, field):
    voucher = issue(**{field: "REF-2026-0815"})
    issue()
    page = text(issuer.get("/counter/", query_string={"q": "REF-2026-0815"}))
    assert voucher["short_code"] in page and "Gefunden: 1" in page


def test_date_finds_the_vouchers_valid_that_day(issuer, issue):
    on_day = issue(valid_from="2026-12-03", valid_until="2026-12-05")
    issue(valid_from="2026-12-07", valid_until="2026-12-07")
    page = text(issuer.get("/counter/", query_string={"day": "2026-12-04"}))
    assert on_day["short_code"] in page and "Gefunden: 1" in page


def test_unreadable_date_is_a_400_with_a_sentence(issuer):
    response = issuer.get("/counter/", query_string={"day": "3.12."})
    assert response.status_code == 400 and "Das Datum ist nicht lesbar." in text(response)


def test_valid_voucher_reads_as_valid_with_journeys_used(issuer, issue, client, auth, clock):
    voucher = issue(return_trip=True)
    clock.advance(days=2)
    sign_in(issuer, "anna")  # the session idled out meanwhile
    body = {"device_id": "bus-7", "redemptions": [{"client_id": "c-1", "code": voucher["code"], "redeemed_at": "2026-12-03T08:00:00Z"}]}
    assert client.post("/api/v1/redemptions", json=body, headers=auth("verifier")).status_code == 200
    page = voucher_page(issuer, voucher["id"])
    assert "Gültig – 1 von 2 Fahrten genutzt" in page
    assert "Fahrt entwertet (bus-7)" in page


def test_expired_voucher_reads_as_expired(issuer, issue, clock):
    voucher = issue()
    clock.advance(days=5)
    sign_in(issuer, "anna")
    assert "Abgelaufen" in voucher_page(issuer, voucher["id"])


def test_cancel_asks_for_a_reason_before_it_cancels(issuer, issue, db):
    voucher = issue()
    confirm = text(issuer.get(f"/counter/vouchers/{voucher['id']}/cancel"))
    assert "Ja, stornieren" in confirm
    refused = post_form(issuer, f"/counter/vouchers/{voucher['id']}/cancel", {"reason": "  "})
    assert refused.status_code == 422
    with db.session() as session:
        assert session.scalar(select(Revocation).where(Revocation.voucher_id == voucher["id"])) is None


def test_cancel_with_a_reason_revokes_under_the_persons_name(issuer, issue, db):
    voucher = issue()
    response = post_form(issuer, f"/counter/vouchers/{voucher['id']}/cancel", {"reason": "Termin abgesagt"})
    assert response.status_code == 302
    page = voucher_page(issuer, voucher["id"])
    assert "Storniert am 01.12.2026 (Termin abgesagt)" in page
    assert "Storniert: Termin abgesagt" in page  # the history
    with db.session() as session:
        revocation = session.scalar(select(Revocation).where(Revocation.voucher_id == voucher["id"]))
        assert revocation.actor == "user:anna"


def reissue(client, voucher_id: str, **changes):
    page = text(client.get(f"/counter/vouchers/{voucher_id}/reissue"))
    values = dict(re.findall(r'name="([a-z_0-9]+)" type="(?:text|date|number|datetime-local)" value="([^"]*)"', page))
    values.update(route="stops", language="de", fare_class="2", csrf_token=csrf_token(page), **changes)
    return client.post(f"/counter/vouchers/{voucher_id}/reissue", data=values)


def test_reissue_for_a_new_date_replaces_and_revokes_the_old_voucher(issuer, issue, db):
    old = issue(holder_name="Ayşe Yılmaz", max_fare_cents=480, customer_ref="PSN-1")
    response = reissue(issuer, old["id"], valid_from="2026-12-10", valid_until="2026-12-10")
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    new_page = voucher_page(issuer, new_id)
    assert "Ayşe Yılmaz" in new_page and "4,80\u00a0€" in new_page and "PSN-1" in new_page and "10.12.2026" in new_page
    assert f'Ersetzt <a href="/counter/vouchers/{old["id"]}">{old["short_code"]}</a>' in new_page
    old_page = voucher_page(issuer, old["id"])
    assert "Ersetzt durch" in old_page and f'/counter/vouchers/{new_id}"' in old_page
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.voucher_id.in_([old["id"], new_id]))).all()
        assert {(e.action, e.actor) for e in events} >= {("issue", "user:anna"), ("revoke", "user:anna")}


def test_a_reissue_after_a_key_compromise_reads_as_such_at_the_counter(issuer, issue, app, clock):
    old = issue()
    services = app.extensions["voucher"]
    with services.db.session() as session:
        (new_id,) = [v.id for v in retirement.retire(session, services.keystore, services.settings, old["kid"],
                                                      clock.now, "cli", compromised=True).letters]
    assert "Ersetzt durch" in voucher_page(issuer, old["id"])
    assert f"Neuausstellung nach Schlüsselkompromittierung (Schlüssel {old['kid']})" in voucher_page(issuer, new_id)


def test_reissue_of_an_already_replaced_voucher_is_refused(issuer, issue):
    old = issue()
    assert reissue(issuer, old["id"], valid_from="2026-12-10", valid_until="2026-12-10").status_code == 302
    again = reissue(issuer, old["id"], valid_from="2026-12-11", valid_until="2026-12-11")
    assert again.status_code == 422 and "already been replaced" in text(again)


def test_letter_downloads_in_the_holders_language_with_a_qr_that_verifies(issuer, issue, app, db, clock):
    voucher = issue(language="en")
    response = issuer.get(f"/counter/vouchers/{voucher['id']}/letter.pdf")
    assert response.mimetype == "application/pdf" and "attachment" in response.headers["Content-Disposition"]
    page = pdfium.PdfDocument(response.data)[0]
    assert "Invitation to your appointment" in page.get_textpage().get_text_range()
    (found,) = zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)
    trust = app.extensions["voucher"].keystore.trust_list()
    assert format.verify(found.text, trust, clock.now.replace(day=3)).claims.voucher_id == voucher["id"]
    with db.session() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "letter")).all()
        assert event.actor == "user:anna" and event.detail == {"language": "en"}


def test_issue_form_issues_a_voucher_under_the_persons_name(issuer, db):
    form = {"holder_name": "Zofia Łukasiewicz", "valid_from": "2026-12-03", "valid_until": "2026-12-03",
            "route": "zone", "zone": "AB", "cost_center": "KST-1", "max_fare": "4,80", "travellers": "2",
            "fare_class": "2", "language": "de", "appointment_at": "2026-12-03T10:30", "return_trip": "yes",
            "address_1": "Lindenweg 4", "address_2": "12345 Musterstadt"}
    response = post_form(issuer, "/counter/new", form)
    assert response.status_code == 302
    page = text(issuer.get(response.headers["Location"]))
    for shown in ("Zofia Łukasiewicz", "Tarifzone AB", "4,80\u00a0€", "Hin- und Rückfahrt", "03.12.2026, 10:30", "Lindenweg 4, 12345 Musterstadt"):
        assert shown in page


@pytest.mark.parametrize("typed", ["4,80", "4.80", "4,80 €", "€ 4.80"])
def test_max_fare_reads_a_decimal_comma_or_point(issuer, db, typed):
    form = {"holder_name": "Zofia", "valid_from": "2026-12-03", "valid_until": "2026-12-03", "route": "stops",
            "origin": "A", "destination": "B", "cost_center": "KST-1", "max_fare": typed}
    response = post_form(issuer, "/counter/new", form)
    assert response.status_code == 302
    with db.session() as session:
        assert session.scalar(select(Voucher.max_fare_cents)) == 480


@pytest.mark.parametrize(("field", "value", "message"), [
    ("max_fare", "1.234", "&#34;1.234&#34; kann 1234 Euro (mit Tausendertrennzeichen) oder 1,234 Euro (drei Nachkommastellen) heißen"),
    ("max_fare", "4,8055", "&#34;4,8055&#34; hat mehr als zwei Nachkommastellen"),
    ("max_fare", "vier Euro", "&#34;vier Euro&#34; ist kein Geldbetrag (wie 4,80 oder 4,80 €)."),
    ("holder_name", "", "Bitte ausfüllen."),
    ("appointment_at", "2026-12-09T10:00", "Der Termin (2026-12-09 10:00) liegt außerhalb der Gültigkeit"),
])
def test_issue_form_shows_what_is_wrong_next_to_the_field(issuer, field, value, message):
    form = {"holder_name": "Zofia", "valid_from": "2026-12-03", "valid_until": "2026-12-03", "route": "stops",
            "origin": "A", "destination": "B", "cost_center": "KST-1", field: value}
    response = post_form(issuer, "/counter/new", form)
    assert response.status_code == 422
    assert f'<p class="field-problem" id="e-{field}">{message}' in text(response)


def test_issue_form_lists_letter_languages_by_german_name_with_the_native_name_beside(issuer):
    from voucher.letters.texts import languages

    page = text(issuer.get("/counter/new"))
    names = re.findall(r'<option value="([a-z-]+)"[^>]*>([^<]*)</option>', page)
    assert len(names) == len(languages())
    shown = [name for _, name in names]
    assert shown == sorted(shown, key=lambda name: name.replace("Ü", "U").replace("Ä", "A"))
    unreviewed = " (Übersetzung noch nicht geprüft)"
    assert "Arabisch – العربية" + unreviewed in shown and "Persisch (Farsi) – فارسی" + unreviewed in shown
    assert ("de", "Deutsch") in names  # the source text: nothing to review


def test_voucher_page_names_the_letter_language_in_german_and_warns_when_unreviewed(issuer, issue):
    voucher = issue(language="uk")
    page = voucher_page(issuer, voucher["id"])
    assert "Ukrainisch – Українська (Übersetzung noch nicht geprüft)" in page
    issuer.get(f"/counter/vouchers/{voucher['id']}/letter.pdf")
    assert "Brief heruntergeladen (Ukrainisch – Українська" in voucher_page(issuer, voucher["id"])


def test_unknown_voucher_is_a_404_page(issuer):
    response = issuer.get("/counter/vouchers/0000000000000")
    assert response.status_code == 404 and "Nicht gefunden" in text(response)
