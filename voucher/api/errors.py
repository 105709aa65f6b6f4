"""Every error leaves as application/problem+json (RFC 9457) with a sentence to act on."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, Response, json
from flask.json.provider import DefaultJSONProvider
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from ..keys import KeyStoreError
from ..schemas import error_summary, field_errors
from ..services.errors import Conflict, Gone, NotFound, Rejected, ServiceError

log = logging.getLogger(__name__)
_STATUS = {NotFound: 404, Conflict: 409, Rejected: 422, Gone: 410}
# How long a client should wait before retrying when the database is unreachable: about what a
# PostgreSQL restart or a standby promotion takes.
RETRY_AFTER_SECONDS = 5
# SQLite errors a retry can outlive; any other (no such table, ...) is our mistake: a 500.
_SQLITE_TRANSIENT = ("locked", "busy", "unable to open", "disk i/o", "disk is full")


def problem_body(status: int, title: str, detail: str, **extra) -> dict:
    return {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}


def problem(status: int, title: str, detail: str, **extra) -> Response:
    return _response(problem_body(status, title, detail, **extra))


class BodyJSONProvider(DefaultJSONProvider):
    """Parses request bodies; JSON nested too deeply for the parser is malformed JSON (a 400
    where the body is read), not a RecursionError that would end as a 500. Responses keep their
    fields in the order they were written (contract fields first) instead of sorting them."""

    sort_keys = False

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def database_unavailable(exc: Exception) -> bool:
    """A fault of the database server or of the way to it, which a retry can outlive. A mistake
    in our own SQL (ProgrammingError, IntegrityError, DataError, no such table) is not one."""
    if isinstance(exc, sa_exc.TimeoutError):  # every pooled connection busy
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
        return True
    if isinstance(exc, sa_exc.OperationalError):
        if isinstance(exc.orig, sqlite3.Error):
            return any(word in str(exc.orig).lower() for word in _SQLITE_TRANSIENT)
        return True
    return False


def _database(exc: sa_exc.SQLAlchemyError) -> Response:
    if not database_unavailable(exc):
        return _unexpected(exc)
    log.warning("database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
    response = problem(
        503, "Database unavailable",
        f"The database cannot be reached just now. Retry in {RETRY_AFTER_SECONDS} s with the same "
        "request: the same external_ref, Idempotency-Key or client_id is never stored twice.",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _response(body: dict) -> Response:
    return Response(json.dumps(body), status=body["status"], mimetype="application/problem+json")


def item_problem(exc: ValidationError | ServiceError) -> dict:
    """The problem body of a request that failed validation or was refused: what a batch
    reports for one of its items, and what a single request answers."""
    if isinstance(exc, ValidationError):
        errors = [{"field": field, "message": message} for field, message in field_errors(exc)]
        return problem_body(422, "Invalid request", error_summary(exc), errors=errors)
    return problem_body(next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400), exc.title, exc.detail)


def _http(exc: HTTPException) -> Response:
    response = problem(exc.code or 500, exc.name, exc.description or exc.name)
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="voucher"'
    if retry_after := getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(retry_after)  # werkzeug's TooManyRequests
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "Internal error", "The server failed; nothing was changed. Try again.")


def init_app(app: Flask) -> None:
    app.json = BodyJSONProvider(app)
    app.register_error_handler(ValidationError, lambda exc: _response(item_problem(exc)))
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(ServiceError, lambda exc: _response(item_problem(exc)))
    app.register_error_handler(
        KeyStoreError, lambda exc: problem(503, "Signing unavailable", str(exc))
    )
    app.register_error_handler(sa_exc.SQLAlchemyError, _database)
    app.register_error_handler(Exception, _unexpected)
