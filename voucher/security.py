"""Response headers, request logging without personal data, the token cache. Rate limits are
in limits.py."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, g, request


log = logging.getLogger("voucher.requests")

# Pages load only their own scripts and styles: no inline script, no third-party origin.
# 'wasm-unsafe-eval' lets the verifier compile its QR decoder (WebAssembly); it allows no JS eval.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


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


def init_app(app: Flask) -> None:
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    app.before_request(_start)
    app.after_request(_headers)
    app.after_request(_log)
