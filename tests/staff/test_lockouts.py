"""Failed sign-ins counted in the database (services/lockouts.py) through the real sign-in route:
exact with several workers and no Redis, name and address locked together, a name slowed rather
than locked, an administrator's unlock, and the audit events."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import select

from tests.staff.conftest import sign_in
from voucher import create_app
from voucher.services import audit
from voucher.store import AuditEvent

WRONG = "wrong password!"


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def workers(settings, clock):
    """Two apps over one database and no Redis, like two gunicorn workers."""
    apps = [create_app(settings, clock=clock) for _ in range(2)]
    yield apps
    for app in apps:
        app.extensions["voucher"].db.engine.dispose()


def test_two_workers_without_redis_check_no_more_than_five_passwords_for_a_name(workers, person):
    person("anna")
    clients = [client_at(app, "10.0.0.7") for app in workers]
    statuses = [sign_in(clients[i % 2], "anna", WRONG).status_code for i in range(10)]
    assert statuses == [401] * 4 + [429] * 6
    assert sign_in(clients[1], "anna").status_code == 429


def test_failing_on_purpose_for_an_admins_name_does_not_lock_the_admin_out_at_their_desk(app, person, clock):
    person("carl", "admin")
    attacker, admin = client_at(app, "203.0.113.66"), client_at(app, "10.0.0.5")
    for _ in range(20):
        sign_in(attacker, "carl", WRONG)
    assert sign_in(attacker, "carl").status_code == 429  # the attacker's address is locked for that name
    assert sign_in(admin, "carl").status_code == 302


def test_guesses_at_one_name_from_many_addresses_are_slowed_not_locked(app, person, clock):
    person("anna")
    statuses = [sign_in(client_at(app, f"198.51.100.{i}"), "anna", WRONG).status_code for i in range(6)]
    assert statuses == [401] * 6
    response = sign_in(client_at(app, "198.51.100.50"), "anna")
    seconds = re.search(r"Bitte warten Sie (\d+) Sekunden", response.get_data(as_text=True))
    assert response.status_code == 429 and seconds and int(response.headers["Retry-After"]) == int(seconds.group(1)) == 2
    clock.advance(seconds=2)
    assert sign_in(client_at(app, "198.51.100.50"), "anna").status_code == 302


def test_a_locked_person_is_told_how_to_be_unlocked_and_the_admins_unlock_works_at_once(app, person, database, tmp_path):
    person("anna")
    client = client_at(app, "10.0.0.7")
    for _ in range(5):
        sign_in(client, "anna", WRONG)
    response = sign_in(client, "anna")
    assert response.status_code == 429 and "bitten Sie die Verwaltung (IT), Ihre Anmeldung sofort zu entsperren" in response.get_data(as_text=True)
    env = {**os.environ, "DATABASE_URL": database.url, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys")}
    result = subprocess.run([sys.executable, "-m", "voucher", "users", "unlock", "Anna"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "anna unlocked (5 failed sign-ins forgotten)"
    assert sign_in(client, "anna").status_code == 302


def test_sign_ins_failures_and_lockouts_are_audit_events(app, person, db):
    person("anna")
    client = client_at(app, "10.0.0.7")
    sign_in(client, "nobody", WRONG)
    for _ in range(5):
        sign_in(client, "anna", WRONG)
    sign_in(client_at(app, "10.0.0.8"), "anna")
    with db.session() as session:
        events = [(e.actor, e.action, e.detail) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
                  if e.action.startswith("sign_in")]  # not the account's own creation
        assert audit.verify(session).broken is None
    assert events[0] == ("unknown", "sign_in_failed", {"address": "10.0.0.7"})
    assert events[1:6] == [("user:anna", "sign_in_failed", {"address": "10.0.0.7"})] * 5
    assert events[6] == ("user:anna", "sign_in_locked", {"address": "10.0.0.7", "minutes": 15})
    assert events[7] == ("user:anna", "sign_in", {"address": "10.0.0.8"})


def test_any_forwarded_address_is_counted_without_a_database_error(settings, clock, person):

    app = create_app(settings.replace(trusted_proxies=1), clock=clock)
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "2001:db8::" + "f" * 200
    person("anna")
    assert sign_in(client, "anna", WRONG).status_code == 401
    assert sign_in(client, "anna").status_code == 302
    app.extensions["voucher"].db.engine.dispose()
