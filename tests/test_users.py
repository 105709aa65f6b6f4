"""People's accounts: the `voucher users` commands as an operator runs them, and the password
rules of services/users.py."""

from __future__ import annotations

import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from voucher.services import users
from voucher.services.errors import Conflict

VOUCHER = [sys.executable, "-m", "voucher"]
PASSWORD = "correct horse battery staple"


def run(env, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*VOUCHER, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


@pytest.fixture
def env(tmp_path, database, db):
    import os

    environment = dict(os.environ)
    environment.update(VOUCHER_DATA_DIR=str(tmp_path), VOUCHER_KEYS_DIR=str(tmp_path / "keys"), DATABASE_URL=database.url)
    return environment


def test_create_reads_the_password_twice_from_stdin_and_the_person_can_sign_in(env, db):
    result = run(env, "users", "create", "Anna.Schmidt", "--role", "issuer", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created anna.schmidt (issuer)"
    with db.session() as session:
        user = users.authenticate(session, "anna.schmidt", PASSWORD)
        assert user.role == "issuer" and user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(("stdin", "message"), [
    (f"{PASSWORD}\n{PASSWORD}x\n", "the two passwords differ"),
    ("short\nshort\n", "at least 12 characters"),
    (f"{PASSWORD}\n", "twice on stdin"),
])
def test_create_refuses_with_one_line_on_stderr(env, db, stdin, message):
    result = run(env, "users", "create", "anna", "--role", "issuer", stdin=stdin)
    assert result.returncode == 1 and message in result.stderr and len(result.stderr.splitlines()) == 1
    with db.session() as session:
        assert users.everyone(session) == []


def test_create_refuses_a_name_already_taken(env):
    assert run(env, "users", "create", "anna", "--role", "issuer", stdin=f"{PASSWORD}\n{PASSWORD}\n").returncode == 0
    result = run(env, "users", "create", "ANNA", "--role", "finance", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.returncode == 1 and result.stderr.strip() == "voucher: a user named 'anna' already exists"


def test_list_and_disable(env):
    run(env, "users", "create", "anna", "--role", "issuer", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    run(env, "users", "create", "carl", "--role", "admin", "--sso-only")
    assert run(env, "users", "disable", "anna").stdout.strip() == "anna disabled"
    lines = [line.split("\t") for line in run(env, "users", "list").stdout.splitlines()]
    assert [(name, role, state.split()[0], kind) for name, role, state, kind in lines] == [
        ("anna", "issuer", "disabled", "password"), ("carl", "admin", "active", "sso-only")]


def test_disable_of_an_unknown_name_fails(env):
    result = run(env, "users", "disable", "nobody")
    assert result.returncode == 1 and result.stderr.strip() == "voucher: no user named 'nobody'"


def test_password_hashes_use_argon2id_with_at_least_the_library_defaults(db, clock):
    with db.session() as session:
        user = users.create(session, "anna", "issuer", PASSWORD, clock.now)
        defaults = PasswordHasher()
        assert user.password_hash.startswith(f"$argon2id$v=19$m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}$")


def test_hash_with_old_parameters_is_replaced_at_sign_in(db, clock, monkeypatch):
    with db.session() as session:
        monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
        users.create(session, "anna", "issuer", PASSWORD, clock.now)
        session.commit()
    monkeypatch.undo()
    with db.session() as session:
        user = users.authenticate(session, "anna", PASSWORD)
        assert "m=65536,t=3" in user.password_hash
        assert users.authenticate(session, "anna", PASSWORD) is not None


@pytest.mark.parametrize("name", ["", "a b", "-anna", "x" * 49, "anna/../"])
def test_names_that_cannot_be_accounts_are_refused(db, clock, name):
    with db.session() as session, pytest.raises(ValueError):
        users.create(session, name, "issuer", PASSWORD, clock.now)


def test_unknown_role_is_refused(db, clock):
    with db.session() as session, pytest.raises(ValueError, match="unknown role"):
        users.create(session, "anna", "verifier", PASSWORD, clock.now)


def test_same_name_in_other_case_is_taken(db, clock):
    with db.session() as session:
        users.create(session, "anna", "issuer", PASSWORD, clock.now)
        session.commit()
        with pytest.raises(Conflict):
            users.create(session, "Anna", "issuer", PASSWORD, clock.now)
