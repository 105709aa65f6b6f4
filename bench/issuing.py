"""Vouchers issued per second into SQLite and into PostgreSQL: through the batch route
(`POST /api/v1/vouchers/batch`, 1,000 a request, in process through Flask's test client: JSON in,
validation, signing, bulk inserts, JSON out; targets ≥ 3,000/s SQLite, ≥ 5,000/s PostgreSQL), and one
by one through the service layer with a commit each, as single API requests do."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.schemas import IssueRequest
from voucher.services import clients
from voucher.services.issuing import IssuingService

ONE_BY_ONE = 500
BATCHES, BATCH = 5, 1000
RUNS = 3
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = f"voucher_bench_{os.getpid()}"  # the server is shared: a name of our own


def _pg(statement: str) -> None:
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def postgres_url() -> str:
    """A fresh schema in the local PostgreSQL, so a benchmark never touches other data."""
    _pg(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}")
    return f"{PG}?options=-csearch_path%3D{PG_SCHEMA}"


@contextmanager
def postgres_schema() -> Iterator[str]:
    """postgres_url(), and the schema dropped afterwards."""
    try:
        yield postgres_url()
    finally:
        _pg(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")


@contextmanager
def _database(name: str) -> Iterator[tuple[Settings, Database]]:
    """A migrated, empty database of that backend with a signing key, and its settings."""
    with tempfile.TemporaryDirectory() as tmp, (postgres_schema() if name == "PostgreSQL" else _sqlite(tmp)) as url:
        folder = Path(tmp)
        settings = Settings(data_dir=folder, keys_dir=folder / "keys", database_url=url,
                            rate_limit_per_minute=10**9)
        db = Database(url)
        db.upgrade()
        KeyStore(settings.keys_dir).init("bench", datetime.now(UTC), timedelta(days=30))
        try:
            yield settings, db
        finally:
            db.engine.dispose()


@contextmanager
def _sqlite(folder: str) -> Iterator[str]:
    yield f"sqlite:///{folder}/bench.db"


def _body(i: int, day: str) -> dict:
    return {"holder_name": f"Zeynep Öztürk {i}", "valid_from": day, "valid_until": day, "origin": "Musterstadt Hbf",
            "destination": "Jobcenter Nord", "cost_center": f"KST-{i % 40}", "return_trip": True,
            "customer_ref": f"PSN-{i:06d}", "external_ref": f"bench-{i}"}


def _day() -> str:
    return (datetime.now(UTC) + timedelta(days=5)).date().isoformat()


def _batch_route(name: str) -> float:
    with _database(name) as (settings, db):
        with db.session() as session:
            token = clients.create_token(session, "issuer", "bench", datetime.now(UTC))
            session.commit()
        app = create_app(settings)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        day = _day()
        batches = [{"vouchers": [_body(b * BATCH + i, day) for i in range(BATCH)]} for b in range(BATCHES)]
        start = time.perf_counter()
        for batch in batches:
            results = client.post("/api/v1/vouchers/batch", json=batch, headers=headers).get_json()["results"]
            assert all(r["status"] == 201 for r in results), results[0]
        elapsed = time.perf_counter() - start
        app.extensions["voucher"].db.engine.dispose()
    return BATCHES * BATCH / elapsed


def _one_by_one(name: str) -> float:
    with _database(name) as (settings, db):
        now = datetime.now(UTC)
        day = _day()
        requests = [IssueRequest.model_validate(_body(i, day), context={"tz": settings.timezone})
                    for i in range(ONE_BY_ONE)]
        with db.session() as session:
            service = IssuingService(session, KeyStore(settings.keys_dir), settings)
            start = time.perf_counter()
            for request in requests:
                service.issue(request, "bench", now)
            elapsed = time.perf_counter() - start
    return ONE_BY_ONE / elapsed


def run() -> list[tuple[str, str]]:
    rows = []
    for name in ("SQLite", "PostgreSQL"):
        batch = statistics.median(_batch_route(name) for _ in range(RUNS))
        single = statistics.median(_one_by_one(name) for _ in range(RUNS))
        rows.append((f"Issuing through POST /api/v1/vouchers/batch into {name} ({BATCHES} × {BATCH:,} vouchers, "
                     f"target ≥ {3000 if name == 'SQLite' else 5000:,}/s)", f"{batch:,.0f} vouchers/s"))
        rows.append((f"Issuing one by one through the service layer into {name} ({ONE_BY_ONE} vouchers, one commit each)",
                     f"{single:,.0f} vouchers/s"))
    return rows
