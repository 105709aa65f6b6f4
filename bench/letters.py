"""Letters per second for a 1,000-letter batch: issue through the service into SQLite, then
render one PDF with every core (target: 100 letters/s on 2 cores, German); then render-only
letters/s for an Arabic, a Turkish and a Leichte Sprache letter next to a German one."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.letters import batch

LETTERS = 1000
RUNS = 3


LANGUAGES = (("de", "Zeynep Öztürk-Wiśniewska"), ("tr", "Zeynep Öztürk"), ("ar", "محمد الأحمد"),
             ("de-x-ls", "Zeynep Öztürk-Wiśniewska"))
RENDER_ONLY = 300  # letters per language for the render comparison


def _csv(n: int, day: str, language: str = "de", name: str = "Zeynep Öztürk-Wiśniewska") -> str:
    rows = ["external_ref,holder_name,address_1,valid_from,valid_until,origin,destination,return_trip,cost_center,language"]
    rows += [f"B{language}{i},{name} {i},Lindenweg {i},{day},{day},Musterstadt Hbf,Jobcenter Nord,ja,KST-{i % 7},{language}"
             for i in range(n)]
    return "\n".join(rows) + "\n"


@contextmanager
def _office(now: datetime) -> Iterator[tuple[Settings, Database, KeyStore]]:
    """An empty SQLite office with a signing key, gone afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), keys_dir=Path(tmp) / "keys")
        db = Database(settings.database)
        db.upgrade()
        keystore = KeyStore(settings.keys_dir)
        keystore.init("bench", now, timedelta(days=30))
        try:
            yield settings, db, keystore
        finally:
            db.engine.dispose()


def _per_language(now: datetime) -> list[tuple[str, str]]:
    """Render-only letters/s per language, all cores: what Arabic (two pages, HarfBuzz shaping,
    bidi), Turkish (two pages) and Leichte Sprache (three pages) cost next to German (one page)."""
    day = (now + timedelta(days=10)).date().isoformat()
    results = []
    with _office(now) as (settings, db, keystore):
        for language, name in LANGUAGES:
            with db.session() as session:
                letters = batch.run(session, keystore, settings, _csv(RENDER_ONLY, day, language, name), now).letters
            start = time.perf_counter()
            batch.write_pdf(letters, settings)
            seconds = time.perf_counter() - start
            results.append((f"Letter render, {language} ({RENDER_ONLY} letters, {os.cpu_count()} processes)",
                            f"{RENDER_ONLY / seconds:.0f} letters/s"))
    return results


def run() -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    text = _csv(LETTERS, (now + timedelta(days=10)).date().isoformat())
    issue_s, render_s = [], []
    for _ in range(RUNS):
        with _office(now) as (settings, db, keystore):
            with db.session() as session:
                start = time.perf_counter()
                result = batch.run(session, keystore, settings, text, now)
                issue_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            pdf = batch.write_pdf(result.letters, settings)
            render_s.append(time.perf_counter() - start)
            assert not result.errors and pdf.startswith(b"%PDF")
    issue, render = statistics.median(issue_s), statistics.median(render_s)
    cores = os.cpu_count()
    return [
        (f"Letter batch: issue {LETTERS} vouchers from CSV (SQLite, one process)", f"{LETTERS / issue:.0f} vouchers/s ({issue:.2f} s)"),
        (f"Letter batch: render {LETTERS} letters into one PDF ({cores} processes)", f"{LETTERS / render:.0f} letters/s ({render:.2f} s)"),
        (f"Letter batch: end to end, {LETTERS} letters (target ≥ 100/s)", f"{LETTERS / (issue + render):.0f} letters/s"),
        *_per_language(now),
    ]
