"""GET /healthz for load balancers: 200 when the database answers and a signing key is usable."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from . import context
from .keys import KeyStoreError


def healthz():
    checks = {}
    try:
        context.session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means: do not send traffic here
        checks["database"] = f"failed: {type(exc).__name__}"
    try:
        context.services().keystore.signing_key(context.now())
        checks["signing_key"] = "ok"
    except KeyStoreError as exc:
        checks["signing_key"] = f"failed: {exc}"
    ok = all(v == "ok" for v in checks.values())
    return {"status": "ok" if ok else "failed", **checks}, 200 if ok else 503


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", view_func=healthz)
