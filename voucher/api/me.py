"""GET /api/v1/me: whose token this is. A verifier device asks before it stores a token, so a
set-up code carrying an admin's or issuer's token is refused rather than saved on a bus."""

from __future__ import annotations

from flask import Blueprint, g

from ..services import clients
from .auth import requires


@requires(*clients.ROLES)
def me():
    # What a device's scans mean (services/purposes.py); other roles scan nothing.
    purpose = g.client.purpose if g.client.role == "verifier" else None
    return {"role": g.client.role, "name": g.client.name, "purpose": purpose}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/me", view_func=me)
