"""Bearer-token authentication and role checks for API views."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from werkzeug.exceptions import Forbidden, Unauthorized

from .. import context
from ..services import clients


def requires(*roles: str):
    """Allow the view to clients with one of `roles` (admin may do everything)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("Send 'Authorization: Bearer <token>'.")
            client = clients.authenticate(context.session(), token.strip())
            if client is None:
                raise Unauthorized("The token is unknown or disabled.")
            if not clients.allows(client, *roles):
                raise Forbidden(f"This needs the role {' or '.join(roles)}; the token is {client.role}.")
            g.client = client
            return view(*args, **kwargs)

        wrapped.roles = roles
        return wrapped

    return decorate


def actor() -> str:
    return f"{g.client.role}:{g.client.name}"
