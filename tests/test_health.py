"""/healthz (liveness) and /readyz (readiness) as a load balancer sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from importlib.metadata import version

from voucher import create_app
from voucher.config import Settings
from voucher.keys import KeyStore


def test_readyz_is_503_on_an_unmigrated_database_and_200_after_voucher_init(tmp_path):
    settings = Settings(data_dir=tmp_path, keys_dir=tmp_path / "keys")
    before = create_app(settings).test_client().get("/readyz")
    assert before.status_code == 503
    assert before.get_json()["checks"]["schema"].startswith("failed: schema at nothing")

    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_") and k != "DATABASE_URL"}
    env.update(VOUCHER_DATA_DIR=str(tmp_path), VOUCHER_KEYS_DIR=str(tmp_path / "keys"))
    init = subprocess.run([sys.executable, "-m", "voucher", "init"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert init.returncode == 0, init.stderr

    after = create_app(settings).test_client().get("/readyz")
    assert after.status_code == 200, after.get_json()
    assert after.get_json() == {"status": "ready", "version": version("voucher"),
                                "checks": {"database": "ok", "schema": "ok", "signing_key": "ok"}}


def test_healthz_answers_200_even_without_a_database_schema(tmp_path):
    response = create_app(Settings(data_dir=tmp_path, keys_dir=tmp_path / "keys")).test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_a_key_that_stops_signing_within_30_days_makes_readyz_503(settings, clock, tmp_path):
    keys = tmp_path / "short-keys"
    KeyStore(keys).init("Jobcenter Test", clock.now - timedelta(days=700), timedelta(days=729))
    response = create_app(settings.replace(keys_dir=keys), clock=clock).test_client().get("/readyz")
    assert response.status_code == 503
    assert "stops signing at" in response.get_json()["checks"]["signing_key"]


def test_an_unreachable_redis_makes_readyz_503_when_configured(settings, clock):
    app = create_app(settings.replace(redis_url="redis://127.0.0.1:1/0"), clock=clock)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["redis"] == "failed: ConnectionError"


def test_a_reachable_redis_is_checked_when_configured(settings, clock, redis_limits):
    url, prefix = redis_limits
    response = create_app(settings.replace(redis_url=url, redis_prefix=prefix), clock=clock).test_client().get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["redis"] == "ok"


def test_openapi_names_the_package_version(client):
    assert client.get("/api/v1/openapi.json").get_json()["info"]["version"] == version("voucher")


def test_voucher_version_prints_the_package_version():
    result = subprocess.run([sys.executable, "-m", "voucher", "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.strip() == f"voucher, version {version('voucher')}"
