"""Shared fixtures: one app per database backend, tokens per role, a clock tests can move."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.services import clients
from voucher.store import Base

pytest_plugins = ["tests.live_server"]  # live server and Chromium for the browser tests

PG_ADMIN_URL = os.environ.get("VOUCHER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VOUCHER_TEST_REDIS", "redis://127.0.0.1:6379/0")
# One schema per test run, so runs from several checkouts can share the machine's server.
PG_SCHEMA = f"voucher_test_{os.getpid()}"
# Every database test runs on both; VOUCHER_TEST_BACKENDS=sqlite (the fast lane, dev.py) narrows
# that to the embedded one. CI always runs both.
BACKENDS = os.environ.get("VOUCHER_TEST_BACKENDS", "sqlite,postgresql").split(",")
if not BACKENDS or not set(BACKENDS) <= {"sqlite", "postgresql"}:
    raise pytest.UsageError(f"VOUCHER_TEST_BACKENDS={','.join(BACKENDS)}: name sqlite, postgresql or both")
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


def _pg_schema(statement: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def require_postgres() -> None:
    """Skip the test when the PostgreSQL server is not there (except in CI, where it must be)."""
    try:
        _pg_schema("SELECT 1")
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc.orig}")


def _postgres_url(schema: str = PG_SCHEMA) -> str:
    """A URL for a new, empty schema (skips the test when the server is not there, except in CI)."""
    require_postgres()
    _pg_schema(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    return f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def redis_limits() -> tuple[str, str]:
    """(VOUCHER_REDIS_URL, VOUCHER_REDIS_PREFIX) on the machine's Redis, with a prefix of this
    test's own (the server is shared); its keys are deleted afterwards."""
    import uuid

    import redis

    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    prefix = f"voucher-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield REDIS_URL, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory) -> Database:
    """A migrated database per backend, shared by the session and emptied per test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'voucher.db'}"
    else:
        url = _postgres_url()
    db = Database(url)
    db.upgrade()
    yield db
    db.engine.dispose()
    if request.param == "postgresql":
        _pg_schema(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")


@pytest.fixture
def db(database: Database) -> Database:
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "counters":
                conn.execute(table.delete())
        conn.execute(sa.text("UPDATE counters SET value = 0"))
    return database


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys_dir(tmp_path: Path, clock: Clock) -> Path:
    directory = tmp_path / "keys"
    KeyStore(directory).init("Jobcenter Test", clock.now - timedelta(days=1), timedelta(days=730))
    return directory


@pytest.fixture
def settings(tmp_path: Path, keys_dir: Path, db: Database) -> Settings:
    return Settings(data_dir=tmp_path, keys_dir=keys_dir, database_url=db.url, office_code="JC-TEST")


@pytest.fixture
def app(settings: Settings, clock: Clock):
    app = create_app(settings, clock=clock)
    app.config["TESTING"] = True
    yield app
    app.extensions["voucher"].db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(db: Database, clock: Clock) -> dict[str, str]:
    with db.session() as session:
        made = {role: clients.create_token(session, role, f"test-{role}", clock.now) for role in clients.ROLES}
        session.commit()
    return made


@pytest.fixture
def auth(tokens):
    """Headers for a role: auth('issuer')."""
    return lambda role: {"Authorization": f"Bearer {tokens[role]}"}


def voucher_request(**changes) -> dict:
    """A valid issue request; keyword arguments change or (with None) drop fields."""
    body = {
        "holder_name": "Ayşe Yılmaz",
        "valid_from": "2026-12-03",
        "valid_until": "2026-12-03",
        "origin": "Musterstadt Hbf",
        "destination": "Jobcenter Nord",
        "cost_center": "KST-4711",
        "customer_ref": "PSN-99812",
        "max_fare_cents": 480,
        "return_trip": True,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def issue(client, auth):
    """POST a voucher request and return the response JSON (asserting 201)."""

    def _issue(**changes) -> dict:
        response = client.post("/api/v1/vouchers", json=voucher_request(**changes), headers=auth("issuer"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _issue
