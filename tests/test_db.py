"""The SQLite file holds names and journeys: only the service user may read it."""

from __future__ import annotations

import stat
import time

import pytest
from sqlalchemy import text

from voucher.db import Database


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_database_its_wal_and_its_folder_are_private(tmp_path):
    folder = tmp_path / "instance"
    database = Database(f"sqlite:///{folder / 'voucher.db'}")
    try:
        with database.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        files = {p.name: mode(p) for p in folder.iterdir()}
    finally:
        database.engine.dispose()
    assert files == {"voucher.db": 0o600, "voucher.db-wal": 0o600, "voucher.db-shm": 0o600}
    assert mode(folder) == 0o700


def test_existing_sqlite_file_keeps_the_mode_its_operator_gave_it(tmp_path):
    path = tmp_path / "voucher.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    Database(f"sqlite:///{path}").engine.dispose()
    assert mode(path) == 0o640


def test_pooled_connection_the_server_closed_is_replaced_before_use(db):
    """A server restart or an idle timeout closes pooled connections; the next request must get
    a live one, not an error (and costs no ping round trip when nothing was closed)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL: SQLite has no server to close connections")
    with db.engine.connect() as first, db.engine.connect() as second:
        pid = first.execute(text("SELECT pg_backend_pid()")).scalar_one()
        first.close()  # back to the pool, which now holds it idle
        assert second.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    time.sleep(0.2)  # the server's side of the socket closes
    with db.engine.connect() as first, db.engine.connect() as second:  # every pooled connection
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in (first, second)]
    assert pid not in pids
