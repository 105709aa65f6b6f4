"""The HTTP API under /api/v1: thin views over the services."""

from flask import Blueprint, Flask

from . import errors, fares, finance, invoices, keys_routes, me, openapi, redemptions, vouchers

bp = Blueprint("api", __name__, url_prefix="/api/v1")
for module in (vouchers, keys_routes, redemptions, finance, invoices, fares, me, openapi):
    module.register(bp)


def init_app(app: Flask) -> None:
    errors.init_app(app)
    app.register_blueprint(bp)
