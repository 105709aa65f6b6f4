"""`voucher serve` as an operator runs it: gunicorn with two workers on the demo data. Metrics are
summed over the workers (prometheus-client's multiprocess mode), and the JSON log of a mixed load
holds request ids but none of the demo's holder names."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow  # a drill (gunicorn on the demo month): not in the fast lane

VOUCHER = [sys.executable, "-m", "voucher"]
METRICS_TOKEN = "served-metrics-token"
ISSUES = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base: str, method: str, path: str, token: str | None = None, body: bytes | dict | None = None,
          content_type: str = "application/json") -> tuple[int, bytes]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if data is not None:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo month served by `voucher serve --workers 2`; yields (base, env, log path, tokens, names)."""
    folder = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOUCHER_", "PROMETHEUS_")) and k != "DATABASE_URL"}
    env.update(VOUCHER_DATA_DIR=str(folder / "data"), VOUCHER_KEYS_DIR=str(folder / "keys"), VOUCHER_METRICS_TOKEN=METRICS_TOKEN)
    base = f"http://127.0.0.1:{port}"

    def cli(*args: str) -> str:
        result = subprocess.run([*VOUCHER, *args], env=env, capture_output=True, text=True, timeout=180, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    cli("demo", "--base-url", base)
    tokens = {role: cli("tokens", "create", "--role", role).strip() for role in ("issuer", "verifier", "finance")}
    with sqlite3.connect(folder / "data" / "voucher.db") as conn:
        names = sorted({row[0] for row in conn.execute("SELECT holder_name FROM vouchers") if row[0]})
    assert len(names) > 20
    log = folder / "server.log"
    with log.open("wb") as stderr:
        server = subprocess.Popen([*VOUCHER, "serve", "--port", str(port), "--workers", "2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while _call_quietly(base) != 200:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base, folder, log, tokens, names
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _call_quietly(base: str) -> int | None:
    try:
        return _call(base, "GET", "/readyz")[0]
    except OSError:
        return None


def _metrics(base: str) -> dict:
    status, text = _call(base, "GET", "/metrics", METRICS_TOKEN)
    assert status == 200
    return {(s.name, *sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(text.decode()) for s in family.samples}


def _mixed_load(base: str, folder: Path, tokens: dict, names: list[str]) -> None:
    day = (date.today() + timedelta(days=3)).isoformat()

    def issue(name: str) -> dict:
        status, body = _call(base, "POST", "/api/v1/vouchers", tokens["issuer"], {
            "holder_name": name, "valid_from": day, "valid_until": day, "zone": "AB", "cost_center": "KST-1"})
        assert status == 201, body
        return json.loads(body)

    with ThreadPoolExecutor(6) as pool:  # concurrent, so both sync workers take requests
        issued = list(pool.map(issue, names[:ISSUES]))
    for voucher in issued[:3]:
        for path in ("", "/letter.pdf", "/qr.png"):
            assert _call(base, "GET", f"/api/v1/vouchers/{voucher['id']}{path}", tokens["issuer"])[0] == 200
    redemptions = [{"client_id": str(uuid.uuid4()), "code": v["code"], "redeemed_at": f"{day}T09:00:00+01:00",
                    "location": "Bus 142"} for v in issued[:4]]
    assert _call(base, "POST", "/api/v1/redemptions", tokens["verifier"], {"device_id": "bus-142", "redemptions": redemptions})[0] == 200
    assert _call(base, "POST", f"/api/v1/vouchers/{issued[5]['id']}/revoke", tokens["issuer"], {"reason": names[0]})[0] == 200
    refused = {"holder_name": names[1], "valid_from": day, "valid_until": "not a date", "zone": "AB", "cost_center": "KST-1"}
    assert _call(base, "POST", "/api/v1/vouchers", tokens["issuer"], refused)[0] == 422
    assert _call(base, "GET", f"/api/v1/reconciliation?from={day}&to={day}&format=csv", tokens["finance"])[0] == 200
    invoice = (folder / "data" / "demo-invoice.csv").read_bytes()
    assert _call(base, "POST", "/api/v1/invoices/match", tokens["finance"], invoice, "text/csv")[0] == 200
    assert _call(base, "GET", "/api/v1/vouchers/NOPE-NOPE", tokens["issuer"])[0] == 404


@pytest.fixture(scope="module")
def loaded(served):
    base, folder, _, tokens, names = served
    _mixed_load(base, folder, tokens, names)
    return served


def test_metrics_are_summed_over_both_workers(loaded):
    base = loaded[0]
    for _ in range(6):  # each scrape lands on either worker; each must see every worker's counts
        scraped = _metrics(base)
        assert scraped[("voucher_vouchers_issued_total",)] == ISSUES
        assert scraped[("voucher_redemptions_total", ("outcome", "accepted"))] == 4
        assert scraped[("voucher_invoices_checked_total",)] == 1
        issue_route = ("voucher_http_request_duration_seconds_count", ("method", "POST"),
                       ("route", "/api/v1/vouchers"), ("status", "201"))
        assert scraped[issue_route] == ISSUES


def test_the_log_is_json_lines_with_request_ids_and_no_holder_names(loaded):
    log, names = loaded[2], loaded[4]
    text = log.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line["logger"] == "voucher.requests"]
    assert len(requests) >= ISSUES + 10 and all(len(line["request_id"] or "") == 32 for line in requests)
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own lines are JSON too
    leaked = [name for name in names if name in text or json.dumps(name)[1:-1] in text]
    assert leaked == []
