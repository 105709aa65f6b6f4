"""Response headers, request logging without personal data, and rate limits.

Rate limits are kept per worker process in memory: good enough to slow a guessing script or a
runaway client; a reverse proxy limits across hosts (README, "Deploying for a region").
"""

from __future__ import annotations

import json
import logging
import threading
import time

from flask import Flask, Response, g, request

from .services.clients import TokenCache

log = logging.getLogger("voucher.requests")

# Pages load only their own scripts and styles: no inline script, no third-party origin.
# 'wasm-unsafe-eval' lets the verifier compile its QR decoder (WebAssembly); it allows no JS eval.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class RateLimiter:
    """Token buckets: `per_minute` requests a minute per key, bursts up to `burst`."""

    MAX_KEYS = 50_000

    def __init__(self, per_minute: int, burst: int | None = None):
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when allowed (and counted), else the seconds until the next request is allowed."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if len(self.buckets) > self.MAX_KEYS:
                self.buckets.clear()  # a flood of keys must not exhaust memory
            tokens, last = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return (1 - tokens) / self.rate
            self.buckets[key] = (tokens - 1, now)
            return 0.0

    def exhausted(self, key: str, now: float | None = None) -> float:
        """Like take, without counting: for checking before the work is known to fail."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, last = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            return 0.0 if tokens >= 1 else (1 - tokens) / self.rate


def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _start() -> None:
    g.started = time.perf_counter()


def _log(response: Response) -> Response:
    """One JSON line per request: the route template, never the URL with its ids and query."""
    client = g.get("client")
    log.info(json.dumps({
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else "(no route)",
        "status": response.status_code,
        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        "role": client.role if client is not None else None,
    }))
    return response


def init_app(app: Flask, per_minute: int, failures_per_minute: int) -> None:
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    app.extensions["voucher.limits"] = {
        "client": RateLimiter(per_minute),
        "auth_failures": RateLimiter(failures_per_minute),
    }
    app.extensions["voucher.tokens"] = TokenCache()
    app.before_request(_start)
    app.after_request(_headers)
    app.after_request(_log)
