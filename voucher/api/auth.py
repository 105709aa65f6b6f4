"""Bearer-token authentication and role checks for API views.

A wrong token counts against the client address ("token_failures"); past the limit the answer
is 429 instead of 401. A valid token is never refused for its address's failures, so one
misconfigured device behind an office's NAT cannot lock out every other device there (tokens
are 256 random bits: counting failures slows floods, not guessing, which cannot succeed).
Each valid token then has its own request limit ("requests").
"""

from __future__ import annotations

from functools import wraps

from flask import g, request
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from .. import context, limits
from ..services import clients


def requires(*roles: str):
    """Allow the view to clients with one of `roles` (admin may do everything)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            client = _authenticate()
            _throttle(limits.hit("requests", f"client:{client.id}"), "Too many requests with this token.")
            if not clients.allows(client, *roles):
                raise Forbidden(f"This needs the role {' or '.join(roles)}; the token is {client.role}.")
            g.client = client
            return view(*args, **kwargs)

        wrapped.roles = roles
        return wrapped

    return decorate


def _authenticate() -> clients.Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    client = clients.authenticate(context.session(), token, context.now()) if token else None
    if client is not None:
        clients.note_use(context.session(), client, context.now())
        return client
    _throttle(limits.hit("token_failures", request.remote_addr or "unknown"),
              "Too many failed logins from this address.")
    if not token:
        raise Unauthorized("Send 'Authorization: Bearer <token>'.")
    raise Unauthorized("The token is unknown, revoked or expired.")


def _throttle(wait: int, message: str) -> None:
    if wait:
        raise TooManyRequests(f"{message} Try again in {wait} s.", retry_after=wait)


def actor() -> str:
    return f"{g.client.role}:{g.client.name}"
