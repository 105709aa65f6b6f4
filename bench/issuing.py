"""Vouchers issued per second through the service layer (validate, sign, store, audit, commit
one by one as the API does) into SQLite and into PostgreSQL."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.schemas import IssueRequest
from voucher.services.issuing import IssuingService

N = 500
RUNS = 3
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "voucher_bench"


def postgres_url() -> str:
    """A fresh schema in the local PostgreSQL, so a benchmark never touches other data."""
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()
    return f"{PG}?options=-csearch_path%3D{PG_SCHEMA}"


def _issue(url: str, folder: Path) -> float:
    settings = Settings(data_dir=folder, keys_dir=folder / "keys", database_url=url)
    db = Database(url)
    db.upgrade()
    now = datetime.now(UTC)
    keystore = KeyStore(settings.keys_dir)
    if not keystore.trust_list().keys:
        keystore.init("bench", now, timedelta(days=30))
    day = (now + timedelta(days=5)).date().isoformat()
    requests = [IssueRequest.model_validate(
        {"holder_name": f"Zeynep Öztürk {i}", "valid_from": day, "valid_until": day, "origin": "Musterstadt Hbf",
         "destination": "Jobcenter Nord", "cost_center": "KST-1", "return_trip": True},
        context={"tz": settings.timezone}) for i in range(N)]
    with db.session() as session:
        service = IssuingService(session, keystore, settings)
        start = time.perf_counter()
        for request in requests:
            service.issue(request, "bench", now)
        elapsed = time.perf_counter() - start
    db.engine.dispose()
    return N / elapsed


def run() -> list[tuple[str, str]]:
    rows = []
    for name in ("SQLite", "PostgreSQL"):
        rates = []
        for _ in range(RUNS):
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{tmp}/bench.db" if name == "SQLite" else postgres_url()
                rates.append(_issue(url, Path(tmp)))
        rows.append((f"Issuing through the service layer into {name} ({N} vouchers, one commit each)",
                     f"{statistics.median(rates):,.0f} vouchers/s"))
    return rows
