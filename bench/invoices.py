"""Operator invoices checked end to end: read, matched against the journeys, stored, and the
whole report written out, through POST /api/v1/invoices/match (the app in a process of its own,
Flask's test client, the streamed answer read to its end) and through a real
`voucher finance match` process (its report to /dev/null), on SQLite and on PostgreSQL. Each
figure is the process's wall time from the request (or its start) to the report's last byte,
and its peak resident memory (ru_maxrss; the process is fresh, so its imports count too).

Two invoices, each matched against journeys seeded to fit it (every line matches one):
- a month of a large office: 50,000 lines as German Excel exports them (Windows-1252, `sep=;`,
  the usual extra columns, about 5 MB); median of RUNS runs, each on a fresh database;
- the worst case under the 50 MB limit (issue 20): about 1,000,000 short lines (48 MB) against
  500,000 return-trip vouchers; LARGE_RUNS run(s), each on a fresh copy of the seeded database.
Targets for the large one: under 60 s and under 400 MB.

The machine's speed at the time is given with the figures: seconds for a pure-Python loop of
10 million additions (about 0.65 s on this VM when it is quiet; it is shared and is at times
several times slower)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.databases import pg, postgres_url
from voucher import create_app
from voucher.config import Settings
from voucher.db import Database, insert_rows
from voucher.services import clients
from voucher.store import Redemption, Voucher
from voucher.store.vouchers import holder_key

RUNS = 3
LARGE_RUNS = 1
PG_SCHEMA = f"voucher_bench_invoices_{os.getpid()}"
TZ = ZoneInfo("Europe/Berlin")
SEED_BATCH = 20_000
LOOP = 10_000_000
GERMAN_HEADER = ("Rechnungsnummer;Position;Linie;Fahrtrichtung;Haltestelle Einstieg;Haltestelle Ausstieg;Tarifstufe;"
                 "Fahrscheinart;voucher_id;travel_date;amount;USt-Satz;Kostenstelle")


@dataclass(frozen=True)
class Case:
    name: str
    lines: int
    runs: int

    def write(self, folder: Path) -> Path:
        """The invoice file: two lines per voucher (its two journeys), vouchers numbered from 0."""
        first, days = last_month()
        path = folder / f"{self.name}.csv"
        with path.open("wb") as out:
            if self.name == "german":
                out.write(f"sep=;\r\n{GERMAN_HEADER}\r\n".encode("cp1252"))
                line = ("RE-{first:%Y-%m}-0815;{i};Bus 142;Hauptbahnhof;Münchner Straße;Jobcenter Nord;A;Einzelfahrt;"
                        "{n:013d};{day:%d.%m.%Y};4,80 €;7 %;KST-{cost}\r\n")
            else:
                out.write(b"Pos;Ticketnummer;Fahrtdatum;Betrag;Linie\r\n")
                line = "{i};{n:013d};{day:%d.%m.%Y};4,80 €;Bus 142\r\n"
            for i in range(self.lines):
                n = i // 2
                out.write(line.format(first=first, i=i + 1, n=n, day=first + timedelta(days=n % days),
                                      cost=n % 40).encode("cp1252"))
        return path


CASES = (Case("german", 50_000, RUNS), Case("short", 1_000_000, LARGE_RUNS))


def last_month() -> tuple[date, int]:
    """The first day of the month before this one, and its length: journeys lie in the past,
    as the reader refuses future travel dates."""
    first_this = datetime.now(TZ).date().replace(day=1)
    first = (first_this - timedelta(days=1)).replace(day=1)
    return first, (first_this - first).days


def world(url: str, lines: int) -> None:
    """lines / 2 return-trip vouchers with two journeys each, spread over last month."""
    db = Database(url)
    db.upgrade()
    first, days = last_month()
    created = datetime.combine(first, clock_time(0), TZ)
    with db.session() as session:
        for start in range(0, lines // 2, SEED_BATCH):
            vouchers, journeys = [], []
            for n in range(start, min(lines // 2, start + SEED_BATCH)):
                day = first + timedelta(days=n % days)
                vouchers.append(dict(
                    id=f"{n:013d}", kid="bench", code="", holder_name="", holder_key=holder_key(""), valid_from=created,
                    valid_until=created + timedelta(days=40), origin="Musterstadt Hbf", destination="Jobcenter Nord",
                    fare_class=2, travellers=1, return_trip=True, office="JC-BENCH", cost_center=f"KST-{n % 40}",
                    max_fare_cents=480, request_hash="0" * 64, language="de", created_at=created, created_by="bench"))
                for leg, hour in enumerate((8, 15)):
                    at = datetime.combine(day, clock_time(hour), TZ)
                    journeys.append(dict(client_id=f"j-{n}-{leg}", device_id="bus-1", voucher_id=f"{n:013d}",
                                         redeemed_at=at, received_at=at, location="Bus 142", outcome="accepted",
                                         flags=[], purpose="journey"))
            insert_rows(session, Voucher.__table__, vouchers)
            insert_rows(session, Redemption.__table__, journeys)
        session.commit()
    if url.startswith("postgresql"):  # as autovacuum would after such a load: the planner knows the tables' sizes
        with db.engine.begin() as connection:  # committed: statistics analysed in a rolled-back transaction are lost
            connection.exec_driver_sql("ANALYZE vouchers, redemptions")
    db.engine.dispose()


def _env(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "VOUCHER_DATA_DIR": str(folder), "VOUCHER_KEYS_DIR": str(folder / "keys")}


def _measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident MB, stdout) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"invoice bench: {command[3:5]} failed with {status}")
    return elapsed, usage.ru_maxrss / 1024, out


def through_api(url: str, folder: Path, path: Path) -> tuple[float, float]:
    """(seconds from the request to the answer's last byte, peak MB) of an app process."""
    _, megabytes, out = _measured([sys.executable, "-m", "bench.invoices", "api", str(path)], _env(url, folder))
    return float(out), megabytes


def through_cli(url: str, folder: Path, path: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one `voucher finance match` process, its report written to /dev/null."""
    env = _env(url, folder)
    seconds, megabytes, _ = _measured([sys.executable, "-m", "voucher", "finance", "match", str(path)], env)
    return seconds, megabytes


def _matched(url: str, folder: Path) -> int:
    """How many lines the last stored invoice matched (each run checks every line matched)."""
    out = subprocess.run([sys.executable, "-m", "voucher", "finance", "invoices", "--limit", "1"],
                         env=_env(url, folder), capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]["totals"]["matched_count"]


def upload(path: Path) -> None:
    """In a process of its own (`python -m bench.invoices api FILE`): post the file, read the
    streamed answer to its end, print the seconds that took."""
    folder = Path(os.environ["VOUCHER_DATA_DIR"])
    app = create_app(Settings(data_dir=folder, keys_dir=folder / "keys", database_url=os.environ["DATABASE_URL"]))
    with app.extensions["voucher"].db.session() as session:
        token = clients.create_token(session, "finance", "bench", datetime.now(UTC))
        session.commit()
    data = path.read_bytes()
    start = time.perf_counter()
    response = app.test_client().post("/api/v1/invoices/match", data=data, buffered=False,
                                      headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
    del data
    size = sum(len(piece) for piece in response.iter_encoded())
    elapsed = time.perf_counter() - start
    response.close()
    if response.status_code != 200 or size < 100:
        raise SystemExit(f"invoice bench: answer {response.status_code}, {size} bytes")
    print(elapsed)


def loop_seconds() -> float:
    """The machine's speed now: a pure-Python loop (about 0.65 s on this VM when it is quiet)."""
    start = time.perf_counter()
    total = 0
    for i in range(LOOP):
        total += i
    return time.perf_counter() - start


def _seeded(case: Case, folder: Path, backend: str, template: Path) -> str:
    """A database holding the case's journeys: SQLite a copy of one seeded file, PostgreSQL seeded anew."""
    if backend == "PostgreSQL":
        url = postgres_url(PG_SCHEMA)
        world(url, case.lines)
        return url
    if not template.exists():
        world(f"sqlite:///{template}", case.lines)
    copy = folder / "run.db"
    for leftover in folder.glob("run.db*"):
        leftover.unlink()
    shutil.copyfile(template, copy)
    return f"sqlite:///{copy}"


def run() -> list[tuple[str, str]]:
    rows, loops = [], [loop_seconds()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        try:
            for case in CASES:
                path = case.write(folder)
                size = f"{case.lines:,} lines, {path.stat().st_size / 1e6:.1f} MB"
                template = folder / f"{case.name}-seeded.db"
                for backend in ("SQLite", "PostgreSQL"):
                    for way, measure in (("POST /api/v1/invoices/match", through_api),
                                         ("`voucher finance match`", through_cli)):
                        seconds, megabytes = [], []
                        for _ in range(case.runs):
                            url = _seeded(case, folder, backend, template)
                            elapsed, peak = measure(url, folder, path)
                            if _matched(url, folder) != case.lines:
                                raise RuntimeError(f"invoice bench: not every line of {path.name} matched")
                            seconds.append(elapsed)
                            megabytes.append(peak)
                            loops.append(loop_seconds())
                        rows.append((f"Invoice through {way} into {backend} ({size}, all matched, stored, report written)",
                                     f"{statistics.median(seconds):.1f} s, peak {statistics.median(megabytes):.0f} MB"))
                template.unlink(missing_ok=True)
        finally:
            pg(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    rows.append(("Machine speed meanwhile: a 10-million-step Python loop (≈ 0.65 s when this VM is quiet)",
                 f"{min(loops):.2f}–{max(loops):.2f} s (median {statistics.median(loops):.2f} s)"))
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["api"]:
        upload(Path(sys.argv[2]))
