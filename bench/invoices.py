"""A month of a large office: a 50,000-line operator invoice (German Excel export, Windows-1252,
`sep=;`, the usual extra columns, about 5 MB) matched against 50,000 journeys and stored, through
the API (Flask's test client, in process) on SQLite and on PostgreSQL, and through the CLI (a real
`voucher finance match` process) on SQLite. Each run starts from a fresh database; the figure is
the median of RUNS. The CLI row also gives the process's peak memory (resident set)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench.databases import pg, postgres_url
from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.services import clients
from voucher.store import Redemption, Voucher

LINES = 50_000
RUNS = 3
PG_SCHEMA = f"voucher_bench_invoices_{os.getpid()}"
TZ = ZoneInfo("Europe/Berlin")
HEADER = ("Rechnungsnummer;Position;Linie;Fahrtrichtung;Haltestelle Einstieg;Haltestelle Ausstieg;Tarifstufe;"
          "Fahrscheinart;voucher_id;travel_date;amount;USt-Satz;Kostenstelle")


def last_month() -> tuple[date, int]:
    """The first day of the month before this one, and its length: journeys lie in the past,
    as the reader refuses future travel dates."""
    first_this = datetime.now(TZ).date().replace(day=1)
    first = (first_this - timedelta(days=1)).replace(day=1)
    return first, (first_this - first).days


def world(url: str) -> None:
    """LINES / 2 return-trip vouchers with two journeys each, spread over last month."""
    db = Database(url)
    db.upgrade()
    first, days = last_month()
    created = datetime.combine(first, clock_time(0), TZ)
    vouchers, journeys = [], []
    for n in range(LINES // 2):
        day = first + timedelta(days=n % days)
        vouchers.append(dict(
            id=f"{n:013d}", kid="bench", code="", holder_name="", valid_from=created, valid_until=created + timedelta(days=40),
            origin="Musterstadt Hbf", destination="Jobcenter Nord", fare_class=2, travellers=1, return_trip=True,
            office="JC-BENCH", cost_center=f"KST-{n % 40}", max_fare_cents=480, request_hash="0" * 64, language="de",
            created_at=created, created_by="bench"))
        for leg, hour in enumerate((8, 15)):
            at = datetime.combine(day, clock_time(hour), TZ)
            journeys.append(dict(client_id=f"j-{n}-{leg}", device_id="bus-1", voucher_id=f"{n:013d}", redeemed_at=at,
                                 received_at=at, location="Bus 142", outcome="accepted", flags=[]))
    with db.session() as session:
        session.execute(insert(Voucher), vouchers)
        session.execute(insert(Redemption), journeys)
        session.commit()
    db.engine.dispose()


def invoice(folder: Path) -> Path:
    first, days = last_month()
    rows = ["sep=;", HEADER]
    for i in range(LINES):
        n = i // 2
        day = first + timedelta(days=n % days)
        rows.append(f"RE-{first:%Y-%m}-0815;{i + 1};Bus 142;Hauptbahnhof;Münchner Straße;Jobcenter Nord;A;"
                    f"Einzelfahrt;{n:013d};{day:%d.%m.%Y};4,80 €;7 %;KST-{n % 40}")
    path = folder / "invoice.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


def through_api(url: str, folder: Path, data: bytes) -> float:
    settings = Settings(data_dir=folder, keys_dir=folder / "keys", database_url=url)
    app = create_app(settings)
    with app.extensions["voucher"].db.session() as session:
        token = clients.create_token(session, "finance", "bench", datetime.now(UTC))
        session.commit()
    start = time.perf_counter()
    response = app.test_client().post("/api/v1/invoices/match", data=data,
                                      headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
    elapsed = time.perf_counter() - start
    app.extensions["voucher"].db.engine.dispose()
    _check(response.status_code, response.get_json())
    return elapsed


def through_cli(url: str, folder: Path, path: Path) -> tuple[float, float]:
    """(seconds, peak resident memory in MB) of one `voucher finance match` process."""
    env = {**os.environ, "DATABASE_URL": url, "VOUCHER_DATA_DIR": str(folder), "VOUCHER_KEYS_DIR": str(folder / "keys")}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "voucher", "finance", "match", str(path)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    _check(process.returncode, None)
    return elapsed, usage.ru_maxrss / 1024


def _check(status: int, report: dict | None) -> None:
    if status not in (0, 200) or (report is not None and report["totals"]["matched_count"] != LINES):
        raise RuntimeError(f"invoice bench: unexpected answer {status} {report and report['totals']}")


def run() -> list[tuple[str, str]]:
    api = {"SQLite": [], "PostgreSQL": []}
    cli, memory = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = invoice(folder)
        data = path.read_bytes()
        try:
            for run_number in range(RUNS):
                for backend in api:
                    url = f"sqlite:///{folder}/api-{run_number}.db" if backend == "SQLite" else postgres_url(PG_SCHEMA)
                    world(url)
                    api[backend].append(through_api(url, folder, data))
                url = f"sqlite:///{folder}/cli-{run_number}.db"
                world(url)
                seconds, megabytes = through_cli(url, folder, path)
                cli.append(seconds)
                memory.append(megabytes)
        finally:
            pg(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    size = f"{LINES:,} lines, {len(data) / 1e6:.1f} MB"
    rows = [(f"Invoice through POST /api/v1/invoices/match into {backend} ({size}, all matched and stored)",
             f"{statistics.median(times):.1f} s") for backend, times in api.items()]
    rows.append((f"Invoice through `voucher finance match` into SQLite ({size}; whole process)",
                 f"{statistics.median(cli):.1f} s, peak {statistics.median(memory):.0f} MB resident"))
    return rows
