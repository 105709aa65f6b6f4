"""Bearer-token authentication and role checks for API views."""

from __future__ import annotations

from functools import wraps

import math

from flask import current_app, g, request
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from .. import context
from ..services import clients


def requires(*roles: str):
    """Allow the view to clients with one of `roles` (admin may do everything)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            limits = current_app.extensions["voucher.limits"]
            address = request.remote_addr or "unknown"
            _throttle(limits["auth_failures"].exhausted(address), "Too many failed logins from this address.")
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                limits["auth_failures"].take(address)
                raise Unauthorized("Send 'Authorization: Bearer <token>'.")
            client = clients.authenticate(context.session(), token.strip(), current_app.extensions["voucher.tokens"])
            if client is None:
                limits["auth_failures"].take(address)
                raise Unauthorized("The token is unknown or disabled.")
            _throttle(limits["client"].take(f"client:{client.id}"), "Too many requests with this token.")
            if not clients.allows(client, *roles):
                raise Forbidden(f"This needs the role {' or '.join(roles)}; the token is {client.role}.")
            g.client = client
            return view(*args, **kwargs)

        wrapped.roles = roles
        return wrapped

    return decorate


def _throttle(wait: float, message: str) -> None:
    if wait:
        raise TooManyRequests(f"{message} Try again in {math.ceil(wait)} s.", retry_after=math.ceil(wait))


def actor() -> str:
    return f"{g.client.role}:{g.client.name}"
