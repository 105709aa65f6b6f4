"""Administration pages (/admin/, role admin): API tokens for devices and systems, made, listed
and revoked like personal access tokens. The same services as `voucher tokens`."""

from __future__ import annotations

from flask import Blueprint, Flask

from ..staff.auth import refuse_unknown_proxy_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(refuse_unknown_proxy_user)


def init_app(app: Flask) -> None:
    from . import tokens  # noqa: F401 - adds its routes to bp

    app.register_blueprint(bp)
