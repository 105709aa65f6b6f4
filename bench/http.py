"""HTTP under gunicorn against PostgreSQL, load from wrk (a second process on 127.0.0.1, bounded
to a few seconds per route): issue, trust-list, revocation-poll and redemption-sync requests per
second with p50 and p99 latency (target: ≥ 600 issue requests/s with 2 workers, p99 < 50 ms).
The revocation poll sends the ETag of the list it already has, as verifier devices do: a 304.
Workers as `voucher serve` runs them (one thread each), one more of them, and 2 workers of 4
threads for comparison. The issue route runs ISSUE_RUNS times, reported by its median run and the
range: on a shared 2-core machine one run can differ from the next by a third."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.appserver import THREADS, app_on, gunicorn

DURATION = "8s"
CONNECTIONS = 16
SERVERS = ((2, THREADS), (3, THREADS), (2, 4))  # (workers, threads per worker)
ISSUE_RUNS = 3
VOUCHERS = 300  # redemptions spread over these, as real journeys are

POLL_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["If-None-Match"] = '%(etag)s'
"""
ISSUE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.body = [[%(body)s]]
"""
SYNC_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
vouchers = {%(vouchers)s}
counter = 0
request = function()
  counter = counter + 1
  local id = string.format("%%d-%%d-%%d", math.random(1, 1000000000), counter, os.time())
  local voucher = vouchers[math.random(1, #vouchers)]
  local body = '{"device_id":"bench","redemptions":[{"client_id":"' .. id .. '","voucher_id":"' .. voucher .. '","redeemed_at":"%(at)s"}]}'
  return wrk.format(nil, nil, nil, body)
end
"""


def _wrk(url: str, script: str | None, folder: Path) -> tuple[float, str, str]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url]
    if script:
        path = folder / "script.lua"
        path.write_text(script)
        command[1:1] = ["-s", str(path)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests against {url}:\n{out}")
    return rate, p50, p99


def run() -> list[tuple[str, str]]:
    if shutil.which("wrk") is None:
        return [("HTTP load", "skipped: install wrk (apt-get install wrk)")]
    rows = []
    with app_on() as setup:
        issuer, verifier = setup.tokens["issuer"], setup.tokens["verifier"]
        day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        body = json.dumps({"holder_name": "Zeynep Öztürk", "valid_from": day, "valid_until": day,
                           "origin": "Musterstadt Hbf", "destination": "Jobcenter Nord", "cost_center": "KST-1",
                           "return_trip": True}, ensure_ascii=True)
        for workers, threads in SERVERS:
            with gunicorn(setup, workers, threads) as server:
                base = server.base
                request = urllib.request.Request(base + "/api/v1/vouchers", data=body.encode(), method="POST",
                                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {issuer}"})
                issued = [json.loads(urllib.request.urlopen(request).read()) for _ in range(VOUCHERS)]
                poll = "/api/v1/revocations?since=0&format=compact"
                etag = urllib.request.urlopen(urllib.request.Request(
                    base + poll, headers={"Authorization": f"Bearer {verifier}"})).headers["ETag"]
                scripts = {
                    "issue (POST /api/v1/vouchers)": ("/api/v1/vouchers", ISSUE_LUA % {"token": issuer, "body": body}),
                    "trust list (GET /api/v1/trust-list)": ("/api/v1/trust-list", None),
                    "revocation poll with nothing new (GET /api/v1/revocations, If-None-Match: 304)": (
                        poll, POLL_LUA % {"token": verifier, "etag": etag}),
                    f"redemption sync, 1 per batch over {VOUCHERS} vouchers (POST /api/v1/redemptions)": ("/api/v1/redemptions", SYNC_LUA % {
                        "token": verifier, "vouchers": ",".join(f'"{v["id"]}"' for v in issued),
                        "at": issued[0]["valid_from"]}),
                }
                for name, (path, script) in scripts.items():
                    runs = sorted(_wrk(base + path, script, setup.folder) for _ in range(ISSUE_RUNS if path == "/api/v1/vouchers" else 1))
                    rate, p50, p99 = runs[len(runs) // 2]
                    spread = f" (runs: {', '.join(f'{r:,.0f}' for r, _, _ in runs)} req/s)" if len(runs) > 1 else ""
                    rows.append((f"HTTP {name}, gunicorn {workers} workers × {threads} thread{'s' * (threads > 1)} + PostgreSQL, wrk {CONNECTIONS} connections",
                                 f"{rate:,.0f} req/s, p50 {p50}, p99 {p99}{spread}"))
    return rows
