"""Rate limits and lockouts (voucher/limits.py): per scope and key, shared through Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from voucher import create_app, limits
from voucher.config import from_environment


def test_a_scope_refuses_a_key_past_its_limit_and_others_not(app):
    app.extensions["voucher.limits"].define("probe", "2/minute")
    with app.app_context():
        assert [limits.hit("probe", "alice") for _ in range(2)] == [0, 0]
        assert 1 <= limits.hit("probe", "alice") <= 60
        assert limits.hit("probe", "bob") == 0


def test_valid_token_is_not_locked_out_by_wrong_tokens_from_its_address(settings, clock, auth):
    client = create_app(settings.replace(auth_failures_per_minute=3), clock=clock).test_client()
    wrong = [client.get("/api/v1/revocations", headers={"Authorization": "Bearer wrong"}).status_code for _ in range(4)]
    assert wrong[-1] == 429
    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 200


def test_unreachable_redis_falls_back_to_limits_in_this_process(settings, clock, auth, caplog):
    closed = settings.replace(redis_url="redis://127.0.0.1:1/0", rate_limit_per_minute=2)
    client = create_app(closed, clock=clock).test_client()
    statuses = [client.get("/api/v1/revocations", headers=auth("verifier")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "rate limit storage unreachable" in caplog.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "voucher", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


@pytest.mark.slow  # a drill (two servers): not in the fast lane
def test_two_servers_on_one_redis_share_one_limit(tmp_path, redis_limits):
    url, prefix = redis_limits
    env = {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys"),
           "VOUCHER_REDIS_URL": url, "VOUCHER_REDIS_PREFIX": prefix,
           "VOUCHER_RATE_LIMIT_PER_MINUTE": "6", "VOUCHER_AUTH_FAILURES_PER_MINUTE": "4"}
    for name in ("DATABASE_URL", "VOUCHER_KEY_PASSPHRASE"):
        env.pop(name, None)
    init = subprocess.run([sys.executable, "-m", "voucher", "init"], env=env, check=True, capture_output=True, text=True)
    tokens = dict(line.split() for line in init.stdout.splitlines() if len(line.split()) == 2)
    servers = [_serve(env), _serve(env)]
    try:
        bases = [base for _, base in servers]
        turns = [bases[i % 2] + "/api/v1/revocations" for i in range(8)]
        assert [_get(u, tokens["verifier"]) for u in turns] == [200] * 6 + [429] * 2
        assert [_get(u, "jv_wrong") for u in turns[:5]] == [401] * 4 + [429]
        assert [_get(b + "/api/v1/revocations", tokens["admin"]) for b in bases] == [200, 200]
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)


def test_a_redis_url_without_its_scheme_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("VOUCHER_REDIS_URL", "localhost:6379")
    with pytest.raises(ValueError, match="VOUCHER_REDIS_URL"):
        from_environment()



def test_process_memory_counts_a_sliding_window_like_limits_own_memory_storage(monkeypatch):
    """ProcessMemory is written against limits' public Storage interface; the strategy over it
    must allow and refuse exactly as over limits' MemoryStorage, and start no thread."""
    import threading

    from limits import parse
    from limits.storage import MemoryStorage
    from limits.strategies import SlidingWindowCounterRateLimiter

    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    item = parse("5/minute")
    ours = SlidingWindowCounterRateLimiter(limits.ProcessMemory())
    theirs = SlidingWindowCounterRateLimiter(MemoryStorage())
    threads = threading.active_count()
    for step in range(200):
        now[0] += 7.3
        assert ours.hit(item, "k") == theirs.hit(item, "k"), step
        assert ours.test(item, "k") == theirs.test(item, "k"), step
        if step % 50 == 49:
            ours.clear(item, "k")
            theirs.clear(item, "k")
    assert threading.active_count() <= threads + 1  # only MemoryStorage's own timer
