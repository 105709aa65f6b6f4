"""What an invoice line may be paid: the lower of the fare table's fare and the voucher's
maximum fare, never more; a journey without either is "Kein Tarif: prüfen" and pays nothing.
The page, the API, both CSVs and the CLI say the same to the cent."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.api.invoice_world import PRICED, TODAY, build_priced, owed, upload, vid
from tests.fixtures.invoices.make_fixtures import PRICED_BILLED
from tests.staff.conftest import PASSWORD, sign_in
from tests.test_cli import env, run  # noqa: F401 - the CLI fixture
from voucher.services import users


@pytest.fixture
def priced(db, clock):
    clock.now = TODAY
    build_priced(db)


def expected_payable() -> int:
    """Each journey pays what it is owed, at most what its lines bill, its travellers' lines at most."""
    total = 0
    for n, (_, travellers, _, _) in PRICED.items():
        lines = [cents for v, _, cents in PRICED_BILLED if v == n][:travellers]
        total += min(sum(lines), owed(n)) if owed(n) is not None else 0
    return total


def test_a_line_pays_at_most_the_lower_of_fare_table_and_maximum_fare(client, auth, priced):
    report = upload(client, auth, "fare-table-de.csv")
    totals = report["totals"]
    assert totals["billed_cents"] == sum(cents for _, _, cents in PRICED_BILLED)
    assert totals["payable_cents"] == expected_payable() == 290 + 250 + 0 + 870 + 290
    paid = {e["line"]: e for e in report["matched"]}
    assert paid[3]["owed_cents"] == 290 and paid[3]["excess_cents"] == 2900 - 290  # ten times the fare
    assert (paid[4]["fare_cents"], paid[4]["max_fare_cents"], paid[4]["owed_cents"]) == (290, 250, 250)
    assert (paid[10]["fare_cents"], paid[10]["max_fare_cents"], paid[10]["excess_cents"]) == (290, 480, 190)
    assert sorted(e["line"] for e in report["over_max_fare"]) == [3, 4, 10]
    assert report["invoice"]["status"] == "review"


def test_a_journey_without_fare_is_never_payable(client, auth, priced):
    report = upload(client, auth, "fare-table-de.csv")
    assert [int(e["voucher_id"]) for e in report["no_fare"]] == [23]
    assert report["no_fare"][0]["owed_cents"] is None and report["totals"]["no_fare_count"] == 1
    assert 23 not in [int(e["voucher_id"]) for e in report["redeemed_not_billed"]]


def test_a_voucher_for_three_pays_one_line_per_traveller_and_no_fourth(client, auth, priced):
    report = upload(client, auth, "fare-table-de.csv")
    assert [e["line"] for e in report["matched"] if e["voucher_id"] == vid(24)] == [6, 7, 8]
    assert [e["line"] for e in report["billed_twice"]] == [9]


def _cents(text: str) -> int:
    return int(re.sub(r"[^\d-]", "", text))


def _page_figures(client, invoice_id: int) -> dict[str, int]:
    html = client.get(f"/finance/invoices/{invoice_id}").get_data(as_text=True)
    kinds = re.findall(r'<tr data-kind="(\w+)"[^>]*>.*?data-label="Betrag">([^<]*)</td>', html, re.S)
    by_kind = {kind: _cents(amount) for kind, amount in kinds if amount.strip() not in ("", "–")}
    billed = by_kind.pop("billed_total")
    assert sum(v for k, v in by_kind.items() if k != "rejected_lines") == billed  # "Ergebnis nach Art" adds up
    assert "brutto" in html
    figures = {}
    for column in ("billed_cents", "payable_cents", "disputed_cents"):
        text = re.search(rf'data-column="{column}"><dt>[^<]*</dt><dd class="figure">([^<]+)</dd>', html).group(1)
        figures[column] = _cents(text)
    return figures


def _csv_totals(text: str, delimiter: str) -> dict:
    block = next(b for b in text.lstrip("\ufeff").split("\r\n\r\n") if b.startswith(("totals", "Summen")))
    return next(csv.DictReader(io.StringIO(block.split("\r\n", 1)[1]), delimiter=delimiter))


def test_page_api_both_csvs_and_cli_agree_to_the_cent(client, auth, priced, db, env):  # noqa: F811
    report = upload(client, auth, "fare-table-de.csv")
    invoice_id, totals = report["invoice"]["id"], report["totals"]
    wanted = {k: totals[k] for k in ("billed_cents", "payable_cents", "disputed_cents")}
    assert wanted["payable_cents"] == expected_payable()
    machine = client.get(f"/api/v1/invoices/{invoice_id}?format=csv", headers=auth("finance")).get_data(as_text=True)
    assert {k: int(v) for k, v in _csv_totals(machine, ",").items() if k in wanted} == wanted
    german = client.get(f"/api/v1/invoices/{invoice_id}?format=csv&decimal=comma",
                        headers=auth("finance")).get_data(as_text=True)
    german_totals = _csv_totals(german, ";")
    names = {"billed_cents": "Berechnet (€)", "payable_cents": "Zu zahlen (€)", "disputed_cents": "Strittig (€)"}
    german_cents = {k: int(german_totals[names[k]].replace(",", "")) for k in wanted}
    assert german_cents == wanted
    with db.session() as session:
        users.create(session, "fritz", "finance", PASSWORD, TODAY)
        session.commit()
    assert sign_in(client, "fritz").status_code == 302
    assert _page_figures(client, invoice_id) == wanted
    cli = run(env, "finance", "invoices", str(invoice_id))
    assert cli.returncode == 0, cli.stderr
    assert {k: json.loads(cli.stdout)["totals"][k] for k in wanted} == wanted
    cli_german = run(env, "finance", "invoices", str(invoice_id), "--format", "csv", "--decimal-comma")
    assert _csv_totals(cli_german.stdout.replace("\n", "\r\n"), ";") == german_totals  # text mode reads \r\n as \n
