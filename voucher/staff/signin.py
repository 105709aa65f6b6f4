"""The start page, signing in and out, and the language switch.

Failed sign-ins are counted in the database (services/lockouts.py): past the limits a name from
one address is locked for a while, with the wait in minutes and how to be unlocked sooner, and
further attempts on a name or from an address are slowed. The name counts whether an account
exists or not, so the answer never tells which names exist. Sign-ins, failures and lockouts are
audit events.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import context
from ..services import audit, lockouts, sessions, users
from .auth import Person, refuse_unknown_proxy_user
from .i18n import LANGUAGES

bp = Blueprint("staff", __name__, static_folder=str(Path(__file__).resolve().parent / "static"),
               static_url_path="/static/staff")
bp.before_request(refuse_unknown_proxy_user)

# Workplaces on the start page: (key, path, roles that may use it; None: devices with a token).
WORKPLACES = (("counter", "/counter/", ("issuer",)), ("verifier", "/verify/", None), ("finance", "/finance/", ("finance",)),
              ("tokens", "/admin/tokens", ("admin",)))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _local(path: str | None) -> str:
    """Only a path on this site is followed after sign-in (no open redirect), else the start page.
    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so a slash,
    a tab and "/evil.example" leads off the site: a path with a control character or a backslash
    is refused, and so is one whose percent-decoded form would be (a proxy may decode it)."""
    if not path:
        return url_for("staff.start")
    for form in (path, unquote(path)):
        if _CONTROL.search(form) or "\\" in form or not form.startswith("/") or form.startswith("//"):
            return url_for("staff.start")
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return url_for("staff.start")
    return path


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
    if problem is None:
        return redirect(target)
    response = make_response(render_template("staff/signin.html", next=target, name=name, problem=problem))
    if problem[0] == "wrong":
        response.status_code = 401
    else:
        response.status_code = 429
        response.headers["Retry-After"] = str(problem[1].get("seconds") or problem[1]["minutes"] * 60)
    return response


def _attempt(name: str, password: str) -> tuple[str, dict] | None:
    """None when signed in; else why not: ("wrong", {}), ("locked", {"minutes": n}) or
    ("slowed", {"seconds": n}). Attempts are counted in the database (services/lockouts.py)."""
    db, now = context.session(), context.now()
    settings = context.services().settings
    policy = lockouts.Policy(settings.login_failures_per_account, settings.login_failures_per_address, settings.login_lockout)
    # A name no account can have is counted under one key: nothing typed there is stored.
    key = name if users.NAME.fullmatch(name) else "?"
    address = request.remote_addr if request.remote_addr and request.remote_addr.isprintable() else "unknown"
    address = address[:64]  # X-Forwarded-For, through a trusted proxy, can hold anything
    refusal = lockouts.begin(db, key, address, now, policy)
    if refusal is not None:
        return _refused(refusal.kind, refusal.wait)
    user = users.authenticate(db, name, password)
    if user is None:
        actor = f"user:{key}" if users.known(db, key) else "unknown"
        audit.record(db, actor, "sign_in_failed", now, address=address)
        locked = lockouts.locked_now(db, key, address, now, policy)
        if locked is not None:
            audit.record(db, actor, "sign_in_locked", now, address=address, minutes=math.ceil(locked.total_seconds() / 60))
        db.commit()
        return ("wrong", {}) if locked is None else _refused("locked", locked)
    lockouts.succeeded(db, key, address)
    audit.record(db, f"user:{user.name}", "sign_in", now, address=address)
    token = sessions.open_session(db, user, now, settings.session_idle, settings.session_lifetime)
    language = session.get("lang")
    session.clear()  # nothing from before the sign-in survives into it (fixation)
    if language:
        session["lang"] = language
    login_user(Person(user.name, user.role, token))
    return None


def _refused(kind: str, wait: timedelta) -> tuple[str, dict]:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return (kind, {"minutes": math.ceil(seconds / 60)} if kind == "locked" else {"seconds": seconds})


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
