"""The start page, signing in and out, and the language switch.

Failed sign-ins count against the typed name and against the client address (voucher/limits.py);
past the limit both are refused for a while with the wait in minutes. The name counts whether an
account exists or not, so the answer never tells which names exist.
"""

from __future__ import annotations

import math
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import context, limits
from ..services import sessions, users
from .auth import Person, refuse_unknown_proxy_user
from .i18n import LANGUAGES

bp = Blueprint("staff", __name__, static_folder=str(Path(__file__).resolve().parent / "static"),
               static_url_path="/static/staff")
bp.before_request(refuse_unknown_proxy_user)

# Lockout scopes in voucher/limits.py, defined by staff.init_app from the settings.
ACCOUNT, ADDRESS = "login-account", "login-address"
# Workplaces on the start page: (key, path, roles that may use it; None: devices with a token).
WORKPLACES = (("counter", "/counter/", ("issuer",)), ("verifier", "/verify/", None), ("finance", "/finance/", ("finance",)),
              ("tokens", "/admin/tokens", ("admin",)))


def _local(path: str | None) -> str:
    """Only a path on this site is followed after sign-in (no open redirect)."""
    return path if path and path.startswith("/") and not path.startswith(("//", "/\\")) else url_for("staff.start")


@bp.app_template_global("nav_places")
def visible_places() -> list[tuple[str, str]]:
    """Every workplace but administration to someone not signed in; once signed in, those the
    role may use."""
    return [(key, path) for key, path, roles in WORKPLACES if _visible(roles)]


def _visible(roles: tuple[str, ...] | None) -> bool:
    if roles is None:
        return True
    if current_user.is_authenticated:
        return current_user.may(*roles)
    return roles != ("admin",)  # administration is not advertised to passers-by


@bp.get("/")
def start():
    return render_template("staff/start.html", places=visible_places())


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    target = _local(request.values.get("next"))
    if request.method == "GET":
        return render_template("staff/signin.html", next=target, name="")
    name = request.form.get("name", "").strip()[:100]
    password = request.form.get("password", "")
    problem = _attempt(name.lower(), password)
    if problem is not None:
        return render_template("staff/signin.html", next=target, name=name, problem=problem), 401 if problem[0] == "wrong" else 429
    return redirect(target)


def _attempt(name: str, password: str) -> tuple[str, dict] | None:
    """None when signed in; else why not: ("wrong", {}) or ("locked", {"minutes": n})."""
    address = request.remote_addr or "unknown"
    wait = max(limits.blocked(ACCOUNT, name), limits.blocked(ADDRESS, address))
    if wait:
        return "locked", {"minutes": math.ceil(wait / 60)}
    db = context.session()
    user = users.authenticate(db, name, password)
    if user is None:
        limits.hit(ACCOUNT, name)
        limits.hit(ADDRESS, address)
        wait = max(limits.blocked(ACCOUNT, name), limits.blocked(ADDRESS, address))
        return ("locked", {"minutes": math.ceil(wait / 60)}) if wait else ("wrong", {})
    limits.clear(ACCOUNT, name)  # a typo or two before the right password is not held against the next day
    settings = context.services().settings
    token = sessions.open_session(db, user, context.now(), settings.session_idle, settings.session_lifetime)
    language = session.get("lang")
    session.clear()  # nothing from before the sign-in survives into it (fixation)
    if language:
        session["lang"] = language
    login_user(Person(user.name, user.role, token))
    return None


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated and current_user.token:
        sessions.close(context.session(), current_user.token)
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash("signed_out")
    return redirect(url_for("staff.start"))


@bp.post("/language")
def language():
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_local(request.form.get("next")))
