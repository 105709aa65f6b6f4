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
import threading
import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import SlidingWindowCounterSupport, Storage
from limits.strategies import SlidingWindowCounterRateLimiter

from .config import Settings

log = logging.getLogger(__name__)
STRATEGY = "sliding-window-counter"  # two counters per key; no burst of twice the limit at a window's edge
RETRY_REDIS_AFTER = 5.0  # seconds on the memory fallback before trying Redis again


class ProcessMemory(Storage, SlidingWindowCounterSupport):
    """Counters in this process's memory, written against limits' public storage interface (the
    abstract `Storage` and its sliding-window support), so an upgrade of limits cannot break it
    through internals. limits' own MemoryStorage starts a new expiry thread 10 ms after a write
    whenever the previous one has ended, a third of all requests at 300 a second, and under load
    a thread start waits for the scheduler longer than the request's own work. Here expired
    counters are dropped when read and swept every SWEEP_EVERY writes."""

    STORAGE_SCHEME = ["process-memory"]
    SWEEP_EVERY = 1000

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        self.counters: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self.lock = threading.Lock()
        self.writes = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def _live(self, key: str, now: float) -> tuple[int, float]:
        count, expires = self.counters.get(key, (0, 0.0))
        return (count, expires) if expires > now else (0, 0.0)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self.lock:
            self._sweep(now)
            count, expires = self._live(key, now)
            self.counters[key] = (count + amount, expires or now + expiry)
            return count + amount

    def decr(self, key: str, amount: int = 1) -> int:
        now = time.time()
        with self.lock:
            count, expires = self._live(key, now)
            if count:
                self.counters[key] = (max(count - amount, 0), expires)
            return max(count - amount, 0)

    def get(self, key: str) -> int:
        return self._live(key, time.time())[0]

    def get_expiry(self, key: str) -> float:
        now = time.time()
        return self._live(key, now)[1] or now

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self.lock:
            count = len(self.counters)
            self.counters.clear()
        return count

    def clear(self, key: str) -> None:
        with self.lock:
            self.counters.pop(key, None)

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        previous, previous_ttl, current, _ = self.get_sliding_window(key, expiry)
        if math.floor(previous * previous_ttl / expiry + current) + amount > limit:
            return False
        current_key = _window_keys(key, expiry, time.time())[1]
        current = self.incr(current_key, 2 * expiry, amount)
        if math.floor(previous * previous_ttl / expiry + current) > limit:
            self.decr(current_key, amount)  # another hit won the race
            return False
        return True

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = time.time()
        previous_key, current_key = _window_keys(key, expiry, now)
        previous, current = self.get(previous_key), self.get(current_key)
        previous_ttl = (1 - (((now - expiry) / expiry) % 1)) * expiry if previous else 0.0
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        for window_key in _window_keys(key, expiry, time.time()):
            self.clear(window_key)

    def _sweep(self, now: float) -> None:
        self.writes += 1
        if self.writes % self.SWEEP_EVERY == 0:
            self.counters = {key: entry for key, entry in self.counters.items() if entry[1] > now}


def _window_keys(key: str, expiry: int, now: float) -> tuple[str, str]:
    """The counters of the previous and the current window of `expiry` seconds."""
    window = int(now // expiry)
    return f"{key}/{window - 1}", f"{key}/{window}"


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

