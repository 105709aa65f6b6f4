"""Response headers, request logging without personal data, the token cache. Rate limits are
in limits.py."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

log = logging.getLogger("voucher.requests")

# Pages load only their own scripts and styles: no inline script, no third-party origin.
# 'wasm-unsafe-eval' lets the verifier compile its QR decoder (WebAssembly); it allows no JS eval.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS_SECONDS = 365 * 24 * 3600  # browsers then refuse plain http for the host for a year


def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Pages, letters, QR codes, CSVs and API answers carry personal data: no copy in a browser's
    # or a proxy's cache. Static files set their own Cache-Control (revalidated) and keep it.
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:  # behind a proxy: as ProxyFix read X-Forwarded-Proto (VOUCHER_TRUSTED_PROXIES)
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response


def _start() -> None:
    g.started = time.perf_counter()


def _log(response: Response) -> Response:
    """One line per request (JSON, voucher/logs.py): the route template, never the URL with its
    ids and query."""
    client = g.get("client")
    log.info("request", extra={
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else "(no route)",
        "status": response.status_code,
        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        "role": client.role if client is not None else None,
    })
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_headers)
    app.after_request(_log)
