"""The fare table: finance reads it, an admin replaces or adds prices (the CSV that
`voucher fares import` reads)."""

from __future__ import annotations

from flask import Blueprint

from .. import context
from ..services import fares
from .auth import actor, requires
from .errors import problem
from .finance import read_csv_body


@requires("finance")
def list_fares():
    return {"fares": fares.listing(context.session(), context.services().settings.office_code)}


@requires("admin")
def put_fares():
    rows, errors = read_csv_body(fares.parse_csv, "fare table")
    session = context.session()
    counts, refused = fares.save(session, context.services().settings.office_code, rows, actor(), context.now())
    errors = sorted(errors + refused, key=lambda e: e.line)
    if errors:
        session.rollback()
        return problem(422, "Fare table refused", f"{len(errors)} bad row(s); the fare table was not changed.",
                       errors=[{"line": e.line, "message": e.message} for e in errors])
    session.commit()
    return counts


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/fares", view_func=list_fares)
    bp.add_url_rule("/fares", view_func=put_fares, methods=["PUT"])
