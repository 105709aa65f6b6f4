"""The settings model: typed, ranged, unknown names refused, the README's table generated from it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from voucher import config
from voucher.config import Settings, from_environment

README = Path(__file__).resolve().parents[1] / "README.md"
VOUCHER = [sys.executable, "-m", "voucher"]


def run(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_") and k != "DATABASE_URL"}
    env.update(VOUCHER_DATA_DIR=str(tmp_path), VOUCHER_KEYS_DIR=str(tmp_path / "keys"), **variables)
    return subprocess.run([*VOUCHER, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_misspelt_variable_is_refused_with_the_nearest_name(monkeypatch):
    monkeypatch.setenv("VOUCHER_TIMZONE", "UTC")
    with pytest.raises(ValueError, match=r"VOUCHER_TIMZONE is not a setting \(did you mean VOUCHER_TIMEZONE\?\)"):
        from_environment()


@pytest.mark.parametrize(("variable", "value"), [
    ("VOUCHER_RATE_LIMIT_PER_MINUTE", "0"),
    ("VOUCHER_RETENTION_DAYS", "-1"),
    ("VOUCHER_TRUST_MAX_AGE_HOURS", "721"),
    ("VOUCHER_SESSION_IDLE_MINUTES", "soon"),
    ("VOUCHER_TIMEZONE", "Mars/Olympus"),
    ("VOUCHER_COOKIE_SECURE", "sometimes"),
    ("VOUCHER_LOG_LEVEL", "LOUD"),
])
def test_an_out_of_range_or_malformed_value_is_refused_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=f"{variable}='{value}' is not valid"):
        from_environment()


def test_a_refused_secret_is_named_but_its_password_not_shown(monkeypatch):
    monkeypatch.setenv("VOUCHER_REDIS_URL", "http://:hunter2@redis.internal:6379/0")
    with pytest.raises(ValueError, match="VOUCHER_REDIS_URL") as refused:
        from_environment()
    assert "hunter2" not in str(refused.value) and ":***@redis.internal" in str(refused.value)


def test_environment_values_arrive_typed_in_their_unit(monkeypatch):
    monkeypatch.setenv("VOUCHER_TRUST_MAX_AGE_HOURS", "12")
    monkeypatch.setenv("VOUCHER_LOGIN_LOCKOUT_MINUTES", "5")
    monkeypatch.setenv("VOUCHER_TIMEZONE", "UTC")
    monkeypatch.setenv("VOUCHER_RATE_LIMIT_PER_MINUTE", "")  # empty means unset, as before
    settings = from_environment()
    assert settings.trust_max_age == timedelta(hours=12) and settings.login_lockout == timedelta(minutes=5)
    assert str(settings.timezone) == "UTC" and settings.rate_limit_per_minute == 60_000


def test_settings_made_in_code_are_checked_too_and_never_read_the_environment(monkeypatch):
    monkeypatch.setenv("VOUCHER_OFFICE_CODE", "JC-ENV")
    assert Settings().office_code == "JC-DEMO"
    with pytest.raises(ValidationError):
        Settings(rate_limit_per_minute=0)
    with pytest.raises(ValidationError):
        Settings().replace(retention=timedelta(days=-1))


def test_config_check_prints_the_effective_configuration_with_secrets_masked(tmp_path):
    result = run(tmp_path, "config", "check", VOUCHER_SECRET_KEY="s3cr3t-cookie-key", VOUCHER_RETENTION_DAYS="90",
                 DATABASE_URL="postgresql+psycopg://voucher:hunter2@db.example/voucher")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["VOUCHER_RETENTION_DAYS"] == "90" and lines["VOUCHER_SECRET_KEY"] == "***"
    assert lines["DATABASE_URL"] == "postgresql+psycopg://voucher:***@db.example/voucher"
    assert lines["VOUCHER_KEY_PASSPHRASE"] == "(unset)"
    assert "s3cr3t" not in result.stdout and "hunter2" not in result.stdout


@pytest.mark.parametrize("variables", [{"VOUCHER_RATE_LIMIT_PER_MINUTE": "0"}, {"VOUCHER_RETENTION_DAYS": "-3"},
                                       {"VOUCHER_RETENTON_DAYS": "30"}])
def test_config_check_exits_1_with_one_line_on_a_bad_variable(tmp_path, variables):
    result = run(tmp_path, "config", "check", **variables)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and next(iter(variables)) in result.stderr


def test_serve_with_a_misspelt_variable_exits_1_naming_the_right_one(tmp_path):
    result = run(tmp_path, "serve", "--port", "1", VOUCHER_TIMZONE="UTC")
    assert result.returncode == 1 and "VOUCHER_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_readme_configuration_table_is_the_model():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration (environment only)"):]
    start = section.index("| variable |")
    assert section[start:section.index("\n\n", start) + 1] == config.table(), "run: voucher config table"


def test_every_field_is_named_by_exactly_one_variable():
    assert sorted(config.variables().values()) == sorted(Settings.model_fields)
