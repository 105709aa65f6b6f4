"""GET /api/v1/me: whose token this is. A verifier device asks before it stores a token, so a
set-up code carrying an admin's or issuer's token is refused rather than saved on a bus."""

from __future__ import annotations

from flask import Blueprint, g

from ..services import clients
from .auth import requires


@requires(*clients.ROLES)
def me():
    return {"role": g.client.role, "name": g.client.name}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/me", view_func=me)
