"""Soak: a working day's mix of requests for ten minutes (SOAK_SECONDS) against gunicorn (2
workers, one thread each, as `voucher serve` runs them) on PostgreSQL, from CLIENTS threads on
127.0.0.1 paced to RATE requests a second in all (SOAK_RATE). The mix (MIX): verifier devices
polling the revocation list and the trust list, uploading journeys and now and then re-sending
an upload whose answer they lost, and looking up typed short codes; the letter system issuing
one by one, in batches and retrying a request; the counter revoking; finance opening the month's
reconciliation.

Per minute: requests, errors, p50 and p99 latency (from sending a request to its whole answer
read; requests are paced, so a slow answer delays the next one of its client, not a queue), and
each gunicorn worker's resident memory. At the end: each worker's memory at start and end, and
whether the database holds every voucher issued and every journey uploaded exactly once.

An error is a connection failure, a status the request should not get, or a replay answered
differently from the first request. The schema is the benchmark's own and is dropped afterwards.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.appserver import THREADS, Server, app_on, gunicorn, rss_mb
from voucher.db import Database
from voucher.store import Redemption, Voucher

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
RATE = float(os.environ.get("SOAK_RATE", "100"))
CLIENTS = 8
WORKERS = 2
SEED = 20261125
BATCH = 50  # letters in one batch request
RECENT = 2000  # journeys and look-ups are of the vouchers issued last, as in a real day
OFFICE_TZ = ZoneInfo("Europe/Berlin")
# Share of requests (per 100) of each kind, about what one office's day sends.
MIX = {
    "poll revocations": 34, "trust list": 5, "redeem": 24, "redeem again": 4, "look up": 8,
    "issue": 16, "issue again": 2, "issue batch": 1, "revoke": 5, "reconcile": 0.5,
}
ROUTES = {
    "poll revocations": "GET /api/v1/revocations", "trust list": "GET /api/v1/trust-list",
    "redeem": "POST /api/v1/redemptions", "redeem again": "POST /api/v1/redemptions, a client id sent before",
    "look up": "GET /api/v1/vouchers/{short code}", "issue": "POST /api/v1/vouchers",
    "issue again": "POST /api/v1/vouchers, an external_ref sent before", "issue batch": f"POST /api/v1/vouchers/batch, {BATCH} letters",
    "revoke": "POST /api/v1/vouchers/{id}/revoke", "reconcile": "GET /api/v1/reconciliation for the month",
}
NAMES = ["Ayşe Yılmaz", "Jan Kowalski", "Olena Kovalenko", "Mohammad Rahimi", "Maria Popescu", "Lea Schneider"]


class Unexpected(Exception):
    """An answer that is not the one this request must get."""


@dataclass
class Sample:
    done: float  # seconds after the start
    action: str
    seconds: float
    error: str | None  # what went wrong, None when the answer was the expected one


@dataclass
class Day:
    """What the clients share: the vouchers issued so far, the uploads sent, unique references."""

    tokens: dict[str, str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    vouchers: list[dict] = field(default_factory=list)  # {id, short_code, code}
    issued: list[tuple[dict, str]] = field(default_factory=list)  # (request body, voucher id)
    uploads: list[tuple[dict, list]] = field(default_factory=list)  # (request body, first results)
    references: itertools.count = field(default_factory=itertools.count)

    def keep(self, *vouchers: dict) -> None:
        with self.lock:
            self.vouchers.extend({k: v[k] for k in ("id", "short_code", "code")} for v in vouchers)

    def recent(self, rng: random.Random) -> dict:
        with self.lock:
            return self.vouchers[rng.randrange(max(0, len(self.vouchers) - RECENT), len(self.vouchers))]

    def letter(self, rng: random.Random) -> dict:
        today = datetime.now(OFFICE_TZ).date()
        route = ({"zone": rng.choice("ABC")} if rng.random() < 0.5
                 else {"origin": "Musterstadt Hbf", "destination": rng.choice(["Jobcenter Nord", "Jobcenter Süd"])})
        return {"holder_name": rng.choice(NAMES), "valid_from": today.isoformat(),
                "valid_until": (today + timedelta(days=2)).isoformat(), **route,
                "cost_center": f"KST-{rng.randrange(5)}", "return_trip": rng.random() < 0.6,
                "max_fare_cents": 480, "language": rng.choice(["de", "de", "en", "tr", "ar"]),
                "external_ref": f"soak-{next(self.references)}"}


class Client:
    """A stream of requests, each what a random pick from MIX asks for, each on a connection of
    its own: devices and the letter system call now and then, not over one kept-alive connection
    (and a few kept-alive connections would all stay with the worker that accepted them, leaving
    the other idle)."""

    def __init__(self, server: Server, day: Day, rng: random.Random):
        self.address = urlsplit(server.base).netloc
        self.day, self.rng = day, rng
        self.tags: dict[str, str] = {}  # ETag by path and query, as a browser's cache keeps them
        self.seq = 0  # revocation list sequence number this device holds

    def call(self, method: str, path: str, role: str, body=None, expect=(200,), headers=None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.day.tokens[role]}", "Connection": "close", **(headers or {})}
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self.address, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        if response.status not in expect:
            raise Unexpected(f"answered {response.status}")
        etag = response.getheader("ETag")
        if etag:
            self.tags[path] = etag
        return response.status, (json.loads(payload) if payload and response.status != 304 else {})

    def conditional(self, path: str) -> dict:
        tag = self.tags.get(path)
        return {"If-None-Match": tag} if tag else {}

    # ---- the requests --------------------------------------------------------------------

    def poll_revocations(self) -> None:
        path = f"/api/v1/revocations?since={self.seq}&format=compact"
        status, body = self.call("GET", path, "verifier", expect=(200, 304), headers=self.conditional(path))
        if status == 200:
            self.seq = body["seq"]

    def trust_list(self) -> None:
        path = "/api/v1/trust-list"
        self.call("GET", path, "verifier", expect=(200, 304), headers=self.conditional(path))

    def redeem(self) -> None:
        now = datetime.now(UTC).isoformat()
        items = [{"client_id": str(uuid.UUID(int=self.rng.getrandbits(128))), "code": self.day.recent(self.rng)["code"],
                  "redeemed_at": now, "location": f"Bus {self.rng.randrange(100, 200)}"}
                 for _ in range(self.rng.choice([1, 1, 1, 2, 3]))]
        body = {"device_id": f"soak-{self.rng.randrange(40)}", "redemptions": items}
        _, answer = self.call("POST", "/api/v1/redemptions", "verifier", body)
        if [r["client_id"] for r in answer["results"]] != [i["client_id"] for i in items]:
            raise Unexpected("answered for other client ids")
        with self.day.lock:
            self.day.uploads.append((body, answer["results"]))

    def redeem_again(self) -> None:
        with self.day.lock:
            body, first = self.day.uploads[self.rng.randrange(len(self.day.uploads))] if self.day.uploads else (None, None)
        if body is None:
            return self.redeem()
        _, answer = self.call("POST", "/api/v1/redemptions", "verifier", body)
        if answer["results"] != first:
            raise Unexpected("answered differently from the first time")

    def look_up(self) -> None:
        self.call("GET", f"/api/v1/vouchers/{self.day.recent(self.rng)['short_code']}", "verifier")

    def issue(self) -> None:
        body = self.day.letter(self.rng)
        _, voucher = self.call("POST", "/api/v1/vouchers", "issuer", body, expect=(201,))
        self.day.keep(voucher)
        with self.day.lock:
            self.day.issued.append((body, voucher["id"]))

    def issue_again(self) -> None:
        with self.day.lock:
            body, first = self.day.issued[self.rng.randrange(len(self.day.issued))]
        _, voucher = self.call("POST", "/api/v1/vouchers", "issuer", body, expect=(200,))
        if voucher["id"] != first:
            raise Unexpected("answered with another voucher")

    def issue_batch(self) -> None:
        _, answer = self.call("POST", "/api/v1/vouchers/batch", "issuer",
                              {"vouchers": [self.day.letter(self.rng) for _ in range(BATCH)]})
        if {r["status"] for r in answer["results"]} != {201}:
            raise Unexpected("an item was not issued")
        self.day.keep(*(result["voucher"] for result in answer["results"]))

    def revoke(self) -> None:
        voucher_id = self.day.recent(self.rng)["id"]  # now and then one cancelled before: the same answer
        _, voucher = self.call("POST", f"/api/v1/vouchers/{voucher_id}/revoke", "issuer", {"reason": "Termin abgesagt"})
        if voucher["status"] != "revoked":
            raise Unexpected(f"the voucher is {voucher['status']}, not revoked")

    def reconcile(self) -> None:
        today = datetime.now(OFFICE_TZ).date()
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        self.call("GET", f"/api/v1/reconciliation?from={first}&to={last}", "finance")

    def loop(self, start: float, until: float, interval: float, samples: list[Sample]) -> None:
        actions, weights = list(MIX), list(MIX.values())
        due = time.monotonic()
        while due < until:
            time.sleep(max(0.0, due - time.monotonic()))
            due = max(due + interval, time.monotonic() - 1)  # catch up at most a second's worth
            action = self.rng.choices(actions, weights)[0]
            sent = time.monotonic()
            try:
                getattr(self, action.replace(" ", "_"))()
                error = None
            except Unexpected as exc:
                error = f"{ROUTES[action]}: {exc}"
            except Exception as exc:  # a broken connection or answer: counted, and the client goes on
                error = f"{ROUTES[action]}: {type(exc).__name__}"
            done = time.monotonic()
            samples.append(Sample(done - start, action, done - sent, error))


@dataclass
class Minute:
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    rss_mb: dict[int, float | None]  # per worker pid, at the minute's end


@dataclass
class Report:
    seconds: int
    rate: float
    samples: list[Sample]
    minutes: list[Minute]
    rss_start: dict[int, float | None]
    rss_end: dict[int, float | None]
    workers_end: list[int]
    stored: str  # what the database holds afterwards, against what was sent

    @property
    def errors(self) -> Counter:
        return Counter(s.error for s in self.samples if s.error)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of all at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def _minute(samples: list[Sample], rss: dict[int, float | None]) -> Minute:
    times = [s.seconds * 1000 for s in samples]
    return Minute(len(samples), sum(1 for s in samples if s.error), percentile(times, 0.5), percentile(times, 0.99), rss)


def _rss(pids: list[int]) -> dict[int, float | None]:
    return {pid: rss_mb(pid) for pid in pids}


def _stored(url: str, day: Day) -> str:
    """Every voucher issued and every journey uploaded, each exactly once in the database."""
    sent = {i["client_id"] for body, _ in day.uploads for i in body["redemptions"]}
    database = Database(url)
    with database.session() as session:
        vouchers = session.scalar(select(func.count()).select_from(Voucher))
        journeys = session.scalar(select(func.count()).select_from(Redemption))
    database.engine.dispose()
    issued = len({v["id"] for v in day.vouchers})
    verdict = "each exactly once" if (vouchers, journeys) == (issued, len(sent)) else "MISMATCH"
    return f"{vouchers:,} vouchers of {issued:,} issued, {journeys:,} journeys of {len(sent):,} uploaded: {verdict}"


def soak(seconds: int = SECONDS, rate: float = RATE) -> Report:
    with app_on() as setup, gunicorn(setup, WORKERS) as server:
        day = Day(setup.tokens)
        seeding = Client(server, day, random.Random(SEED))
        for _ in range(4):  # the morning's letters, so journeys and look-ups have vouchers from the start
            seeding.issue_batch()
        seeding.issue()
        pids = server.workers()
        rss_start = _rss(pids)
        start = time.monotonic()
        until = start + seconds
        samples: list[list[Sample]] = [[] for _ in range(CLIENTS)]
        threads = [threading.Thread(target=Client(server, day, random.Random(SEED + 1 + n)).loop,
                                    args=(start, until, CLIENTS / rate, samples[n])) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        rss_by_minute = []
        for minute in range(math.ceil(seconds / 60)):
            time.sleep(max(0.0, min(until, start + 60 * (minute + 1)) - time.monotonic()))
            rss_by_minute.append(_rss(pids))
        for thread in threads:
            thread.join()
        workers_end = server.workers()
        stored = _stored(setup.env["DATABASE_URL"], day)
    every = sorted(itertools.chain.from_iterable(samples), key=lambda s: s.done)
    by_minute = defaultdict(list)
    for sample in every:
        by_minute[min(int(sample.done // 60), len(rss_by_minute) - 1)].append(sample)
    minutes = [_minute(by_minute[m], rss) for m, rss in enumerate(rss_by_minute)]
    return Report(seconds, rate, every, minutes, rss_start, rss_by_minute[-1], workers_end, stored)


def _latency(samples: list[Sample]) -> str:
    if not samples:
        return "none sent"
    minute = _minute(samples, {})
    return f"{minute.requests:,} requests, {minute.errors} errors, p50 {minute.p50_ms:.1f} ms, p99 {minute.p99_ms:.1f} ms"


def _mb(value: float | None) -> str:
    return "gone" if value is None else f"{value:.1f} MB"


def rows(report: Report) -> list[tuple[str, str]]:
    where = f"gunicorn {WORKERS} workers × {THREADS} thread{'s' * (THREADS > 1)} + PostgreSQL, {CLIENTS} clients paced to {report.rate:g} req/s"
    out = [(f"Soak, {report.seconds / 60:g} min of mixed load, {where}", _latency(report.samples))]
    for action, weight in MIX.items():
        out.append((f"Soak, {ROUTES[action]} ({weight}% of requests)", _latency([s for s in report.samples if s.action == action])))
    for n, minute in enumerate(report.minutes, 1):
        memory = " / ".join(_mb(v) for v in minute.rss_mb.values())
        out.append((f"Soak, minute {n}", f"{minute.requests:,} requests, {minute.errors} errors, p50 {minute.p50_ms:.1f} ms, "
                                         f"p99 {minute.p99_ms:.1f} ms; workers' memory {memory}"))
    for n, (pid, before) in enumerate(report.rss_start.items(), 1):
        after = report.rss_end[pid]
        growth = "" if None in (before, after) else f" ({after - before:+.1f} MB)"
        out.append((f"Soak, worker {n} resident memory, start → end", f"{_mb(before)} → {_mb(after)}{growth}"))
    if sorted(report.rss_start) != report.workers_end:
        out.append(("Soak, gunicorn workers", f"replaced during the run: {sorted(report.rss_start)} → {report.workers_end}"))
    out.append(("Soak, the database afterwards", report.stored))
    if report.errors:
        out.append(("Soak, errors", "; ".join(f"{what} ×{n}" for what, n in report.errors.most_common(5))))
    return out


def run() -> list[tuple[str, str]]:
    return rows(soak())
