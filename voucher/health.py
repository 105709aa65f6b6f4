"""Liveness and readiness for load balancers and orchestrators.

`/healthz` says only that the process answers (restart it when it does not). `/readyz` says
whether it should get traffic: the database answers, its schema is at the newest migration (an
old schema under new code fails in odd places), a signing key is in force for at least
KEY_WARNING more days (issuing and the revocation list need it), and Redis answers when
configured (shared rate limits). Each check gives "ok" or "failed: <reason>"; any failure is 503.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cache

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text

from . import context
from .db import MIGRATIONS
from .keys import KeyStoreError
from .version import VERSION

KEY_WARNING = timedelta(days=30)
REDIS_TIMEOUT_SECONDS = 1.0


class NotReady(Exception):
    """A check's reason for failing, shown to the operator."""


@cache
def _head() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _database() -> None:
    context.session().execute(text("SELECT 1"))


def _schema() -> None:
    current = MigrationContext.configure(context.session().connection()).get_current_revision()
    if current != _head():
        raise NotReady(f"schema at {current or 'nothing'}, code needs {_head()}: run 'voucher migrate'")


def _signing_key() -> None:
    now = context.now()
    key, _ = context.services().keystore.signing_key(now)
    if key.not_after - now < KEY_WARNING:
        raise NotReady(f"key {key.kid} stops signing at {key.not_after:%Y-%m-%d}: run 'voucher keys rotate'")


def _redis() -> None:
    settings = context.services().settings
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def _outcome(check: Callable[[], None]) -> str:
    try:
        check()
    except (NotReady, KeyStoreError) as exc:
        return f"failed: {exc}"
    except Exception as exc:  # noqa: BLE001 - any driver or network error means: do not send traffic here
        return f"failed: {type(exc).__name__}"
    return "ok"


def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


def readyz() -> tuple[dict[str, object], int]:
    checks = {"database": _database, "schema": _schema, "signing_key": _signing_key}
    if context.services().settings.redis_url:
        checks["redis"] = _redis
    results: dict[str, str] = {}
    for name, check in checks.items():
        unreachable = name == "schema" and results["database"] != "ok"
        results[name] = "failed: database unreachable" if unreachable else _outcome(check)
    context.session().rollback()  # a failed statement must not poison the request's session
    ready = all(value == "ok" for value in results.values())
    return {"status": "ready" if ready else "not ready", "version": VERSION, "checks": results}, 200 if ready else 503


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", view_func=healthz)
    app.add_url_rule("/readyz", view_func=readyz)
