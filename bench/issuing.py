"""Vouchers issued per second into SQLite and into PostgreSQL.

Through the batch route as it is deployed: `POST /api/v1/vouchers/batch` to gunicorn with 2
workers (one thread each, as `voucher serve` runs them), 1,000 vouchers a request, from one letter
system sending its requests one after another and from two sending at once (each its own process
on the same machine: JSON in, validation, signing, bulk inserts, JSON out; targets ≥ 3,000/s
SQLite, ≥ 5,000/s PostgreSQL). Each sender first sends one batch unmeasured, as a nightly run
of thousands of letters is measured by its steady pace, not by a worker's first request. And one
by one through the service layer with a commit each, as single API requests do.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path

from bench.appserver import app_on, gunicorn
from bench.databases import BACKENDS, database_url
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.schemas import IssueRequest
from voucher.services.issuing import IssuingService

WORKERS = 2
ONE_BY_ONE = 500
BATCHES, BATCH = 8, 1000
SENDERS = (1, 2)
RUNS = 3
TARGET = {"SQLite": 3000, "PostgreSQL": 5000}


def _body(i: int, day: str) -> dict:
    return {"holder_name": f"Zeynep Öztürk {i}", "valid_from": day, "valid_until": day, "origin": "Musterstadt Hbf",
            "destination": "Jobcenter Nord", "cost_center": f"KST-{i % 40}", "return_trip": True,
            "customer_ref": f"PSN-{i:06d}", "external_ref": f"bench-{i}"}


def _day() -> str:
    return (datetime.now(UTC) + timedelta(days=5)).date().isoformat()


def _send(task: tuple[str, str, int]) -> tuple[float, float]:
    """One letter system: a warm-up batch, then BATCHES batches back to back; their start and end."""
    base, token, sender = task
    day = _day()
    bodies = [json.dumps({"vouchers": [_body((sender * (BATCHES + 1) + b) * BATCH + i, day) for i in range(BATCH)]}).encode()
              for b in range(BATCHES + 1)]

    def post(body: bytes) -> None:
        request = urllib.request.Request(base + "/api/v1/vouchers/batch", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=120) as response:
            results = json.loads(response.read())["results"]
        if not all(r["status"] == 201 for r in results):
            raise RuntimeError(f"batch refused: {results[0]}")

    post(bodies[0])
    start = time.perf_counter()
    for body in bodies[1:]:
        post(body)
    return start, time.perf_counter()


def _batch_route(backend: str, senders: int) -> float:
    with app_on(backend) as setup, gunicorn(setup, WORKERS) as server, Pool(senders) as pool:
        spans = pool.map(_send, [(server.base, setup.tokens["issuer"], s) for s in range(senders)])
    return senders * BATCHES * BATCH / (max(end for _, end in spans) - min(start for start, _ in spans))


def _one_by_one(backend: str) -> float:
    with tempfile.TemporaryDirectory() as tmp, database_url(backend, Path(tmp)) as url:
        folder = Path(tmp)
        settings = Settings(data_dir=folder, keys_dir=folder / "keys", database_url=url)
        db = Database(url)
        db.upgrade()
        now = datetime.now(UTC)
        KeyStore(settings.keys_dir).init("bench", now, timedelta(days=30))
        day = _day()
        requests = [IssueRequest.model_validate(_body(i, day), context={"tz": settings.timezone})
                    for i in range(ONE_BY_ONE)]
        with db.session() as session:
            service = IssuingService(session, KeyStore(settings.keys_dir), settings)
            start = time.perf_counter()
            for request in requests:
                service.issue(request, "bench", now)
            elapsed = time.perf_counter() - start
        db.engine.dispose()
    return ONE_BY_ONE / elapsed


def run() -> list[tuple[str, str]]:
    rows = []
    for backend in BACKENDS:
        for senders in SENDERS:
            rates = sorted(_batch_route(backend, senders) for _ in range(RUNS))
            who = "one letter system" if senders == 1 else f"{senders} letter systems at once"
            rows.append((f"Issuing through POST /api/v1/vouchers/batch into {backend}, gunicorn {WORKERS} workers, "
                         f"{who}, {BATCHES} × {BATCH:,} vouchers each (target ≥ {TARGET[backend]:,}/s)",
                         f"{statistics.median(rates):,.0f} vouchers/s (runs: {', '.join(f'{r:,.0f}' for r in rates)})"))
        single = statistics.median(_one_by_one(backend) for _ in range(RUNS))
        rows.append((f"Issuing one by one through the service layer into {backend} ({ONE_BY_ONE} vouchers, one commit each)",
                     f"{single:,.0f} vouchers/s"))
    return rows
