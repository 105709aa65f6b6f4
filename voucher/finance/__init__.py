"""The finance page (/finance/, role finance; admin too): reconciliation in finance's words with
a chart of every day, flags a page at a time down to one voucher's journeys, operator invoices
(upload, past ones, each one's report) and CSV downloads.

Pages are rendered on the server in the staff layout, through the services the API uses
(services/finance.py, flags.py, invoices.py); the browser holds the signed-in session, never a
token, and runs no script here. Forms that change something carry the CSRF token."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, Flask, redirect, render_template, request

from ..services.errors import NotFound
from ..services.flags import FLAG_TEXT, UNKNOWN_CENTER
from ..staff.auth import refuse_unknown_proxy_user
from ..staff.i18n import either, t, t_or

STATIC = Path(__file__).resolve().parent / "static"
bp = Blueprint("finance", __name__, url_prefix="/finance", static_folder=str(STATIC), static_url_path="/static")
bp.before_request(refuse_unknown_proxy_user)


@bp.get("")
def bare():
    return redirect("/finance/", code=308)


def flag_text(kind: str) -> str:
    """The plain sentence for a kind of flag (services/flags.py), in the page's language."""
    text = FLAG_TEXT.get(kind)
    return either(text["de"], text["en"]) if text else kind


def kind_name(kind: str) -> str:
    """A flag's kind in two or three words (the API's name when we have none)."""
    return t_or(kind, "kind_" + kind)


def center_name(center: str | None) -> str:
    """A cost centre; the report's row for scans of no known voucher, in words."""
    return t("center_unknown") if center in (None, UNKNOWN_CENTER) else center


def from_iso(text: str) -> date | datetime:
    """A day or an instant as the services write them (2026-12-03, 2026-12-03T08:00:00Z)."""
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


@bp.errorhandler(NotFound)
def not_found(_exc):
    """An invoice or voucher that does not exist: a page saying so, not the API's problem+json."""
    text = "invoice_not_found" if request.endpoint.startswith("finance.invoice") else "not_found_text"
    return render_template("staff/error.html", title_key="not_found_title", text_key=text), 404


def init_app(app: Flask) -> None:
    from . import invoices, report  # noqa: F401 - each adds its routes to bp

    app.jinja_env.globals.update(flag_text=flag_text, kind_name=kind_name, center_name=center_name)
    app.jinja_env.filters["fromiso"] = from_iso
    app.register_blueprint(bp)
