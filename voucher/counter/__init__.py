"""The ticket counter (/counter/, role issuer): find a voucher, see its state and history, cancel
it, re-issue it, print its letter, issue a new one. Pages post forms to these routes (with the
CSRF token); the work is done by the same services the API uses."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, redirect

from ..staff.auth import refuse_unknown_proxy_user
from ..token.codes import short_code

bp = Blueprint("counter", __name__, url_prefix="/counter",
               static_folder=str(Path(__file__).resolve().parent / "static"), static_url_path="/static")
bp.before_request(refuse_unknown_proxy_user)


@bp.get("")
def bare():
    return redirect("/counter/", code=308)


def init_app(app: Flask) -> None:
    from . import actions, views, words  # noqa: F401 - each adds its routes to bp

    app.jinja_env.globals.update(short_code=short_code, window=words.window, who=words.who)
    app.register_blueprint(bp)
