"""STAND-IN, to be replaced at merge by issue 11's voucher/limits.py (Flask-Limiter, shared
through Redis when VOUCHER_REDIS_URL is set). It offers only the two calls that module plans,
in memory per worker process:

    failures.hit(name, key)      count one failure of limit `name` for `key`
    failures.blocked(name, key)  seconds until `key` may try again, 0 when not blocked

The staff sign-in (voucher/staff/signin.py) uses nothing else. The limits by name, set from the
settings at app creation: "login-account" and "login-address", each N failures within the
lockout window.
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, current_app

from .config import Settings


class _Window:
    """Failures within the last `seconds`, per key; blocked once there are `count` of them."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self.hits: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        recent = [t for t in self.hits.get(key, ()) if t > now - self.seconds]
        if recent:
            self.hits[key] = recent
        else:
            self.hits.pop(key, None)
        return recent

    def hit(self, key: str) -> None:
        with self.lock:
            now = time.monotonic()
            self.hits[key] = self._recent(key, now) + [now]

    def blocked(self, key: str) -> int:
        with self.lock:
            now = time.monotonic()
            recent = self._recent(key, now)
            if len(recent) < self.count:
                return 0
            return max(1, math.ceil(recent[-self.count] + self.seconds - now))


class _Failures:
    @staticmethod
    def _window(name: str) -> _Window:
        return current_app.extensions["voucher.failures"][name]

    def hit(self, name: str, key: str) -> None:
        self._window(name).hit(key)

    def blocked(self, name: str, key: str) -> int:
        return self._window(name).blocked(key)


failures = _Failures()


def init_app(app: Flask, settings: Settings) -> None:
    seconds = settings.login_lockout.total_seconds()
    app.extensions["voucher.failures"] = {
        "login-account": _Window(settings.login_failures_per_account, seconds),
        "login-address": _Window(settings.login_failures_per_address, seconds),
    }
