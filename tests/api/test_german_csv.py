"""The "Für Excel (deutsch)" CSVs (decimal=comma) downloaded through the real routes, parsed as a
spreadsheet would read them: German section and column names, the page's words for codes, days
as 03.12.2026 and times on the office's clock, and totals equal to the API's and the page's to
the cent. The machine-readable CSV (decimal=point) keeps the API's names and values."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import pytest

from tests.api.invoice_world import upload, world  # noqa: F401 - world is a fixture
from tests.staff.conftest import PASSWORD, sign_in
from voucher.services import users
from voucher.services.invoice_matching import REFERENCE_UNKNOWN
from voucher.store import Redemption

PERIOD = "from=2026-12-01&to=2026-12-05"
OWED = 480  # every voucher below has a maximum fare of 4,80 € and no fare in the table
DAY = re.compile(r"\d\d\.\d\d\.\d{4}")


def sections(text: str, delimiter: str = ";") -> dict[str, tuple[list[str], list[dict]]]:
    """Each section of a CSV of several tables (voucher/tables.py): title -> (header, rows)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    out, i = {}, 0
    while i < len(rows):
        title, header, i = rows[i][0], rows[i + 1], i + 2
        body = []
        while i < len(rows) and rows[i]:
            body.append(dict(zip(header, rows[i], strict=True)))
            i += 1
        out[title] = (header, body)
        i += 1  # the blank line before the next section
    return out


def cents(text: str) -> int:
    """A German Excel amount as we write it (-4,80) in cents."""
    assert re.fullmatch(r"-?\d+,\d\d", text), text
    return int(text.replace(",", ""))


def redeem(client, auth, voucher: dict, at: str) -> None:
    body = {"device_id": "bus-1", "redemptions": [{"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": at}]}
    assert client.post("/api/v1/redemptions", json=body, headers=auth("verifier")).status_code == 200


@pytest.fixture
def month(client, auth, issue, clock, db):
    """3 December: a return trip whose first journey is at 00:30 (23:30 UTC the day before), a
    single trip used twice, a cancelled one used, one without any fare, and a scan of a voucher
    nobody knows. Returns the vouchers."""
    vouchers = {"return": issue(cost_center="KST-1", return_trip=True), "twice": issue(cost_center="KST-1", return_trip=False),
                "cancelled": issue(cost_center="KST-2", return_trip=False),
                "no_fare": issue(origin=None, destination=None, zone="Q", max_fare_cents=None, return_trip=False,
                                 cost_center="KST-2")}
    client.post(f"/api/v1/vouchers/{vouchers['cancelled']['id']}/revoke", json={"reason": "x"}, headers=auth("issuer"))
    clock.advance(days=3)
    redeem(client, auth, vouchers["return"], "2026-12-03T00:30:00+01:00")
    redeem(client, auth, vouchers["return"], "2026-12-03T17:00:00+01:00")
    for key in ("twice", "twice", "cancelled", "no_fare"):
        redeem(client, auth, vouchers[key], "2026-12-03T09:30:00+01:00")
    with db.session() as session:
        at = datetime(2026, 12, 3, 8, tzinfo=UTC)
        session.add(Redemption(client_id="stranger", device_id="bus-1", voucher_id="0000000000000", code=None,
                               redeemed_at=at, received_at=at, location="Bus 142", outcome="unknown", flags=[]))
        users.create(session, "fritz", "finance", PASSWORD, clock.now)
        session.commit()
    clock.advance(days=1)
    return vouchers


def _german_reconciliation(client, auth) -> str:
    response = client.get(f"/api/v1/reconciliation?{PERIOD}&format=csv&decimal=comma", headers=auth("finance"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def test_the_reconciliation_csv_for_excel_is_german(client, auth, month):
    found = sections(_german_reconciliation(client, auth))
    assert list(found) == ["Summen", "Pro Kostenstelle", "Pro Tag", "Pro Klasse", "Teilnahme pro Kostenstelle",
                           "Auffälligkeiten"]
    figures = ["Ausgegeben", "Fahrten", "Storniert", "Verfallen", "Auffällig", "Forderung in €", "Ohne Fahrpreis"]
    assert found["Summen"][0] == figures
    assert found["Pro Kostenstelle"][0] == ["Kostenstelle", *figures] and found["Pro Tag"][0] == ["Tag", *figures]
    assert found["Pro Klasse"][0] == ["Klasse", "Fahrten", "Forderung in €", "Ohne Fahrpreis"]
    assert found["Teilnahme pro Kostenstelle"][0] == ["Kostenstelle", "Eingeladen", "Angekommen", "Gefahren"]
    assert found["Auffälligkeiten"][0] == ["Fahrschein", "Auffälligkeit", "Kostenstelle", "Tag"]
    # the page's words for codes, and no English name or code left
    flags = {row["Fahrschein"]: row for row in found["Auffälligkeiten"][1]}
    assert {key: flags[month[key]["id"]]["Auffälligkeit"] for key in ("twice", "cancelled", "no_fare")} == {
        "twice": "Doppelt genutzt", "cancelled": "Nach Stornierung genutzt", "no_fare": "Ohne Fahrpreis"}
    assert (flags["0000000000000"]["Auffälligkeit"], flags["0000000000000"]["Kostenstelle"]) == (
        "Unbekannter Fahrschein", "(kein bekannter Fahrschein)")
    assert "(kein bekannter Fahrschein)" in {row["Kostenstelle"] for row in found["Pro Kostenstelle"][1]}
    assert [row["Klasse"] for row in found["Pro Klasse"][1]] == ["2. Klasse"]
    names = {cell for header, _ in found.values() for cell in header}
    assert not {name for name in names if re.search(r"_|^[a-z]", name)}


def test_its_days_are_the_offices_and_its_totals_the_apis_and_the_pages_to_the_cent(client, auth, month):
    found = sections(_german_reconciliation(client, auth))
    api = client.get(f"/api/v1/reconciliation?{PERIOD}", headers=auth("finance")).get_json()
    # the return trip's 00:30 journey is on 3 December in Berlin, though on the 2nd in UTC
    days = {row["Tag"]: row for row in found["Pro Tag"][1]}
    assert all(DAY.fullmatch(d) for d in days) and all(row["Tag"] == "03.12.2026" for row in found["Auffälligkeiten"][1])
    assert int(days["03.12.2026"]["Fahrten"]) == 4 and "02.12.2026" not in days
    # computed here: three journeys at 4,80 € (the cancelled voucher's and the double use are no
    # journeys owed; the voucher without fare is owed nothing)
    total = cents(found["Summen"][1][0]["Forderung in €"])
    assert total == 3 * OWED == api["totals"]["owed_cents"]
    assert sum(cents(row["Forderung in €"]) for row in found["Pro Tag"][1]) == total
    centers = {row["Kostenstelle"]: cents(row["Forderung in €"]) for row in found["Pro Kostenstelle"][1]}
    assert centers == {"(kein bekannter Fahrschein)" if row["cost_center"] == "(unknown voucher)" else row["cost_center"]:
                       row["owed_cents"] for row in api["by_cost_center"]}
    assert {k: int(v) for k, v in found["Summen"][1][0].items() if k != "Forderung in €"} == {
        "Ausgegeben": 4, "Fahrten": 4, "Storniert": 1, "Verfallen": 0, "Auffällig": 4, "Ohne Fahrpreis": 1}
    assert sign_in(client, "fritz").status_code == 302
    page = client.get(f"/finance/?{PERIOD}").get_data(as_text=True)
    shown = re.search(r'data-column="owed_cents">\s*<dt>[^<]*</dt>\s*<dd class="figure">([^<]+)</dd>', page).group(1)
    assert shown == f"{total // 100},{total % 100:02d}\u00a0€"
    download = client.get(f"/finance/report.csv?{PERIOD}&decimal=comma")
    assert download.get_data(as_text=True) == _german_reconciliation(client, auth)  # the page's download is the API's


def test_the_machine_readable_reconciliation_csv_keeps_the_apis_names_and_values(client, auth, month):
    text = client.get(f"/api/v1/reconciliation?{PERIOD}&format=csv", headers=auth("finance")).get_data(as_text=True)
    found = sections(text, ",")
    assert list(found) == ["totals", "by_cost_center", "by_day", "by_fare_class", "attendance", "flags"]
    assert found["totals"][0] == ["issued", "redeemed", "revoked", "expired_unused", "flagged", "owed_cents", "no_fare"]
    assert found["totals"][1][0]["owed_cents"] == str(3 * OWED)
    assert found["by_fare_class"][1] == [{"fare_class": "2", "redeemed": "4", "owed_cents": "1440", "no_fare": "1"}]
    assert {row["kind"] for row in found["flags"][1]} == {"double_use", "redeemed_after_revocation", "no_fare", "unknown"}
    assert {row["date"] for row in found["flags"][1]} == {"2026-12-03"} and "" in {r["cost_center"] for r in found["flags"][1]}


def test_the_invoice_csv_for_excel_is_german_on_the_same_mechanism(client, auth, world):  # noqa: F811
    """An invoice's German report: names, words and reasons in German (a credit naming an invoice
    never sent among them), journeys at the office's time, totals the API's to the cent."""
    re501 = upload(client, auth, "letterhead-re501.csv")
    german = client.get(f"/api/v1/invoices/{re501['invoice']['id']}?format=csv&decimal=comma",
                        headers=auth("finance")).get_data(as_text=True)
    found = sections(german)
    assert {"Rechnung", "Summen", "Passt", "Gefahren, nicht berechnet"} <= set(found)
    summary = found["Rechnung"][1][0]
    assert (summary["Rechnungsnummer"], summary["Zeitraum von"], summary["Zeitraum laut"]) == (
        "RE-501", "01.11.2026", "aus der Datei")
    # voucher 2's first journey on 4 November was at 08:00 in Berlin (07:00 UTC), voucher 7's at 12:00
    assert [(row["Fahrschein"], row["Reisedatum"], row["Gefahren am"]) for row in found["Passt"][1]] == [
        ("0000000000002", "04.11.2026", "04.11.2026 08:00"), ("0000000000007", "15.11.2026", "15.11.2026 12:00")]
    report = upload(client, auth, "credit-reference-de.csv")
    found = sections(client.get(f"/api/v1/invoices/{report['invoice']['id']}?format=csv&decimal=comma",
                                headers=auth("finance")).get_data(as_text=True))
    unmatched = found["Gutschrift ohne Gegenstück"]
    assert "reason" not in unmatched[0] and "Bezug (Rechnung)" in unmatched[0]
    assert [(row["Bezug (Rechnung)"], row["Grund"]) for row in unmatched[1]][0] == (
        "RE-999", "Die genannte Rechnung ist nicht gespeichert (von diesem Verkehrsunternehmen)")
    assert REFERENCE_UNKNOWN in {e["reason"] for e in report["credit_unmatched"]}  # the API keeps its English
    totals = found["Summen"][1][0]
    assert cents(totals["Berechnet (€)"]) == report["totals"]["billed_cents"] == -3 * OWED
    assert cents(totals["Zu zahlen (€)"]) == report["totals"]["payable_cents"] == -OWED
