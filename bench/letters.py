"""Letters per second for a 1,000-letter batch: issue through the service into SQLite, then
render one PDF with every core (target: 100 letters/s on 2 cores)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.letters import batch

LETTERS = 1000
RUNS = 3


def _csv(n: int, day: str) -> str:
    rows = ["external_ref,holder_name,address_1,valid_from,valid_until,origin,destination,return_trip,cost_center"]
    rows += [f"B{i},Zeynep Öztürk-Wiśniewska {i},Lindenweg {i},{day},{day},Musterstadt Hbf,Jobcenter Nord,ja,KST-{i % 7}"
             for i in range(n)]
    return "\n".join(rows) + "\n"


def run() -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    text = _csv(LETTERS, (now + timedelta(days=10)).date().isoformat())
    issue_s, render_s = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), keys_dir=Path(tmp) / "keys")
            db = Database(settings.database)
            db.upgrade()
            keystore = KeyStore(settings.keys_dir)
            keystore.init("bench", now, timedelta(days=30))
            with db.session() as session:
                start = time.perf_counter()
                result = batch.run(session, keystore, settings, text, now)
                issue_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            pdf = batch.write_pdf(result.letters, settings)
            render_s.append(time.perf_counter() - start)
            assert not result.errors and pdf.startswith(b"%PDF")
            db.engine.dispose()
    issue, render = statistics.median(issue_s), statistics.median(render_s)
    cores = os.cpu_count()
    return [
        (f"Letter batch: issue {LETTERS} vouchers from CSV (SQLite, one process)", f"{LETTERS / issue:.0f} vouchers/s ({issue:.2f} s)"),
        (f"Letter batch: render {LETTERS} letters into one PDF ({cores} processes)", f"{LETTERS / render:.0f} letters/s ({render:.2f} s)"),
        (f"Letter batch: end to end, {LETTERS} letters (target ≥ 100/s)", f"{LETTERS / (issue + render):.0f} letters/s"),
    ]
