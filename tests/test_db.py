"""The SQLite file holds names and journeys: only the service user may read it."""

from __future__ import annotations

import stat
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from voucher.db import COPY_FROM, Database, insert_rows
from voucher.store import AuditEvent


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


@pytest.mark.parametrize("count", [3, COPY_FROM, 2_500])
def test_rows_are_inserted_as_they_come_with_the_columns_they_share(db, count):
    """A generator (never made a list by the caller), columns every row shares given once: each
    row stored with its instant and JSON as given, by the way for a few rows and by the way for
    many (COPY on PostgreSQL, the driver's executemany on SQLite), and the count returned."""
    start = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    rows = ({"at": start + timedelta(seconds=n), "seq": n + 1, "detail": {"n": n, "why": 'quoted "text"\tand a tab'},
             "voucher_id": None if n % 2 else f"{n:013d}", "hash": f"h{n}"} for n in range(count))
    with db.session() as session:
        assert insert_rows(session, AuditEvent.__table__, rows, {"actor": "test", "action": "bulk", "prev_hash": "p"}) == count
        session.commit()
        stored = session.execute(select(AuditEvent.at, AuditEvent.seq, AuditEvent.detail, AuditEvent.voucher_id,
                                        AuditEvent.actor, AuditEvent.prev_hash).order_by(AuditEvent.seq)).all()
    assert len(stored) == count
    for n in (0, count - 1):
        assert tuple(stored[n]) == (start + timedelta(seconds=n), n + 1, {"n": n, "why": 'quoted "text"\tand a tab'},
                                    None if n % 2 else f"{n:013d}", "test", "p")


@pytest.mark.parametrize("count", [3, 2_500])
def test_a_duplicate_key_among_many_rows_inserts_none_of_them(db, count):
    rows = [{"at": datetime(2026, 11, 3, tzinfo=UTC), "seq": min(n, count - 2) + 1, "detail": {}, "voucher_id": None,
             "hash": "h", "actor": "test", "action": "bulk", "prev_hash": "p"} for n in range(count)]
    with db.session() as session:
        with pytest.raises(IntegrityError):
            insert_rows(session, AuditEvent.__table__, iter(rows))
        session.rollback()
        assert session.scalar(select(AuditEvent.id).limit(1)) is None
