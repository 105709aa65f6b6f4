"""Operator invoices through the real routes: stored, remembered across uploads, read safely."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import func, select

from tests.api.invoice_world import TODAY, build, vid
from voucher.invoice_csv import MAX_BYTES
from voucher.services import invoice_matching
from voucher.store import AuditEvent, Invoice, InvoiceLine


@pytest.fixture
def world(db, clock):
    clock.now = TODAY
    build(db)


def post(client, auth, body: str | bytes, query: str = ""):
    data = body.encode() if isinstance(body, str) else body
    return client.post(f"/api/v1/invoices/match{query}", data=data, headers={**auth("finance"), "Content-Type": "text/csv"})


def match(client, auth, *lines: str, query: str = "") -> dict:
    response = post(client, auth, "voucher_id;travel_date;amount\n" + "\n".join(lines) + "\n", query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def numbers(report: dict, name: str) -> list[int]:
    return [int(entry["voucher_id"]) for entry in report[name]]


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_same_file_again_returns_the_stored_report_and_changes_nothing(client, auth, world, db):
    first = match(client, auth, f"{vid(1)};03.11.2026;4,80")
    stored = (count(db, Invoice), count(db, InvoiceLine), count(db, AuditEvent))
    again = match(client, auth, f"{vid(1)};03.11.2026;4,80")
    assert again["duplicate_of"] == first["invoice"]["id"] and "nothing was changed" in again["note"]
    assert numbers(again, "matched") == [1] and again["totals"] == first["totals"]
    assert (count(db, Invoice), count(db, InvoiceLine), count(db, AuditEvent)) == stored


def test_a_journey_paid_by_an_earlier_invoice_is_billed_twice_naming_it(client, auth, world):
    first = match(client, auth, f"{vid(1)};03.11.2026;4,80")
    second = match(client, auth, f"{vid(1)};03.11.2026;4,80", f"{vid(7)};15.11.2026;4,80")
    assert numbers(second, "billed_twice") == [1] and numbers(second, "matched") == [7]
    assert (second["billed_twice"][0]["earlier_invoice_id"], second["billed_twice"][0]["earlier_line"]) == (
        first["invoice"]["id"], 2)
    assert second["totals"]["payable_cents"] == 480


def test_two_invoices_uploaded_at_once_pay_a_journey_once(app, auth, world):
    bodies = [f"voucher_id;travel_date;amount;note\n{vid(1)};03.11.2026;4,80;{note}\n" for note in ("a", "b")]
    start, reports = threading.Barrier(len(bodies)), []

    def upload(body: str) -> None:
        start.wait()
        response = app.test_client().post("/api/v1/invoices/match", data=body.encode(), headers=auth("finance"))
        reports.append(response.get_json())

    threads = [threading.Thread(target=upload, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted((r["totals"]["matched_count"], r["totals"]["billed_twice_count"]) for r in reports) == [(0, 1), (1, 0)]


def test_redeemed_not_billed_leaves_out_journeys_an_earlier_invoice_paid(client, auth, world):
    match(client, auth, f"{vid(1)};03.11.2026;4,80", f"{vid(7)};15.11.2026;4,80")
    report = match(client, auth, f"{vid(8)};20.11.2026;4,80")
    assert sorted(numbers(report, "redeemed_not_billed")) == [2, 2, 3, 4]


def test_a_credit_note_makes_its_journey_unbilled_again(client, auth, world):
    match(client, auth, f"{vid(7)};15.11.2026;4,80")
    report = match(client, auth, f"{vid(7)};15.11.2026;-4,80")
    assert numbers(report, "credited") == [7] and report["totals"]["payable_cents"] == -480
    assert 7 in numbers(report, "redeemed_not_billed")


def test_a_charge_and_its_credit_in_one_file_cancel_out(client, auth, world):
    report = match(client, auth, f"{vid(7)};15.11.2026;4,80", f"{vid(7)};15.11.2026;(4,80)")
    assert numbers(report, "matched") == [7] and numbers(report, "credited") == [7]
    assert report["credited"][0]["reverses_line"] == 2 and report["totals"]["payable_cents"] == 0
    assert 7 in numbers(report, "redeemed_not_billed")


def test_a_billed_day_without_a_journey_is_a_date_mismatch_and_not_paid(client, auth, world):
    report = match(client, auth, f"{vid(3)};26.11.2026;4,80")
    assert numbers(report, "date_mismatch") == [3] and report["date_mismatch"][0]["journey_dates"] == ["2026-11-21"]
    assert report["matched"] == [] and report["totals"]["payable_cents"] == 0


def test_a_journey_before_a_revocation_the_same_evening_is_paid(client, auth, world):
    report = match(client, auth, f"{vid(4)};10.11.2026;4,80")
    assert numbers(report, "matched") == [4] and report["billed_after_revocation"] == []
    assert 4 not in numbers(report, "redeemed_not_billed")


def test_a_journey_after_the_revocation_is_billed_after_revocation(client, auth, world):
    report = match(client, auth, f"{vid(5)};12.11.2026;4,80")
    entry = report["billed_after_revocation"][0]
    assert (entry["revoked_at"], entry["redeemed_at"]) == ("2026-11-12T07:00:00Z", "2026-11-12T08:00:00Z")


def test_the_german_report_csv_shows_journey_and_cancellation_times_in_local_time(client, auth, world):
    """People read the German CSV: times as on the page (the machine CSV keeps UTC instants)."""
    report = match(client, auth, f"{vid(5)};12.11.2026;4,80")
    url = f"/api/v1/invoices/{report['invoice']['id']}?format=csv"
    german = client.get(url + "&decimal=comma", headers=auth("finance")).get_data(as_text=True)
    assert "12.11.2026 08:00" in german and "12.11.2026 09:00" in german
    assert "07:00" not in german
    machine = client.get(url, headers=auth("finance")).get_data(as_text=True)
    assert "2026-11-12T07:00:00Z" in machine and "2026-11-12T08:00:00Z" in machine


@pytest.mark.parametrize(("day", "outcome"), [("11.11.2026", "billed_not_redeemed"), ("13.11.2026", "billed_after_revocation")])
def test_a_line_without_journey_is_compared_with_the_end_of_the_billed_day(client, auth, world, day, outcome):
    report = match(client, auth, f"{vid(5)};{day};4,80")
    assert numbers(report, outcome) == [5]


def test_the_stored_report_and_the_list_say_what_the_upload_said(client, auth, world):
    report = match(client, auth, f"{vid(1)};03.11.2026;4,80", "kaputt;03.11.2026;1,00", query="?operator=Stadtbus%20Nord")
    invoice_id = report["invoice"]["id"]
    stored = client.get(f"/api/v1/invoices/{invoice_id}", headers=auth("finance")).get_json()
    assert stored == report
    listed = client.get("/api/v1/invoices", headers=auth("finance")).get_json()["invoices"]
    assert [(i["id"], i["operator"], i["period_from"], i["period_to"], i["lines"], i["status"]) for i in listed] == [
        (invoice_id, "Stadtbus Nord", "2026-11-01", "2026-11-30", 2, "review")]
    assert listed[0]["totals"]["rejected_lines"] == 1 and listed[0]["uploaded_at"] == "2026-12-05T09:00:00Z"


def test_an_unknown_invoice_is_a_404_problem(client, auth, world):
    response = client.get("/api/v1/invoices/99", headers=auth("finance"))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_invoices_are_for_the_finance_role(client, auth, world):
    for role in ("issuer", "verifier"):
        assert client.get("/api/v1/invoices", headers=auth(role)).status_code == 403
        assert client.get("/api/v1/invoices/1", headers=auth(role)).status_code == 403


def test_the_period_parameter_refuses_lines_outside_it(client, auth, world):
    report = match(client, auth, f"{vid(1)};03.11.2026;4,80", f"{vid(7)};15.11.2026;4,80",
                   query="?from=2026-11-01&to=2026-11-10")
    assert numbers(report, "matched") == [1]
    assert [(e["line"], e["kind"]) for e in report["rejected_lines"]] == [(3, "outside_period")]
    assert report["invoice"]["period_source"] == "parameter"


def test_a_period_parameter_that_contradicts_the_file_is_a_400(client, auth, world):
    body = f"voucher_id;travel_date;amount;period_from;period_to\n{vid(1)};03.11.2026;4,80;01.11.2026;30.11.2026\n"
    response = post(client, auth, body, "?from=2026-11-01&to=2026-11-15")
    assert response.status_code == 400 and "2026-11-15" in response.get_json()["detail"]


@pytest.mark.parametrize("query", ["?from=2026-11-01", "?from=2026-11-30&to=2026-11-01", "?operator=%00x", "?x=1"])
def test_bad_match_parameters_are_a_422_problem(client, auth, world, query):
    response = post(client, auth, f"voucher_id;travel_date;amount\n{vid(1)};03.11.2026;4,80\n", query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_travel_dates_split_evenly_between_months_ask_for_the_period(client, auth, world, db):
    response = post(client, auth, f"voucher_id;travel_date;amount\n{vid(9)};30.10.2026;4,80\n{vid(1)};03.11.2026;4,80\n")
    assert response.status_code == 400 and "period" in response.get_json()["detail"]
    assert count(db, Invoice) == 0


@pytest.mark.parametrize(("broken", "kind"), [(f"{vid(2)},2026-11-04,480,\"Umstieg", "malformed_quoting"),
                                              ("\"" + "x" * 140_000, "line_too_long")])
def test_a_quotation_mark_never_closed_refuses_its_line_and_no_other(client, auth, world, broken, kind):
    body = f"voucher_id,travel_date,amount_cents,note\n{vid(1)},2026-11-03,480,\n{broken}\n{vid(7)},2026-11-15,480,\n"
    report = post(client, auth, body).get_json()
    assert [(e["line"], e["kind"]) for e in report["rejected_lines"]] == [(3, kind)]
    assert report["invoice"]["status"] == "review"
    assert numbers(report, "matched") == [1, 7]
    totals = report["totals"]
    assert (totals["lines_in_file"], totals["lines"], totals["rejected_lines"]) == (3, 2, 1)


@pytest.mark.parametrize("body", [b"", b"1,2,3\n", b"voucher_id,travel_date,amount_cents\r\n", b"\xff\xfe" + b"v\0" * 3, "voucher_id\0,x".encode("utf-16-le")])
def test_a_file_that_cannot_be_read_is_a_400_and_stores_nothing(client, auth, world, db, body):
    response = post(client, auth, body)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert count(db, Invoice) == 0


def test_an_invoice_over_the_global_request_limit_is_accepted(client, auth, world):
    padding = "x" * 1500
    lines = [f"{vid(1)};03.11.2026;4,80;{padding}" for _ in range(2000)]
    body = "voucher_id;travel_date;amount;note\n" + "\n".join(lines) + "\n"
    assert len(body) > 2 * 1024 * 1024
    report = post(client, auth, body).get_json()
    assert (report["totals"]["matched_count"], report["totals"]["billed_twice_count"]) == (1, 1999)


def test_an_invoice_over_50_mb_is_a_413_problem_with_the_limit_in_words(client, auth, world, db):
    response = post(client, auth, b"x" * (MAX_BYTES + 1))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert "50 MB" in response.get_json()["detail"] and count(db, Invoice) == 0


def test_the_match_csv_carries_the_totals_and_the_refused_lines(client, auth, world):
    report = match(client, auth, f"{vid(1)};03.11.2026;4,80", f"{vid(7)};15.11.26;4,80")
    text = client.get(f"/api/v1/invoices/{report['invoice']['id']}?format=csv&decimal=comma",
                      headers=auth("finance")).get_data(as_text=True)
    sections = {}
    for block in text.lstrip("\ufeff").split("\r\n\r\n"):
        name, *rows = block.strip().split("\r\n")
        sections[name] = list(csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"))
    totals = sections["Summen"][0]
    assert totals["Berechnet (€)"] == "4,80" and totals["Abgelehnte Zeilen"] == "1"
    assert totals["Abgelehnt (€)"] == "4,80"
    refused = sections["Abgelehnte Zeilen"][0]
    assert (refused["Zeile"], refused["Art"], refused["Spalte"]) == ("3", "two_digit_year", "travel_date")
    assert "vierstellig" in refused["Grund"]
    matched = sections["Passt"][0]
    assert matched["Reisedatum"] == "03.11.2026" and matched["Gefahren am"] == "03.11.2026 09:00"  # local time
    assert sections["Rechnung"][0]["Stand"] == "Zu prüfen"


def test_the_machine_csv_keeps_the_api_names_and_values(client, auth, world):
    report = match(client, auth, f"{vid(1)};03.11.2026;4,80")
    text = client.get(f"/api/v1/invoices/{report['invoice']['id']}?format=csv", headers=auth("finance")).get_data(as_text=True)
    assert "billed_cents" in text and "2026-11-03T08:00:00Z" in text
    assert "\r\nmatched\r\n" in text and "Passt" not in text and "03.11.2026" not in text


@pytest.mark.parametrize("bucket", [1, 3, 20_000])
def test_lines_matched_bucket_by_bucket_come_out_as_matched_at_once(client, auth, world, monkeypatch, bucket):
    """A large invoice is matched a bucket of vouchers at a time (1 line: each voucher's lines on
    their own): a voucher's lines still meet (a charge, its credit, the return journey), and
    every list is in file order."""
    monkeypatch.setattr(invoice_matching, "BUCKET_LINES", bucket)
    report = match(client, auth, f"{vid(8)};20.11.2026;9,99", f"{vid(7)};15.11.2026;4,80", f"{vid(6)};03.11.2026;4,80",
                   f"{vid(2)};04.11.2026;4,80", f"{vid(7)};15.11.2026;-4,80", f"{vid(2)};04.11.2026;4,80",
                   f"{vid(1)};03.11.2026;4,80", f"{vid(3)};26.11.2026;4,80")
    assert [(e["line"], int(e["voucher_id"])) for e in report["matched"]] == [(2, 8), (3, 7), (5, 2), (7, 2), (8, 1)]
    assert [e["line"] for e in report["over_max_fare"]] == [2]
    assert [(e["line"], e["reverses_line"]) for e in report["credited"]] == [(6, 3)]
    assert numbers(report, "billed_not_redeemed") == [6] and numbers(report, "date_mismatch") == [3]
    assert numbers(report, "redeemed_not_billed") == [4, 7, 3]
    assert report["totals"]["payable_cents"] == 4 * 480
