"""Who is signed in to the staff pages: Flask-Login over server-side sessions
(services/sessions.py), or, when VOUCHER_TRUSTED_USER_HEADER is set, the user name an
authenticating reverse proxy passes in that header. Either way the role comes from our accounts
table; a name the proxy vouches for but we do not know (or disabled) gets a 403 page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from .. import context
from ..services import sessions, users


@dataclass(frozen=True, eq=False)
class Person(UserMixin):
    name: str
    role: str
    token: str | None = None  # the session's token; None when the proxy signed the person in

    def get_id(self) -> str | None:
        return self.token

    def may(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    @property
    def actor(self) -> str:
        """How the audit log names this person (an API client is `ROLE:NAME`, a person `user:NAME`)."""
        return f"user:{self.name}"


login_manager = LoginManager()
login_manager.login_view = "staff.sign_in"
login_manager.login_message = None  # the sign-in page says what it needs to


def _header() -> str | None:
    """The proxy's user name. The setting is read first, so with it unset no header is looked at."""
    header = context.services().settings.trusted_user_header
    if not header:
        return None
    return request.headers.get(header, "").strip() or None


@login_manager.user_loader
def _from_session(token: str) -> Person | None:
    if _header() is not None:
        return None  # the proxy's word wins over an older cookie
    settings = context.services().settings
    user = sessions.resume(context.session(), token, context.now(), settings.session_idle, settings.session_lifetime)
    return Person(user.name, user.role, token) if user is not None else None


@login_manager.request_loader
def _from_proxy(_request) -> Person | None:
    name = _header()
    user = users.active(context.session(), name) if name else None
    return Person(user.name, user.role) if user is not None else None


def refuse_unknown_proxy_user():
    """before_request of every staff page: the proxy signed in someone we have no account for."""
    name = _header()
    if name is not None and users.active(context.session(), name) is None:
        return render_template("staff/error.html", title_key="sso_unknown_title", text_key="sso_unknown_text"), 403
    return None


def page_for(*roles: str):
    """The page needs a signed-in person with one of `roles` (admin may use every page)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return refusal(roles) or view(*args, **kwargs)

        wrapped.roles = roles
        return wrapped

    return decorate


def refusal(roles: tuple[str, ...]):
    """The answer to someone who may not use a page for `roles`; None when they may."""
    if not current_user.is_authenticated:
        return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
    if not current_user.may(*roles):
        return render_template("staff/error.html", title_key="forbidden_title", text_key="forbidden_text"), 403
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
