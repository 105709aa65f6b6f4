"""The verifier served to staff devices: browser code in static/, checked against the same
test vectors as voucher.format."""

from pathlib import Path

from flask import Blueprint, Flask

STATIC = Path(__file__).resolve().parent / "static"

bp = Blueprint("verifier", __name__, url_prefix="/verify", static_folder=str(STATIC), static_url_path="/static")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
