"""The finance page (/finance/): reconciliation, chart, CSV downloads and invoice matching, all
through the finance API with the token the user enters (kept only for the browser session)."""

from pathlib import Path

from flask import Blueprint, Flask, redirect, render_template

STATIC = Path(__file__).resolve().parent / "static"
bp = Blueprint("finance_page", __name__, url_prefix="/finance", static_folder=str(STATIC), static_url_path="/static")


@bp.get("")
def bare():
    return redirect("/finance/", code=308)


@bp.get("/")
def page():
    return render_template("finance/index.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
