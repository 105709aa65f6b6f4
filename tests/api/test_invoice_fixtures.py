"""Operator exports as they really come (tests/fixtures/invoices/), each with its expected report."""

from __future__ import annotations

import pytest

from tests.api.invoice_world import upload, vid, world  # noqa: F401 - world is a fixture

# The same November invoice in every shape: the same report.
SAME_INVOICE = {
    "lists": {"matched": [1, 2, 2, 4, 8], "billed_twice": [2], "date_mismatch": [3], "billed_after_revocation": [5],
              "billed_not_redeemed": [6], "over_max_fare": [8], "redeemed_not_billed": [3, 7], "credited": [],
              "credit_unmatched": []},
    "totals": {"lines": 9, "billed_cents": 4440, "matched_cents": 2520, "excess_cents": 120, "payable_cents": 2400,
               "disputed_cents": 2040, "rejected_lines": 0, "rejected_cents": 0},
}
SHAPES = {
    "contract.csv": ("utf-8", ",", "majority_month"),
    "excel-de-cp1252.csv": ("cp1252", ";", "majority_month"),
    "excel-de-utf8-bom.csv": ("utf-8", ";", "majority_month"),
    "unicode-text-utf16.txt": ("utf-16", "tab", "majority_month"),
    "english-point.csv": ("utf-8", ",", "file"),
}


def voucher_numbers(report: dict, name: str) -> list[int]:
    return sorted(int(entry["voucher_id"]) for entry in report[name])


def assert_report(report: dict, expected: dict) -> None:
    assert {name: voucher_numbers(report, name) for name in expected["lists"]} == expected["lists"]
    assert {k: report["totals"][k] for k in expected["totals"]} == expected["totals"]


@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_of_the_same_invoice_gives_the_same_report(client, auth, world, name):
    report = upload(client, auth, name)
    assert_report(report, SAME_INVOICE)
    encoding, delimiter, period_source = SHAPES[name]
    invoice = report["invoice"]
    assert (invoice["encoding"], invoice["delimiter"], invoice["period_source"]) == (encoding, delimiter, period_source)
    assert (invoice["period_from"], invoice["period_to"]) == ("2026-11-01", "2026-11-30")
    assert report["over_max_fare"][0]["excess_cents"] == 120
    assert report["date_mismatch"][0]["journey_dates"] == ["2026-11-21"]


def test_refused_lines_each_say_why_and_count_in_the_totals(client, auth, world):
    report = upload(client, auth, "refusals-de.csv")
    assert_report(report, {"lists": SAME_INVOICE["lists"], "totals": {
        **SAME_INVOICE["totals"], "rejected_lines": 11, "rejected_cents": 4 * 480, "sum_lines": 1,
        "lines_in_file": 9 + 11 + 1, "stated_total_cents": 123456,
        "total_difference_cents": 123456 - SAME_INVOICE["totals"]["billed_cents"]}})
    kinds = [(entry["line"], entry["kind"]) for entry in report["rejected_lines"]]
    assert kinds == list(enumerate([
        "two_digit_year", "unreadable_amount", "unreadable_amount", "missing_amount", "ambiguous_amount",
        "too_many_decimals", "ambiguous_amount", "not_euros", "future_date", "outside_period", "unreadable_date"],
        start=11))
    assert all(entry["error"] and entry["error_de"] for entry in report["rejected_lines"])


def test_a_file_with_both_conventions_equally_refuses_every_decimal_amount(client, auth, world):
    report = upload(client, auth, "mixed-conventions.csv")
    assert [(e["line"], e["kind"]) for e in report["rejected_lines"]] == [(2, "ambiguous_amount"), (3, "ambiguous_amount")]
    assert voucher_numbers(report, "matched") == [8]
    assert report["invoice"]["decimal"] is None
    assert (report["totals"]["billed_cents"], report["totals"]["payable_cents"]) == (600, 480)


def test_a_credit_note_reverses_the_earlier_line_and_the_journey_can_be_billed_again(client, auth, world):
    first = upload(client, auth, "contract.csv", "?operator=Stadtbus")
    report = upload(client, auth, "credit-note-de.csv", "?operator=Stadtbus")
    assert_report(report, {
        "lists": {"credited": [1], "matched": [1, 7], "credit_unmatched": [6], "billed_twice": [2],
                  "redeemed_not_billed": [3]},
        "totals": {"billed_cents": -480 + 450 - 480 + 480 + 480, "credited_cents": -480,
                   "payable_cents": -480 + 450 + 480}})
    first_line_of_v1 = next(e["line"] for e in first["matched"] if e["voucher_id"] == vid(1))
    assert (report["credited"][0]["reverses_invoice_id"], report["credited"][0]["reverses_line"]) == (
        first["invoice"]["id"], first_line_of_v1)
    assert report["billed_twice"][0]["earlier_invoice_id"] == first["invoice"]["id"]
