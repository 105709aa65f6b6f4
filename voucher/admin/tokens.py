"""/admin/tokens: every token with its name, role, device, dates and state; a form that makes
one (the token is shown on that one answer, never again) and a revoke button per token."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import context
from ..services import clients
from ..staff.auth import page_for
from ..store import ApiClient
from . import bp

NO_STORE = {"Cache-Control": "no-store"}  # the answer that shows a new token must stay in no cache
EMPTY_FORM = {"name": "", "role": "verifier", "device": "", "expires": "90"}


def _page(form: dict, new_token: str | None = None, problem: str | None = None, status: int = 200):
    session = context.session()
    now = context.now()
    rows = [(c, clients.state(c, now)) for c in clients.everything(session)]
    return render_template("admin/tokens.html", rows=rows, roles=clients.ROLES, form=form, new_token=new_token,
                           problem=problem, expires_max=clients.EXPIRES_MAX_DAYS), status, NO_STORE


@bp.get("/tokens")
@page_for("admin")
def tokens():
    return _page(EMPTY_FORM)


@bp.post("/tokens")
@page_for("admin")
def create():
    form = {key: request.form.get(key, "").strip()[:200] for key in EMPTY_FORM}
    expires = form["expires"]
    if expires and not (expires.isdigit() and 1 <= int(expires) <= clients.EXPIRES_MAX_DAYS):
        return _page(form, problem="err_token_expires", status=422)
    session = context.session()
    try:
        token = clients.create_token(session, form["role"], form["name"], context.now(), current_user.actor,
                                     int(expires) if expires else None, form["device"] or None)
    except ValueError:
        return _page(form, problem="err_token_form", status=422)
    session.commit()
    return _page(EMPTY_FORM, new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@page_for("admin")
def revoke(token_id: int):
    session = context.session()
    client = session.get(ApiClient, token_id)
    if client is None:
        return render_template("staff/error.html", title_key="not_found_title", text_key="not_found_text"), 404
    clients.revoke(session, client, current_user.actor, context.now())
    session.commit()
    flash("token_revoked")
    return redirect(url_for("admin.tokens"))
