"""The audit log's hash chain: intact after real work, broken where a row was edited, deleted or
reordered, unforked by concurrent writers, and laid over the events logged before it existed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event, func, select, text

from tests.conftest import PG_ADMIN_URL, T0, _pg_schema
from voucher.db import MIGRATIONS, Database
from voucher.services import audit
from voucher.store import AuditEvent, Counter


def log_events(db: Database, count: int, per_transaction: int = 1) -> None:
    for start in range(0, count, per_transaction):
        with db.session() as session:
            audit.record_many(session, [audit.Event("test:probe", "probe", T0 + timedelta(seconds=n), None, {"n": n})
                                        for n in range(start, min(count, start + per_transaction))])
            session.commit()


def tamper(db: Database, sql: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql))


def verdict(db: Database) -> audit.Verdict:
    with db.session() as session:
        return audit.verify(session)


def test_chain_holds_after_issuing_redeeming_and_revoking(client, auth, issue, db):
    voucher = issue()
    sync = {"device_id": "tablet-07", "redemptions": [
        {"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": "2026-12-03T09:30:00+01:00"}]}
    assert client.post("/api/v1/redemptions", json=sync, headers=auth("verifier")).status_code == 200
    assert client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "lost"}, headers=auth("issuer")).status_code == 200
    result = verdict(db)
    assert result.broken is None and result.events == 4 + 3  # the fixture's four tokens, then the work


def test_a_cancellation_reason_never_enters_the_chain_which_retention_cannot_erase(client, auth, issue, db):
    old = issue()
    client.post(f"/api/v1/vouchers/{old['id']}/revoke", json={"reason": "Krankenhausaufenthalt"}, headers=auth("issuer"))
    new = issue(replaces=issue()["id"])
    with db.session() as session:
        details = [e.detail for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "revoke"))]
    assert details and not any("Krankenhaus" in str(detail) for detail in details)
    assert {"replaced_by": new["id"]}.items() <= next(d for d in details if "replaced_by" in d).items()


def test_edited_event_is_named(db):
    log_events(db, 5)
    tamper(db, "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3")
    assert verdict(db).broken.startswith("seq 3 (id ") and "edited" in verdict(db).broken


def test_edited_event_with_its_hash_recomputed_breaks_the_next_link(db):
    log_events(db, 5)
    with db.session() as session:
        row = session.scalar(select(AuditEvent).where(AuditEvent.seq == 3))
        row.actor = "someone-else"
        row.hash = audit.event_hash(row.prev_hash, row.seq, row.at, row.actor, row.action, row.voucher_id, row.detail)
        session.commit()
    assert verdict(db).broken.startswith("seq 4 ") and "broken link" in verdict(db).broken


def test_deleted_event_is_named(db):
    log_events(db, 5)
    tamper(db, "DELETE FROM audit_events WHERE seq = 3")
    result = verdict(db)
    assert result.broken.startswith("seq 4 ") and "missing: event 3 before it deleted" in result.broken
    assert result.events == 2


def test_deleted_last_events_are_named(db):
    log_events(db, 5)
    tamper(db, "DELETE FROM audit_events WHERE seq >= 4")
    assert verdict(db).broken == "seq 4: missing: the last 2 event(s), up to seq 5, deleted"


def test_reordered_events_are_named(db):
    log_events(db, 5)
    tamper(db, "UPDATE audit_events SET seq = -1 WHERE seq = 2")
    tamper(db, "UPDATE audit_events SET seq = 2 WHERE seq = 3")
    tamper(db, "UPDATE audit_events SET seq = 3 WHERE seq = -1")
    assert verdict(db).broken.startswith("seq 2 (id ") and "reordered" in verdict(db).broken


def test_rolled_back_events_leave_no_gap(db):
    with db.session() as session:
        audit.record(session, "test:probe", "probe", T0)
        session.rollback()
        audit.record(session, "test:probe", "probe", T0, n=1)
        session.commit()
    result = verdict(db)
    assert result.broken is None and result.events == 1


def test_many_events_in_one_transaction_take_the_lock_once(db):
    statements = []
    listener = lambda conn, cursor, sql, *args: statements.append(sql)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        log_events(db, 300, per_transaction=300)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert sum(sql.lstrip().upper().startswith("UPDATE COUNTERS") for sql in statements) == 1
    assert verdict(db) == audit.Verdict(300, verdict(db).head, None)


def test_concurrent_writers_leave_one_unforked_chain(db):
    errors = []

    def writer():
        try:
            log_events(db, 40, per_transaction=4)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    result = verdict(db)
    assert result.broken is None and result.events == 240
    with db.session() as session:
        assert session.scalar(select(Counter.value).where(Counter.name == audit.COUNTER)) == 240


@pytest.fixture
def old_database(database, tmp_path):
    """An empty database of this backend at revision 0003, before the chain existed."""
    if database.engine.dialect.name == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'old.db'}", None
    else:
        schema = f"voucher_old_{os.getpid()}"
        _pg_schema(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    old = Database(url)
    yield old
    old.engine.dispose()
    if schema:
        _pg_schema(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _migrate(database: Database, revision: str, down: bool = False) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_migration_chains_the_events_logged_before_it(old_database):
    _migrate(old_database, "0003")
    events = sa.table("audit_events", sa.column("at", sa.DateTime), sa.column("actor"), sa.column("action"),
                      sa.column("voucher_id"), sa.column("detail", sa.JSON))
    with old_database.engine.begin() as conn:
        conn.execute(events.insert(), [{"at": T0.replace(tzinfo=None), "actor": "cli", "action": "issue",
                                        "voucher_id": None, "detail": {"n": n, "name": "Łukasz"}} for n in range(2500)])
    old_database.upgrade()
    result = verdict(old_database)
    assert result.broken is None and result.events == 2500
    log_events(old_database, 3)  # and the chain goes on from there
    assert verdict(old_database).events == 2503 and verdict(old_database).broken is None


def run_cli(db: Database, tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db.url, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys")}
    return subprocess.run([sys.executable, "-m", "voucher", "audit", *(args or ("verify",))], env=env,
                          capture_output=True, text=True, timeout=60)


def anchored(db: Database, tmp_path, events: int):
    """`events` events logged, then the head anchored in a log file among other lines."""
    log_events(db, events)
    made = run_cli(db, tmp_path, "anchor")
    assert made.returncode == 0 and made.stdout.startswith(f"audit-anchor seq={events} hash=")
    kept = tmp_path / "anchors.log"
    kept.write_text("Dec  3 02:15:01 cron: backup done\n" + made.stdout)
    return kept


def test_anchor_holds_while_the_log_grows(db, tmp_path):
    kept = anchored(db, tmp_path, 4)
    log_events(db, 2)
    result = run_cli(db, tmp_path, "verify", "--anchor", str(kept))
    assert result.returncode == 0 and "6 events" in result.stdout and "1 anchors matched" in result.stdout


def test_anchor_shows_a_tail_cut_off_with_the_counter_lowered(db, tmp_path):
    kept = anchored(db, tmp_path, 5)
    tamper(db, "DELETE FROM audit_events WHERE seq > 3")
    tamper(db, "UPDATE counters SET value = 3 WHERE name = 'audit'")
    assert run_cli(db, tmp_path).returncode == 0  # without the anchor the shorter chain looks intact
    result = run_cli(db, tmp_path, "verify", "--anchor", str(kept))
    assert result.returncode == 1 and "truncated" in result.stdout and "seq 5" in result.stdout


def test_anchor_shows_a_chain_recomputed_from_the_start(db, tmp_path):
    kept = anchored(db, tmp_path, 3)
    with db.engine.begin() as conn:  # an attacker edits event 2 and recomputes every hash after it
        rows = conn.execute(select(AuditEvent.id, AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
                                   AuditEvent.voucher_id, AuditEvent.detail).order_by(AuditEvent.seq)).all()
        prev = audit.GENESIS
        for row in rows:
            detail = {"n": 99} if row.seq == 2 else row.detail
            digest = audit.event_hash(prev, row.seq, row.at, row.actor, row.action, row.voucher_id, detail)
            conn.execute(sa.update(AuditEvent).where(AuditEvent.id == row.id).values(detail=detail, prev_hash=prev, hash=digest))
            prev = digest
    assert run_cli(db, tmp_path).returncode == 0
    result = run_cli(db, tmp_path, "verify", "--anchor", str(kept))
    assert result.returncode == 1 and "rewritten: seq 3" in result.stdout


def test_a_file_without_an_anchor_is_a_usage_error(db, tmp_path):
    empty = tmp_path / "nothing.txt"
    empty.write_text("no anchors here\n")
    result = run_cli(db, tmp_path, "verify", "--anchor", str(empty))
    assert result.returncode == 2 and "no line 'audit-anchor" in result.stderr


def test_cli_verify_exits_0_when_the_chain_holds(db, tmp_path):
    log_events(db, 3)
    result = run_cli(db, tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("audit log intact: 3 events, head hash ")


def test_cli_verify_exits_1_naming_the_first_broken_link(db, tmp_path):
    log_events(db, 3)
    tamper(db, "UPDATE audit_events SET detail = '{\"n\": 7}' WHERE seq = 2")
    result = run_cli(db, tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("audit log BROKEN at seq 2 (id ") and "edited" in result.stdout
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 3  # verify only reads


def test_verify_while_writers_write_finds_no_false_break(db):
    log_events(db, 50)
    writers = [threading.Thread(target=log_events, args=(db, 60, 3)) for _ in range(3)]
    for thread in writers:
        thread.start()
    verdicts = []
    while any(thread.is_alive() for thread in writers):
        verdicts.append(verdict(db))
    for thread in writers:
        thread.join()
    assert len(verdicts) > 1 and [v.broken for v in verdicts] == [None] * len(verdicts)
    assert verdicts[-1].events <= 230 == verdict(db).events


def test_events_revision_0009_left_unlinked_are_chained_by_the_upgrade_and_downgrade(old_database):
    """0009 linked events after their commit; a crash in between left them with no seq. Moving on
    from 0009 (or back before it) links them after the head, in the order they were written."""
    _migrate(old_database, "0009")
    log_events(old_database, 3)
    unlinked = [{"at": T0, "actor": "test:probe", "action": "probe", "detail": {"n": n, "name": "Łukasz"}} for n in (3, 4)]
    with old_database.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert(), unlinked)
    assert verdict(old_database).events == 3
    old_database.upgrade()
    assert verdict(old_database).broken is None and verdict(old_database).events == 5
    log_events(old_database, 2)  # and the chain goes on from there
    assert verdict(old_database).events == 7

    _migrate(old_database, "0009", down=True)
    with old_database.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert(), unlinked)
    _migrate(old_database, "0008", down=True)
    old_database.upgrade()
    assert verdict(old_database).broken is None and verdict(old_database).events == 9
