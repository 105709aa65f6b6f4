"""Every error leaves as application/problem+json (RFC 9457) with a sentence to act on."""

from __future__ import annotations

import logging

from flask import Flask, Response, json
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from ..keys import KeyStoreError
from ..schemas import error_summary, field_errors
from ..services.errors import Conflict, NotFound, Rejected, ServiceError

log = logging.getLogger(__name__)
_STATUS = {NotFound: 404, Conflict: 409, Rejected: 422}


def problem_body(status: int, title: str, detail: str, **extra) -> dict:
    return {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}


def problem(status: int, title: str, detail: str, **extra) -> Response:
    return _response(problem_body(status, title, detail, **extra))


def _response(body: dict) -> Response:
    return Response(json.dumps(body), status=body["status"], mimetype="application/problem+json")


def item_problem(exc: ValidationError | ServiceError) -> dict:
    """The problem body of a request that failed validation or was refused: what a batch
    reports for one of its items, and what a single request answers."""
    if isinstance(exc, ValidationError):
        errors = [{"field": field, "message": message} for field, message in field_errors(exc)]
        return problem_body(422, "Invalid request", error_summary(exc), errors=errors)
    return problem_body(_STATUS.get(type(exc), 400), exc.title, exc.detail)


def _http(exc: HTTPException) -> Response:
    response = problem(exc.code or 500, exc.name, exc.description or exc.name)
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="voucher"'
    if getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)  # werkzeug's TooManyRequests
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return problem(500, "Internal error", "The server failed; nothing was changed. Try again.")


def init_app(app: Flask) -> None:
    app.register_error_handler(ValidationError, lambda exc: _response(item_problem(exc)))
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(ServiceError, lambda exc: _response(item_problem(exc)))
    app.register_error_handler(
        KeyStoreError, lambda exc: problem(503, "Signing unavailable", str(exc))
    )
    app.register_error_handler(Exception, _unexpected)
