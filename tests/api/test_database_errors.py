"""Which database errors are the client's cue to retry (503 with Retry-After) and which stay our
own mistakes (500): the real drivers' errors, on both backends."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from tests.conftest import voucher_request
from voucher import create_app
from voucher import db as voucher_db
from voucher.api.errors import database_unavailable
from voucher.db import Database


def raised(database: Database, sql: str) -> sa_exc.SQLAlchemyError:
    with database.session() as session, pytest.raises(sa_exc.SQLAlchemyError) as caught:
        session.execute(text(sql))
    return caught.value


def test_a_missing_table_is_our_mistake_not_an_outage(db):
    assert not database_unavailable(raised(db, "SELECT * FROM no_such_table"))


def test_a_duplicate_key_is_not_an_outage(db):
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO counters (name, value) VALUES ('probe', 1)"))
    assert not database_unavailable(raised(db, "INSERT INTO counters (name, value) VALUES ('probe', 1)"))


def test_a_statement_over_the_timeout_is_an_outage(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no statement timeout")
    fast = Database(db.url + "%20-c%20statement_timeout%3D100")
    try:
        assert database_unavailable(raised(fast, "SELECT pg_sleep(5)"))
    finally:
        fast.engine.dispose()


def test_postgres_connections_carry_a_statement_timeout(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1min"
        assert conn.execute(text("SHOW search_path")).scalar().startswith("voucher_test_")  # the URL's own options kept


def test_sqlite_locked_past_the_busy_timeout_is_a_503_with_retry_after(settings, clock, auth, db, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lock")
    monkeypatch.setattr(voucher_db, "BUSY_TIMEOUT_SECONDS", 0.2)
    app = create_app(settings, clock=clock)
    holder = sqlite3.connect(db.engine.url.database)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        response = app.test_client().post("/api/v1/vouchers", json=voucher_request(), headers=auth("issuer"))
    finally:
        holder.rollback()
        holder.close()
        app.extensions["voucher"].db.engine.dispose()
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert "same external_ref" in response.get_json()["detail"]
