"""Invoices as operators send them (tests/fixtures/invoices/), one file per case of issue 20, each
checked against a total computed here from the journeys of tests/api/invoice_world.py (every
voucher there has a maximum fare of 4,80 € and no fare in the table, so a journey is owed 480)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.api.invoice_world import JOURNEYS, TODAY, upload, world  # noqa: F401 - world is a fixture
from voucher.services.invoice_matching import REFERENCE_NO_LINE, REFERENCE_UNKNOWN

OWED = 480


def owed_for(n: int, day: str) -> int:
    """What voucher n's journeys on `day` (MM-DD) are owed, from the world's table."""
    return OWED * sum(1 for at in JOURNEYS.get(n, []) if at.strftime("%m-%d") == day)


def ids(entries: list[dict]) -> list[int]:
    return sorted(int(e["voucher_id"]) for e in entries)


def test_an_unclosed_quotation_mark_refuses_its_line_and_the_others_are_read(client, auth, world):
    report = upload(client, auth, "unclosed-quote-de.csv")
    totals = report["totals"]
    assert [(e["line"], e["kind"]) for e in report["rejected_lines"]] == [(3, "malformed_quoting")]
    assert ids(report["matched"]) == [1, 4, 7]
    assert (totals["lines_in_file"], totals["lines"], totals["rejected_lines"], totals["sum_lines"]) == (4, 3, 1, 0)
    assert totals["payable_cents"] == owed_for(1, "11-03") + owed_for(4, "11-10") + owed_for(7, "11-15")
    assert report["invoice"]["status"] == "review"


def test_an_unquoted_decimal_comma_is_refused_never_read_as_whole_euros(client, auth, world):
    report = upload(client, auth, "comma-unquoted.csv")
    assert [(e["line"], e["kind"]) for e in report["rejected_lines"]] == [(2, "ambiguous_amount")]
    assert report["totals"]["billed_cents"] == 290 and report["totals"]["payable_cents"] == min(290, owed_for(7, "11-15"))


def test_a_letterhead_names_operator_number_and_period_and_german_columns_are_read(client, auth, world):
    report = upload(client, auth, "letterhead-re100.csv")
    invoice = report["invoice"]
    assert (invoice["operator"], invoice["number"], invoice["period_source"]) == (
        "Musterstadt Verkehrsbetriebe GmbH", "RE-100", "file")
    assert ids(report["matched"]) == [1, 4, 7] and report["rejected_lines"] == []
    assert report["totals"]["payable_cents"] == owed_for(1, "11-03") + owed_for(4, "11-10") + owed_for(7, "11-15")


def test_iso_8859_15_with_its_euro_sign_is_read_and_the_stated_total_agrees(client, auth, world):
    report = upload(client, auth, "letterhead-iso-8859-15.csv")
    totals = report["totals"]
    assert report["invoice"]["encoding"] == "iso-8859-15" and report["rejected_lines"] == []
    assert totals["billed_cents"] == 3 * 480 == totals["stated_total_cents"] and totals["total_difference_cents"] == 0


def test_a_sum_line_is_no_refused_money_and_matches_the_lines(client, auth, world):
    report = upload(client, auth, "sum-line-de.csv")
    totals = report["totals"]
    assert (totals["sum_lines"], totals["rejected_lines"], totals["rejected_cents"]) == (1, 0, 0)
    assert totals["stated_total_cents"] == totals["billed_cents"] == 960
    assert report["invoice"]["status"] == "ok"


def test_a_stated_total_that_differs_flags_the_invoice(client, auth, world):
    report = upload(client, auth, "refusals-de.csv")
    assert report["totals"]["total_difference_cents"] == 123456 - report["totals"]["billed_cents"]
    assert report["invoice"]["status"] == "review"


def test_a_correction_pays_only_the_difference_line_by_line(client, auth, world):
    first = upload(client, auth, "letterhead-re100.csv")
    report = upload(client, auth, "letterhead-re100-corrected.csv")
    totals = report["totals"]
    assert report["invoice"]["corrects_id"] == first["invoice"]["id"]
    assert report["billed_twice"] == []  # the stored version's lines no longer hold the journeys
    old = owed_for(1, "11-03") + owed_for(4, "11-10") + owed_for(7, "11-15")
    new = owed_for(1, "11-03") + min(300, owed_for(4, "11-10")) + owed_for(7, "11-15") + owed_for(8, "11-20")
    assert totals["payable_cents"] == new - old == 480 - 180
    assert totals["full_payable_cents"] == new and totals["corrected_payable_cents"] == old
    changes = {int(e["voucher_id"]): (e["difference_cents"], e["direction"]) for e in report["corrections"]}
    assert changes == {4: (-180, "owed_back"), 8: (480, "more_owed")}
    assert totals["stated_total_cents"] == 1740 == totals["full_billed_cents"]
    stored = client.get(f"/api/v1/invoices/{first['invoice']['id']}", headers=auth("finance")).get_json()
    assert stored["invoice"]["superseded_by"] == report["invoice"]["id"]


def test_a_partial_credit_lowers_what_is_payable(client, auth, world):
    upload(client, auth, "contract.csv")
    report = upload(client, auth, "partial-credit-de.csv")
    assert ids(report["credited_partly"]) == [1] and report["credit_unmatched"] == []
    assert report["totals"]["payable_cents"] == min(480 - 140, owed_for(1, "11-03")) - 480 == -140


def test_a_credit_for_an_earlier_period_is_matched_to_the_invoice_that_billed_it(client, auth, world):
    november = upload(client, auth, "contract.csv")
    report = upload(client, auth, "credit-december-de.csv")
    assert report["rejected_lines"] == [] and report["invoice"]["period_from"] == "2026-12-01"
    assert report["credited"][0]["reverses_invoice_id"] == november["invoice"]["id"]
    assert report["totals"]["payable_cents"] == -min(600, owed_for(8, "11-20"))


def test_a_credit_naming_its_invoice_is_matched_to_that_invoice_alone(client, auth, world):
    """Voucher 2's two journeys on 4 November are paid by RE-500 and RE-501, one each; the credit
    note names RE-501 for one, an invoice never sent (RE-999) and one that never billed voucher
    7 (RE-500) for the others. By voucher and day alone the first would take back RE-500's line
    and the others RE-501's line for voucher 7."""
    re500, re501 = upload(client, auth, "letterhead-re500.csv"), upload(client, auth, "letterhead-re501.csv")
    report = upload(client, auth, "credit-reference-de.csv")
    # line numbers are the files' own: the table starts below a letterhead (RE-501's at line 6)
    assert [(e["line"], e["reverses_invoice_id"], e["reverses_line"], e["reference"]) for e in report["credited"]] == [
        (7, re501["invoice"]["id"], 6, "RE-501")]
    unmatched = {e["line"]: (e["reference"], e["reference_invoice_id"], e["reason"]) for e in report["credit_unmatched"]}
    assert unmatched == {8: ("RE-999", None, REFERENCE_UNKNOWN), 9: ("RE-500", re500["invoice"]["id"], REFERENCE_NO_LINE)}
    totals = report["totals"]
    assert totals["billed_cents"] == -3 * 480
    assert totals["payable_cents"] == -min(480, owed_for(2, "11-04") // 2)  # only RE-501's line is taken back
    assert report["invoice"]["status"] == "review" and totals["credit_unmatched_count"] == 2


def test_a_credit_naming_a_corrected_invoice_is_matched_to_its_latest_version(client, auth, world):
    upload(client, auth, "letterhead-re500.csv")
    upload(client, auth, "letterhead-re501.csv")
    corrected = upload(client, auth, "letterhead-re501-corrected.csv")
    report = upload(client, auth, "credit-reference-de.csv")
    assert [(e["reverses_invoice_id"], e["reference"]) for e in report["credited"]] == [(corrected["invoice"]["id"], "RE-501")]
    assert report["totals"]["payable_cents"] == -min(480, owed_for(2, "11-04") // 2)


def test_an_english_credit_note_names_its_invoice_in_an_original_invoice_column(client, auth, world):
    upload(client, auth, "letterhead-re500.csv")
    re501 = upload(client, auth, "letterhead-re501.csv")
    report = upload(client, auth, "credit-reference-en.csv", f"?operator={quote(re501['invoice']['operator'])}")
    assert [(e["reverses_invoice_id"], e["reference"]) for e in report["credited"]] == [(re501["invoice"]["id"], "RE-501")]
    assert report["totals"]["payable_cents"] == -min(480, owed_for(2, "11-04") // 2)


def test_soll_haben_marks_credits(client, auth, world):
    upload(client, auth, "contract.csv")
    report = upload(client, auth, "soll-haben-de.csv")
    assert ids(report["matched"]) == [7] and ids(report["credited"]) == [1] and report["billed_twice"] == []
    assert report["totals"]["payable_cents"] == owed_for(7, "11-15") - owed_for(1, "11-03") == 0


def test_soll_and_haben_columns_mark_credits(client, auth, world):
    upload(client, auth, "contract.csv")
    report = upload(client, auth, "soll-haben-columns-de.csv")
    assert ids(report["matched"]) == [7] and ids(report["credited"]) == [4]
    assert report["totals"]["billed_cents"] == 0


def test_net_and_vat_are_summed_and_must_add_up_to_the_gross_amount(client, auth, world):
    report = upload(client, auth, "netto-mwst-brutto-de.csv")
    totals = report["totals"]
    assert [(e["line"], e["kind"]) for e in report["rejected_lines"]] == [(4, "net_vat_gross_differ")]
    assert (totals["net_cents"], totals["vat_cents"], totals["billed_cents"]) == (2 * 449, 2 * 31, 2 * 480)
    assert report["invoice"]["amounts"] == "gross"


@pytest.fixture
def page(client, db):
    """The test client signed in to the finance page."""
    from tests.staff.conftest import PASSWORD, sign_in
    from voucher.services import users

    with db.session() as session:
        users.create(session, "fritz", "finance", PASSWORD, TODAY)
        session.commit()
    assert sign_in(client, "fritz").status_code == 302
    return client


def test_the_page_says_how_many_lines_the_file_has_and_they_add_up(client, auth, world, page):
    report = upload(client, auth, "unclosed-quote-de.csv")
    html = page.get(f"/finance/invoices/{report['invoice']['id']}").get_data(as_text=True)
    assert "Zeilen in der Datei: 4 · gelesen: 3 · abgelehnt: 1 · Summenzeilen: 0" in html
    assert "Anführungszeichen dieser Zeile passen nicht zusammen" in html


def test_the_page_says_which_invoice_a_credit_names_and_why_it_is_not_matched(client, auth, world, page):
    upload(client, auth, "letterhead-re500.csv")
    upload(client, auth, "letterhead-re501.csv")
    report = upload(client, auth, "credit-reference-de.csv")
    html = page.get(f"/finance/invoices/{report['invoice']['id']}").get_data(as_text=True)
    assert "Die genannte Rechnung ist nicht gespeichert (von diesem Verkehrsunternehmen) · Bezug: Rechnung RE-999" in html
    assert "in der genannten Rechnung · Bezug: Rechnung RE-500" in html
    assert "Bezug: Rechnung RE-501" in html


def test_the_page_shows_a_correction_line_by_line(client, auth, world, page):
    upload(client, auth, "letterhead-re100.csv")
    report = upload(client, auth, "letterhead-re100-corrected.csv")
    html = page.get(f"/finance/invoices/{report['invoice']['id']}").get_data(as_text=True)
    assert html.count('data-direction="owed_back"') == 1 and html.count('data-direction="more_owed"') == 1
    assert "zurückzufordern" in html and "mehr geschuldet" in html and "Zu zahlen (Unterschied)" in html
    assert "17,40\u00a0€ – stimmt mit der Summe der Zeilen überein" in html
