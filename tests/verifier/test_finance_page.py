"""The finance page in Chromium: totals render, the chart is drawn, CSV downloads, invoices match."""

from __future__ import annotations

import csv
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser


def test_finance_page_shows_totals_and_downloads_csv(context, live, tmp_path):
    voucher = live.issue(max_fare_cents=560)
    body = {"device_id": "bus-1", "redemptions": [{"client_id": str(uuid.uuid4()), "code": voucher["code"],
                                                   "redeemed_at": voucher["valid_from"]}]}
    live.app.test_client().post("/api/v1/redemptions", json=body, headers=live.auth("verifier"))
    page = context.new_page()
    page.goto(live.url + "/finance/")
    page.wait_for_selector("body[data-ready=true]")
    page.fill("#token", live.tokens["finance"])
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report:not([hidden])")
    totals = page.text_content("#totals")
    assert "5,60" in totals  # owed, in euros
    assert page.locator("#chart svg rect").count() >= 1
    with page.expect_download() as download:
        page.click("button.csv[data-table='by_cost_center']")
    path = tmp_path / "centers.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert any(r["cost_center"] == "KST-4711" and r["owed_eur"] == "5,60" for r in rows)
    invoice = tmp_path / "invoice.csv"
    travel_date = datetime.fromisoformat(voucher["valid_from"]).astimezone(ZoneInfo("Europe/Berlin")).date()
    invoice.write_bytes(f"voucher_id;travel_date;amount\n{voucher['id']};{travel_date:%d.%m.%Y};6,00 €\n".encode("cp1252"))
    page.set_input_files("#invoice", str(invoice))
    page.click("#invoice-form button[type=submit]")
    page.wait_for_selector("#invoice-report:not([hidden])")
    assert "over_max_fare (1)" in page.text_content("#invoice-lists")
