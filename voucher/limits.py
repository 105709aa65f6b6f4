"""Rate limits that every worker process and every host share (sign-in lockouts are counted in
the database instead: services/lockouts.py).

Flask-Limiter keeps the counters: in this process's memory by default, in Redis when
VOUCHER_REDIS_URL is set, so that four workers on three hosts allow a limit once, not twelve
times. A limit has a scope (what is counted, e.g. "requests" per API token, "token_failures" per
client address) and applies per key within it:

    wait = limits.hit("token_failures", address)   # after a wrong token: refuse while > 0

Flask-Limiter's own per-route checks are not used (every request passes its filter): a limit is
taken where the request is known, e.g. per token only after the token has been checked.
If Redis cannot be reached, the limits fall back to this process's memory (and say so in the
log) rather than failing the request or vanishing.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from .config import Settings

log = logging.getLogger(__name__)
STRATEGY = "sliding-window-counter"  # two counters per key; no burst of twice the limit at a window's edge
RETRY_REDIS_AFTER = 5.0  # seconds on the memory fallback before trying Redis again


class ProcessMemory(MemoryStorage):
    """limits' memory storage without its expiry thread. That storage starts a new thread 10 ms
    after a write whenever the previous one has ended, a third of all requests at 300 a second,
    and under load a thread start waits for the scheduler longer than the request's own work.
    Here expired counters are dropped when read (as there) and swept every SWEEP_EVERY writes."""

    STORAGE_SCHEME = ["process-memory"]
    SWEEP_EVERY = 1000

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        self.writes = 0

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self._sweep()
        self.get(key)
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = time.time() + expiry
        return self.storage.get(key, 0)

    def decr(self, key: str, amount: int = 1) -> int:
        self.get(key)
        with self.locks[key]:
            self.storage[key] = max(self.storage[key] - amount, 0)
        return self.storage.get(key, 0)

    def _sweep(self) -> None:
        self.writes += 1
        if self.writes % self.SWEEP_EVERY:
            return
        now = time.time()
        for key in [key for key, at in list(self.expirations.items()) if at <= now]:
            self.clear(key)


class Limits:
    """The scopes an app defines, over Flask-Limiter's storage (see the module docstring)."""

    def __init__(self, app: Flask, settings: Settings):
        options: dict = {}
        if settings.redis_url:
            options = {"key_prefix": settings.redis_prefix, "wrap_exceptions": True,
                       "socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        self.limiter = Limiter(
            get_remote_address, app=app, strategy=STRATEGY,
            storage_uri=settings.redis_url or "process-memory://", storage_options=options,
        )
        self.limiter.request_filter(lambda: True)
        self.fallback = SlidingWindowCounterRateLimiter(ProcessMemory())
        self.redis_down_until = 0.0
        self.scopes: dict[str, RateLimitItem] = {}

    def define(self, scope: str, limit: str) -> None:
        """A scope with its limit in Flask-Limiter's notation, e.g. "20/minute" or "5 per 15 minutes"."""
        self.scopes[scope] = parse(limit)

    def hit(self, scope: str, key: str) -> int:
        """Count one for `key`: 0 while within the limit, else the seconds until the next is allowed."""
        item = self.scopes[scope]
        if self._call("hit", item, scope, key):
            return 0
        return self.blocked(scope, key)

    def blocked(self, scope: str, key: str) -> int:
        """Seconds until `key` may try again (0: it may now), without counting anything."""
        item = self.scopes[scope]
        if self._call("test", item, scope, key):
            return 0
        reset_at, _ = self._call("get_window_stats", item, scope, key)
        return max(1, math.ceil(reset_at - time.time()))

    def _call(self, method: str, *args):
        if time.monotonic() >= self.redis_down_until:
            try:
                return getattr(self.limiter.limiter, method)(*args)
            except StorageError as exc:
                log.warning("rate limit storage unreachable (%s): counting in this process for %.0f s",
                            exc.storage_error, RETRY_REDIS_AFTER)
                self.redis_down_until = time.monotonic() + RETRY_REDIS_AFTER
        return getattr(self.fallback, method)(*args)


def init_app(app: Flask, settings: Settings) -> Limits:
    limits = Limits(app, settings)
    limits.define("requests", f"{settings.rate_limit_per_minute}/minute")
    limits.define("token_failures", f"{settings.auth_failures_per_minute}/minute")
    app.extensions["voucher.limits"] = limits
    return limits


def _limits() -> Limits:
    return current_app.extensions["voucher.limits"]


def hit(scope: str, key: str) -> int:
    """Limits.hit for the current app."""
    return _limits().hit(scope, key)

