"""Reconciliation for a year of a large Jobcenter in PostgreSQL: 360,000 vouchers over 40 cost
centres, 300,000 accepted journeys, 3,000 double uses, 5,000 revocations (plus a few hundred
journeys after revocation, outside validity, future-dated, of unknown vouchers and unreadable
codes, and 3,000 journeys with no fare), seeded with generate_series in a schema of its own that
is dropped afterwards.

Timed through the real app (Flask test client, in a separate process so its memory is its own):
GET /api/v1/reconciliation for the year and for one month (targets: < 1 s and < 200 ms), the
year's CSV export, a page of flags, and the worker's peak resident memory (target: < 200 MB).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from voucher.db import Database

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RUNS = 5
OFFICE = "JC-BENCH"
NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
YEAR = "from=2025-01-01&to=2025-12-31"
MONTH = "from=2025-06-01&to=2025-06-30"

# One voucher per i; validity one local day, a week after issue; journeys on the first 300,000.
SEED = f"""
INSERT INTO vouchers (id, kid, code, holder_name, valid_from, valid_until, zone, origin, destination, fare_class,
                      travellers, return_trip, office, cost_center, max_fare_cents, customer_ref, request_hash,
                      language, created_at, created_by)
SELECT 'V' || lpad(i::text, 12, '0'), 'bench', 'JV1:' || md5(i::text) || repeat('0123456789', 7), 'Holder ' || i,
       (day + 7)::timestamp AT TIME ZONE 'Europe/Berlin', (day + 8)::timestamp AT TIME ZONE 'Europe/Berlin',
       CASE WHEN i % 100 < 45 THEN 'A' WHEN i % 100 < 90 THEN 'B' WHEN i % 100 = 99 THEN 'X' END,
       CASE WHEN i % 100 BETWEEN 90 AND 98 THEN 'Musterstadt Hbf' END,
       CASE WHEN i % 100 BETWEEN 90 AND 98 THEN 'Jobcenter Nord' END,
       CASE WHEN i % 10 = 0 THEN 1 ELSE 2 END, 1 + (i % 7 = 0)::int, i % 3 = 0, '{OFFICE}',
       'KST-' || lpad((i % 40)::text, 2, '0'), CASE WHEN i % 5 <> 4 THEN 480 + (i % 5) * 10 END,
       'PSN-' || i, md5(i::text), 'de', created AT TIME ZONE 'Europe/Berlin', 'bench'
FROM (SELECT i, created, created::date AS day
      FROM (SELECT i, timestamp '2025-01-01 08:00' + (i - 1) * interval '87 seconds' AS created
            FROM generate_series(1, 360000) AS i) AS t) AS s;

INSERT INTO redemptions (client_id, device_id, voucher_id, code, redeemed_at, received_at, location, outcome, flags)
SELECT 'c-' || i, 'bus-' || (i % 200), id, code, valid_from + interval '8 hours' + (i % 600) * interval '1 minute',
       valid_from + interval '20 hours', 'Bus ' || (i % 300), 'accepted',
       CASE WHEN i % 1500 = 7 THEN '["future_dated"]' ELSE '[]' END::json
FROM (SELECT substr(id, 2)::int AS i, id, code, valid_from FROM vouchers WHERE id <= 'V000000300000') AS v;

INSERT INTO redemptions (client_id, device_id, voucher_id, code, redeemed_at, received_at, location, outcome, flags)
SELECT 'd-' || substr(client_id, 3), 'bus-7', voucher_id, code, redeemed_at + interval '2 hours', received_at, 'Bus 7',
       'duplicate', '["double_use"]'
FROM redemptions WHERE substr(client_id, 3)::int % 100 = 0;

INSERT INTO revocations (seq, voucher_id, revoked_at, reason, actor)
SELECT substr(id, 2)::int - 300000, id, created_at + interval '1 day', 'bench', 'bench'
FROM vouchers WHERE id > 'V000000300000' AND id <= 'V000000305000';
UPDATE counters SET value = 5000 WHERE name = 'revocations';

INSERT INTO redemptions (client_id, device_id, voucher_id, code, redeemed_at, received_at, location, outcome, flags)
SELECT 'r-' || id, 'bus-3', id, code, valid_from + interval '9 hours', valid_from + interval '20 hours', 'Bus 3',
       'revoked', '["redeemed_after_revocation", "accepted_offline"]'
FROM vouchers WHERE id > 'V000000300000' AND id <= 'V000000305000' AND substr(id, 2)::int % 10 = 1;

INSERT INTO redemptions (client_id, device_id, voucher_id, code, redeemed_at, received_at, location, outcome, flags)
SELECT 'x-' || id, 'bus-4', id, code, valid_until + interval '3 days', valid_until + interval '4 days', 'Bus 4',
       'expired', '["outside_validity"]'
FROM vouchers WHERE id > 'V000000305000' AND substr(id, 2)::int % 100 = 1;

INSERT INTO redemptions (client_id, device_id, voucher_id, code, redeemed_at, received_at, location, outcome, flags)
SELECT 'u-' || i, 'bus-5', CASE WHEN i % 2 = 0 THEN 'U' || lpad(i::text, 12, '0') END, 'JV1:garbage',
       timestamptz '2025-01-02 09:00:00+00' + i * interval '1 day', timestamptz '2025-01-02 10:00:00+00' + i * interval '1 day',
       'Bus 5', CASE WHEN i % 2 = 0 THEN 'unknown' ELSE 'invalid' END, '[]'
FROM generate_series(1, 360) AS i;

INSERT INTO fares (office, zone, origin, destination, fare_class, price_cents, valid_from, valid_to)
SELECT '{OFFICE}', zone, origin, destination, fare_class, price + (fare_class = 1)::int * 200 + (half = 2)::int * 20,
       CASE WHEN half = 1 THEN date '2025-01-01' ELSE date '2025-07-01' END,
       CASE WHEN half = 1 THEN date '2025-06-30' END
FROM (VALUES ('A', NULL, NULL, 290), ('B', NULL, NULL, 350), (NULL, 'Musterstadt Hbf', 'Jobcenter Nord', 410))
       AS z(zone, origin, destination, price),
     generate_series(1, 2) AS fare_class, generate_series(1, 2) AS half;
"""


@contextmanager
def _schema() -> Iterator[str]:
    """A schema of its own (named with the pid: the server is shared), dropped afterwards."""
    name = f"bench_reconciliation_{os.getpid()}"
    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")
    try:
        yield f"{PG}?options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


# Plain indexes (not those behind a key or unique constraint) are dropped for the load and built
# again after it: building an index once is much faster than growing it row by row.
PLAIN_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = to_regnamespace(i.schemaname)
WHERE i.schemaname = current_schema() AND i.tablename IN ('vouchers', 'redemptions')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = c.oid)
"""


def _seed(url: str) -> float:
    start = time.perf_counter()
    Database(url).upgrade()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        indexes = conn.exec_driver_sql(PLAIN_INDEXES).all()
        for name, _ in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        conn.connection.driver_connection.execute(SEED)  # no parameters: several statements, % as modulo
        for _, definition in indexes:
            conn.exec_driver_sql(definition)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return time.perf_counter() - start


def measure(url: str, folder: str) -> dict:
    """In the worker process: the app on the seeded schema, each request timed RUNS times."""
    from voucher import create_app
    from voucher.config import Settings
    from voucher.keys import KeyStore
    from voucher.services import clients

    KeyStore(Path(folder) / "keys").init("bench", NOW - timedelta(days=400), timedelta(days=730))
    settings = Settings(data_dir=Path(folder), keys_dir=Path(folder) / "keys", database_url=url, office_code=OFFICE)
    app = create_app(settings, clock=lambda: NOW)
    with app.extensions["voucher"].db.session() as session:
        token = clients.create_token(session, "finance", "bench", NOW)
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(query: str) -> tuple[float, int]:
        start = time.perf_counter()
        response = client.get(f"/api/v1/reconciliation{query}", headers=headers)
        size = len(response.get_data())  # a streamed body is produced here
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return elapsed, size

    get("?from=2025-01-01&to=2025-01-01")  # warm: imports, connection, first plans
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = {}
    for name, query in (("year", f"?{YEAR}"), ("month", f"?{MONTH}"), ("year_csv", f"?{YEAR}&format=csv"),
                        ("flags_page", f"/flags?{YEAR}&limit=100")):
        runs = [get(query) for _ in range(RUNS)]
        results[name] = {"seconds": statistics.median(t for t, _ in runs), "bytes": runs[0][1]}
    results["totals"] = client.get(f"/api/v1/reconciliation?{YEAR}", headers=headers).get_json()["totals"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results["rss_mb"] = {"before": before / 1024, "peak": peak / 1024}
    return results


def run() -> list[tuple[str, str]]:
    with _schema() as url, tempfile.TemporaryDirectory() as folder:
        seeded = _seed(url)
        out = subprocess.run([sys.executable, "-m", "bench.reconciliation", url, folder], check=True,
                             capture_output=True, text=True).stdout
    r = json.loads(out.splitlines()[-1])  # the request log goes to stdout too
    t = r["totals"]
    ms = lambda name: f"{r[name]['seconds'] * 1000:,.0f} ms"  # noqa: E731
    return [
        ("Seeding a year of a large Jobcenter in PostgreSQL (generate_series, then VACUUM ANALYZE)", f"{seeded:.1f} s"),
        ("Its year in figures", f"{t['issued']:,} issued, {t['redeemed']:,} journeys, {t['revoked']:,} revoked, "
                                f"{t['expired_unused']:,} expired unused, {t['flagged']:,} flags, {t['no_fare']:,} without fare"),
        ("GET /api/v1/reconciliation, the year (target < 1 s)", ms("year")),
        ("GET /api/v1/reconciliation, one month (target < 200 ms)", ms("month")),
        ("GET /api/v1/reconciliation?format=csv, the year, streamed", f"{ms('year_csv')} ({r['year_csv']['bytes'] / 1e6:.1f} MB)"),
        ("GET /api/v1/reconciliation/flags, the year, a page of 100", ms("flags_page")),
        ("Worker's peak resident memory during these requests (target < 200 MB)",
         f"{r['rss_mb']['peak']:.0f} MB ({r['rss_mb']['before']:.0f} MB before the first)"),
    ]


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
