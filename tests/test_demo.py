"""The demo month (voucher/demo/), seeded through the real services into a database of its own:
the finance API shows its journeys, a double use, a journey after a cancellation and real
amounts owed; its invoice matches into every kind of the report; a second run changes nothing;
`voucher demo` prints how to sign in, also after `voucher init` made a young key; the committed
sample invoice is what the demo writes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import BACKENDS, _pg_schema, _postgres_url
from tests.staff.conftest import csrf_token
from voucher import create_app, invoice_csv
from voucher.config import Settings
from voucher.db import Database
from voucher.demo import INVOICE_FILE, seed
from voucher.demo.plan import plan
from voucher.keys import KeyStore
from voucher.services import clients
from voucher.store import Base, Redemption

BERLIN = ZoneInfo("Europe/Berlin")
ANCHOR = datetime(2026, 11, 30, 16, 0, tzinfo=BERLIN)  # the month of docs/samples/invoice-demo.csv
SAMPLE = Path(__file__).resolve().parents[1] / "docs" / "samples" / "invoice-demo.csv"
KINDS = ("matched", "billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare", "date_mismatch",
         "redeemed_not_billed", "credited", "rejected_lines")


@dataclass
class Demo:
    settings: Settings
    db: Database
    text: str
    client: object
    finance: dict


def _seed(settings: Settings, db: Database) -> str:
    with db.session() as session:
        return seed(session, KeyStore(settings.keys_dir), settings, "http://demo.test", ANCHOR)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    schema = f"voucher_demo_{os.getpid()}"  # a schema of its own on the shared server
    url = _postgres_url(schema) if request.param == "postgresql" else None
    settings = Settings(data_dir=folder, keys_dir=folder / "keys", database_url=url)
    db = Database(settings.database)
    db.upgrade()
    text = _seed(settings, db)
    app = create_app(settings, clock=lambda: ANCHOR)
    with db.session() as session:
        token = clients.create_token(session, "finance", "demo-test", ANCHOR)
        session.commit()
    yield Demo(settings, db, text, app.test_client(), {"Authorization": f"Bearer {token}"})
    app.extensions["voucher"].db.engine.dispose()
    db.engine.dispose()
    if url is not None:
        _pg_schema(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_reconciliation_shows_journeys_a_double_use_a_journey_after_cancellation_and_owed_amounts(demo):
    month = plan(ANCHOR, BERLIN)
    report = demo.client.get("/api/v1/reconciliation", headers=demo.finance, query_string={
        "from": month.first_day.isoformat(), "to": month.today.isoformat()}).get_json()
    totals = report["totals"]
    assert totals["redeemed"] > 150 and totals["owed_cents"] > 100_00 and totals["issued"] > 150
    assert totals["revoked"] >= 10 and totals["expired_unused"] >= 10 and totals["no_fare"] >= 1
    assert len(report["by_cost_center"]) >= 5 and len({row["date"] for row in report["by_day"]}) >= 20
    kinds = {flag["kind"] for flag in report["flags"]}
    assert {"double_use", "redeemed_after_revocation", "outside_validity", "future_dated", "no_fare", "invalid"} <= kinds
    devices = {r["device_id"] for flag in report["flags"] for r in flag["redemptions"]}
    assert len(devices) >= 3


def test_the_reception_device_records_attendances_never_journeys(demo):
    month = plan(ANCHOR, BERLIN)
    report = demo.client.get("/api/v1/reconciliation", headers=demo.finance, query_string={
        "from": month.first_day.isoformat(), "to": month.today.isoformat()}).get_json()
    arrived = sum(row["arrived"] for row in report["attendance"])
    travelled = sum(row["travelled"] for row in report["attendance"])
    assert arrived > 100 and travelled > 100 and sum(row["invited"] for row in report["attendance"]) > arrived
    assert not any(r["device_id"] == "empfang-nord" for flag in report["flags"] for r in flag["redemptions"])
    with demo.db.session() as session:
        scans = session.execute(sa.select(Redemption.purpose, Redemption.outcome, Redemption.flags)
                                .where(Redemption.device_id == "empfang-nord")).all()
    assert len(scans) > 100 and {(purpose, outcome) for purpose, outcome, _ in scans} == {("reception", "accepted")}
    assert all(flags == [] for _, _, flags in scans)


def test_demo_invoice_matches_into_every_kind(demo):
    content = (demo.settings.data_dir / INVOICE_FILE).read_bytes()
    assert content.decode("cp1252").startswith("sep=;\r\n")
    report = demo.client.post("/api/v1/invoices/match", data=content, headers=demo.finance).get_json()
    assert {kind: len(report[kind]) for kind in KINDS if not report[kind]} == {}
    first = report["billed_twice"][0]["earlier_invoice_id"]
    assert first != report["invoice"]["id"] and report["credited"][0]["reverses_invoice_id"] == first
    assert report["rejected_lines"][0]["kind"] == "two_digit_year"
    assert report["invoice"]["encoding"] == "cp1252" and report["invoice"]["period_source"] == "file"


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {table.name: conn.scalar(sa.select(sa.func.count()).select_from(table)) for table in Base.metadata.sorted_tables}


def test_a_second_run_changes_nothing(demo):
    before, invoice = _counts(demo.db), (demo.settings.data_dir / INVOICE_FILE).read_bytes()
    again = _seed(demo.settings, demo.db)
    assert _counts(demo.db) == before
    assert again == demo.text and (demo.settings.data_dir / INVOICE_FILE).read_bytes() == invoice


def test_summary_names_the_pages_the_people_and_the_invoice(demo):
    for shown in ("http://demo.test/", "http://demo.test/counter/", "http://demo.test/finance/", "http://demo.test/verify/",
                  str(demo.settings.data_dir / INVOICE_FILE)):
        assert shown in demo.text
    for name in ("schalter", "finanzen", "admin"):
        assert re.search(rf"\b{name}\s+/ [a-z0-9]{{4}}(-[a-z0-9]{{4}}){{3}}\b", demo.text)


@pytest.mark.parametrize(("name", "page", "status"), [("finanzen", "/finance/", 200), ("schalter", "/counter/", 200),
                                                       ("schalter", "/finance/", 403), ("admin", "/finance/", 200)])
def test_printed_passwords_sign_in(demo, name, page, status):
    password = re.search(rf"\b{name}\s+/ (\S+)", demo.text).group(1)
    client = demo.client.application.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    signed = client.post("/sign-in", data={"name": name, "password": password, "next": page, "csrf_token": token})
    assert signed.status_code == 302 and client.get(page).status_code == status


def _shape(content: bytes) -> str:
    """The invoice with its voucher codes numbered in order of appearance (ids are random)."""
    text, seen = content.decode("cp1252"), {}
    return re.sub(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}\b",
                  lambda m: seen.setdefault(m.group(0), f"V{len(seen) + 1:03d}"), text)


def test_committed_sample_invoice_is_what_the_demo_writes(demo):
    """docs/samples/invoice-demo.csv is one run of the demo for ANCHOR's month (refresh it with
    docs/sample_invoice.py when the demo changes); only the random voucher ids differ."""
    written = (demo.settings.data_dir / INVOICE_FILE).read_bytes()
    assert _shape(SAMPLE.read_bytes()) == _shape(written)
    upload = invoice_csv.read(io.BytesIO(SAMPLE.read_bytes()), ANCHOR.date())
    assert upload.encoding == "cp1252" and len(upload.rejected) == 1 and len(upload.lines) > 100


def test_demo_command_runs_twice_after_init_and_prints_how_to_sign_in(tmp_path):
    env = {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys")}
    for name in ("DATABASE_URL", "VOUCHER_KEY_PASSPHRASE"):
        env.pop(name, None)
    command = [sys.executable, "-m", "voucher"]
    assert subprocess.run([*command, "init"], env=env, capture_output=True, timeout=120).returncode == 0
    outputs = []
    for _ in range(2):
        done = subprocess.run([*command, "demo", "--base-url", "http://127.0.0.1:8765"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert re.search(r"Finance +http://127\.0\.0\.1:8765/finance/ +finanzen +/ \S+", outputs[0]) and outputs[0] == outputs[1]


def test_the_first_invoice_overcharging_the_fare_table_comes_out_disputed(demo):
    """The demo's first invoice bills one journey 1,40 € above what it is owed (services/fares.py):
    that excess is disputed (with the journeys that have no fare), and the invoice is to be
    reviewed, not "In Ordnung"."""
    from voucher.demo.billing import OVERCHARGE

    listed = demo.client.get("/api/v1/invoices", headers=demo.finance).get_json()["invoices"]
    first = min(listed, key=lambda invoice: invoice["id"])
    report = demo.client.get(f"/api/v1/invoices/{first['id']}", headers=demo.finance).get_json()
    assert report["invoice"]["status"] == "review"

    assert [entry["excess_cents"] for entry in report["over_max_fare"]] == [OVERCHARGE]
    unpriced = [entry["amount_cents"] for entry in report["no_fare"]]  # "Kein Tarif: prüfen": never paid
    assert report["totals"]["disputed_cents"] == OVERCHARGE + sum(unpriced)
    assert report["totals"]["payable_cents"] == sum(e["owed_cents"] for e in report["matched"])
