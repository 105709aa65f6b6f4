"""`voucher backup` and `voucher restore` as an operator runs them: a backup restored into an
empty database gives back every table row by row, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL
from tests.pgcluster import cluster  # noqa: F401 - fixture
from tests.test_audit import log_events
from voucher import backup as backups
from voucher.db import Database
from voucher.services import audit
from voucher.store import Base


def voucher_cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys")}
    return subprocess.run([sys.executable, "-m", "voucher", *args], env=env, capture_output=True, text=True, timeout=120)


def every_row(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = [*Base.metadata.sorted_tables, sa.table("alembic_version", sa.column("version_num"))]
            return {t.name: conn.execute(sa.select(t).order_by(*(t.primary_key or t.columns))).all() for t in tables}
    finally:
        engine.dispose()


@pytest.fixture
def empty_url(database, tmp_path):
    """An empty database of the same backend: a new file, or a new PostgreSQL database (on the
    shared server, named for this run) whose search_path names the schema the backup holds."""
    if database.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'voucher.db'}"
        return
    name = f"voucher_restore_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.engine.make_url(database.url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_restore_into_an_empty_database_gives_back_every_row(client, auth, issue, db, empty_url, tmp_path):
    vouchers = [issue(external_ref=f"letter-{n}") for n in range(3)]
    client.post(f"/api/v1/vouchers/{vouchers[0]['id']}/revoke", json={"reason": "lost"}, headers=auth("issuer"))
    client.post("/api/v1/redemptions", headers=auth("verifier"), json={"device_id": "tablet-07", "redemptions": [
        {"client_id": str(uuid.uuid4()), "code": vouchers[1]["code"], "redeemed_at": "2026-12-03T09:30:00+01:00"}]})
    out = tmp_path / "voucher.backup"
    made = voucher_cli(db.url, tmp_path, "backup", str(out))
    assert made.returncode == 0, made.stderr
    restored = voucher_cli(empty_url, tmp_path, "restore", str(out))
    assert restored.returncode == 0, restored.stderr
    original = every_row(db.url)
    assert every_row(empty_url) == original
    assert all(original[name] for name in ("vouchers", "revocations", "redemptions", "audit_events", "api_clients"))


def test_restore_refuses_a_database_holding_data_unless_forced(issue, db, tmp_path):
    issue()
    out = tmp_path / "voucher.backup"
    assert voucher_cli(db.url, tmp_path, "backup", str(out)).returncode == 0
    issue(holder_name="Later Person")
    refused = voucher_cli(db.url, tmp_path, "restore", str(out))
    assert refused.returncode == 1 and "--force" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert len(every_row(db.url)["vouchers"]) == 2
    forced = voucher_cli(db.url, tmp_path, "restore", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert [row.holder_name for row in every_row(db.url)["vouchers"]] == ["Ayşe Yılmaz"]


def test_backup_taken_while_writers_write_is_one_consistent_moment(db, empty_url, tmp_path):
    log_events(db, 30)
    writers = [threading.Thread(target=log_events, args=(db, 300, 3)) for _ in range(2)]
    for thread in writers:
        thread.start()
    backups.backup(db.url, tmp_path / "busy.backup")
    for thread in writers:
        thread.join()
    backups.restore(empty_url, tmp_path / "busy.backup")
    restored = Database(empty_url)
    try:
        with restored.session() as session:
            result = audit.verify(session)
    finally:
        restored.engine.dispose()
    assert result.broken is None and 30 <= result.events <= 630  # the head and the events of one moment


def test_backup_leaves_the_audit_anchor_it_holds_beside_it_and_in_its_output(issue, db, tmp_path):
    from voucher.services import anchors

    out = tmp_path / "voucher.backup"
    made = voucher_cli(db.url, tmp_path, "backup", str(out))
    (kept,) = anchors.parse((tmp_path / "voucher.backup.anchor").read_text())
    assert made.returncode == 0 and kept.line() in made.stdout
    with db.session() as session:  # nothing was logged since: the anchor is the head
        head = anchors.current(session, datetime.now(UTC))
    assert kept.seq > 0 and (kept.seq, kept.hash) == (head.seq, head.hash)


def test_backup_and_database_files_are_private(issue, db, tmp_path):
    out = tmp_path / "voucher.backup"
    assert voucher_cli(db.url, tmp_path, "backup", str(out)).returncode == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_backup_of_the_other_backend_is_refused_in_one_line(db, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(backups.PG_DUMP_MAGIC if db.engine.dialect.name == "sqlite" else backups.SQLITE_MAGIC)
    result = voucher_cli(db.url, tmp_path, "restore", str(other))
    assert result.returncode == 1 and "DATABASE_URL is a" in result.stderr and len(result.stderr.splitlines()) == 1


def test_missing_pg_dump_names_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    monkeypatch.setattr(backups, "PG_BIN_DIRS", str(tmp_path / "nowhere"))
    with pytest.raises(backups.BackupError, match="pg_dump not found: install .*postgresql-client"):
        backups.backup("postgresql+psycopg://voucher@db.example/voucher", tmp_path / "x.backup")
    assert list(tmp_path.iterdir()) == []


def test_whole_postgres_database_round_trips_without_a_schema_in_the_url(cluster, tmp_path):  # noqa: F811
    source = Database(cluster.url)
    source.upgrade()
    log_events(source, 5)
    source.engine.dispose()
    admin = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("CREATE DATABASE restored"))
    admin.dispose()
    target = sa.engine.make_url(cluster.url).set(database="restored").render_as_string(hide_password=False)
    backups.backup(cluster.url, tmp_path / "whole.backup")
    backups.restore(target, tmp_path / "whole.backup")
    assert every_row(target) == every_row(cluster.url)


def test_a_damaged_sqlite_backup_is_refused_and_changes_nothing(tmp_path):
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(backups.SQLITE_MAGIC + b"\x00" * 4000)
    target = tmp_path / "restored" / "voucher.db"
    result = voucher_cli(f"sqlite:///{target}", tmp_path, "restore", str(damaged))
    assert result.returncode == 1 and "restore failed, the database is unchanged" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and target.stat().st_size == 0
