"""The pages people use (start page, sign-in; the ticket counter in voucher/counter/): sessions,
CSRF protection and the shared layout (templates/base.html, static/staff.css).

Cookies: HttpOnly, SameSite=Strict, and Secure unless the request came over plain http to a
loopback address (VOUCHER_COOKIE_SECURE=auto; `always` or `never` to decide it yourself). Behind
a TLS-terminating proxy set VOUCHER_TRUSTED_PROXIES so the app sees the request was https.

CSRF: every state-changing request carries the form's token (Flask-WTF), except calls to the
API under /api/ that bring a bearer token or no cookie at all: those are machines, which the
browser cannot be tricked into impersonating.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..api.errors import problem
from ..config import Settings
from . import auth, i18n, signin
from .secret import secret_key

csrf = CSRFProtect()
_SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


class _Cookies(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        mode = app.config["VOUCHER_COOKIE_SECURE"]
        if mode != "auto":
            return mode == "always"
        return request.is_secure or not _loopback(request.host)


def _loopback(host: str) -> bool:
    name = urlsplit("//" + host).hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# Room for the form's other fields and the multipart boundaries around a file of the full limit.
MULTIPART_ALLOWANCE = 64 * 1024


def accepts_upload(limit: int):
    """The page route takes a file of up to `limit` bytes, inclusive (the reader of the file
    checks its own size); every other request keeps the app's small limit."""

    def mark(view):
        view.max_content_length = limit + MULTIPART_ALLOWANCE
        return view

    return mark


def _upload_gate():
    """Before anything reads the body (the CSRF check reads the form): who may not use the
    upload page is answered at once, so an unauthenticated 50 MB post is never read."""
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_content_length", None)
    if limit is None:
        return None
    refused = auth.refusal(getattr(view, "roles", ()))
    if refused is not None:
        return refused
    request.max_content_length = limit
    return None


def _check_csrf() -> None:
    if request.method in _SAFE:
        return
    if request.path.startswith("/api/") and (
        request.headers.get("Authorization", "").lower().startswith("bearer ") or not request.cookies
    ):
        return
    csrf.protect()


def _csrf_refused(error: CSRFError):
    if request.path.startswith("/api/"):
        return problem(400, "CSRF token missing",
                       "A request with a session cookie needs the page's CSRF token; machines send a bearer token.")
    return render_template("staff/error.html", title_key="csrf_title", text_key="csrf_text"), 400


def init_app(app: Flask, settings: Settings) -> None:
    app.secret_key = secret_key(settings.secret_key, settings.data_dir)
    app.config.update(
        SESSION_COOKIE_NAME="voucher_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        VOUCHER_COOKIE_SECURE=settings.cookie_secure,
        WTF_CSRF_CHECK_DEFAULT=False,  # _check_csrf decides, so the API's machines are left alone
        WTF_CSRF_TIME_LIMIT=None,  # as long as the session: a sign-in page left open overnight still works
        # Flask-WTF's https check wants a Referer, which our Referrer-Policy (no-referrer) never
        # sends; the token and SameSite=Strict already stop cross-site posts.
        WTF_CSRF_SSL_STRICT=False,
    )
    app.session_interface = _Cookies()
    csrf.init_app(app)
    app.before_request(_upload_gate)
    app.before_request(_check_csrf)
    app.register_error_handler(CSRFError, _csrf_refused)
    auth.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(signin.bp)
