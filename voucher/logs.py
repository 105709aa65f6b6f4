"""Logging: JSON lines on stderr for the app and gunicorn alike, each with the request's id.

One configuration (`config(level)`) serves both: `voucher serve` hands it to gunicorn
(`logconfig_dict`, so the master's and workers' own lines are JSON too), and `create_app` applies
it when nothing else has configured logging (`gunicorn 'voucher:create_app()'`, a WSGI host).
A request's id is the client's `X-Request-Id` when it is a sane token (a proxy's or letter
system's id, so lines can be followed across systems), else a new one; it is echoed in the
response. Log lines name routes, statuses, roles and ids, never holder names, codes or bodies.
"""

from __future__ import annotations

import logging
import logging.config
import re
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or null outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def config(level: str) -> dict[str, Any]:
    """The dictConfig for the app and gunicorn: everything propagates to one JSON handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "json_ensure_ascii": False,
        }},
        "handlers": {"json": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                              "formatter": "json", "filters": ["request_id"]}},
        "root": {"level": level, "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "alembic": {"level": "WARNING"},  # /readyz reads the migrations: no plugin chatter
            # The app logs each request itself (voucher/security.py), with the route, not the URL.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }


def _request_id() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex


def _echo(response: Response) -> Response:
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def init_app(app: Flask, level: str) -> None:
    if not logging.getLogger().handlers:  # nobody configured logging: this process is ours
        logging.config.dictConfig(config(level))
    app.before_request(_request_id)
    app.after_request(_echo)
