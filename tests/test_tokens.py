"""API tokens' lifecycle: made with a name, device and expiry; listed with when they were last
used; revoked or expired they are refused by the very next request, on every gunicorn worker."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.appserver import app_on, gunicorn
from tests.conftest import require_postgres
from voucher.services import clients
from voucher.store import ApiClient, AuditEvent
from voucher.timefmt import format_instant

VOUCHER = [sys.executable, "-m", "voucher"]


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*VOUCHER, *args], env=env, capture_output=True, text=True, timeout=60)


def cli_env(tmp_path, db) -> dict:
    return {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys"),
            "DATABASE_URL": db.url}


def status(base: str, token: str) -> int:
    request = urllib.request.Request(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}", "Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow  # a drill (a two-worker server): not in the fast lane
def test_revoke_makes_every_worker_of_a_running_server_refuse_the_token_at_the_next_request():
    require_postgres()
    with app_on("PostgreSQL") as setup, gunicorn(setup, workers=2) as server:
        token = setup.tokens["verifier"]
        # Each connection goes to whichever worker accepts it first: 20 reach both (a per-process
        # cache, as before, would now hold the token in each of them).
        assert {status(server.base, token) for _ in range(20)} == {200}
        assert len(server.workers()) == 2
        done = cli(setup.env, "tokens", "revoke", "bench")
        assert done.returncode == 1 and "4 active tokens are named" in done.stderr  # one per role
        with_id = cli(setup.env, "tokens", "list").stdout.splitlines()
        verifier_id = next(line.split("\t")[0] for line in with_id if "\tverifier\t" in line)
        done = cli(setup.env, "tokens", "revoke", verifier_id)
        assert done.returncode == 0 and "revoked" in done.stdout, done.stderr
        assert [status(server.base, token) for _ in range(20)] == [401] * 20
        assert status(server.base, setup.tokens["issuer"]) == 200


def test_an_expired_token_is_refused(client, db, clock):
    with db.session() as session:
        token = clients.create_token(session, "verifier", "bus-7", clock.now, expires_days=1)
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(days=1)
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 401 and "expired" in answer.get_json()["detail"]


def test_list_shows_name_role_device_and_when_last_used(client, db, clock, tmp_path):
    env = cli_env(tmp_path, db)
    made = cli(env, "tokens", "create", "--role", "verifier", "--name", "Bus 142", "--expires", "30", "--device", "tablet-07")
    token = made.stdout.strip()
    assert made.returncode == 0 and token.startswith("jv_") and len(made.stdout.split()) == 1
    before = cli(env, "tokens", "list").stdout.splitlines()
    assert before[0].split("\t") == ["id", "name", "role", "device", "created", "last_used", "expires", "state"]
    assert before[1].split("\t")[1:4] + before[1].split("\t")[5:6] + before[1].split("\t")[7:] == [
        "Bus 142", "verifier", "tablet-07", "never", "active"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    row = cli(env, "tokens", "list").stdout.splitlines()[1].split("\t")
    assert row[5] == format_instant(clock.now)


def test_last_used_is_written_at_most_once_a_minute(client, db, clock, tokens, auth):
    def last_used():
        with db.session() as session:
            return session.scalar(select(ApiClient.last_used_at).where(ApiClient.name == "test-issuer"))

    client.get("/api/v1/me", headers=auth("issuer"))
    first = last_used()
    clock.advance(seconds=59)
    client.get("/api/v1/me", headers=auth("issuer"))
    assert last_used() == first
    clock.advance(seconds=1)
    client.get("/api/v1/me", headers=auth("issuer"))
    assert last_used() == first + timedelta(seconds=60)


def test_a_verifier_token_takes_the_device_name_of_its_first_sync(client, db, tokens, auth):
    body = {"device_id": "tablet-07", "redemptions": []}
    assert client.post("/api/v1/redemptions", json=body, headers=auth("verifier")).status_code == 200
    with db.session() as session:
        assert session.scalar(select(ApiClient.device).where(ApiClient.name == "test-verifier")) == "tablet-07"


def test_revoking_an_unknown_or_ambiguous_name_says_so_in_one_line(db, tmp_path, tokens):
    env = cli_env(tmp_path, db)
    for name in ("twin", "twin"):
        assert cli(env, "tokens", "create", "--role", "finance", "--name", name).returncode == 0
    for args in (("nobody",), ("twin",)):
        done = cli(env, "tokens", "revoke", *args)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    long = cli(env, "tokens", "create", "--role", "finance", "--name", "x" * 60)
    assert long.returncode == 1 and long.stderr.startswith("voucher: ") and long.stdout == ""


def test_token_changes_are_audit_events(db, tmp_path, tokens):
    env = cli_env(tmp_path, db)
    cli(env, "tokens", "create", "--role", "finance", "--name", "ledger")
    cli(env, "tokens", "revoke", "ledger")
    with db.session() as session:
        events = session.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
                                 .where(AuditEvent.action.like("token_%")).order_by(AuditEvent.seq)).all()
    ledger = [(actor, action) for actor, action, detail in events if detail["name"] == "ledger"]
    assert ledger == [("cli", "token_create"), ("cli", "token_revoke")]


def test_enrolment_image_is_readable_by_its_owner_only(db, tmp_path):
    env = cli_env(tmp_path, db)
    image = tmp_path / "enrol.png"
    old = os.umask(0)  # the CLI inherits it: even a umask that allows everything gives 0600
    try:
        done = cli(env, "tokens", "create", "--role", "verifier", "--enrol-qr", str(image))
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(image.stat().st_mode) == 0o600
