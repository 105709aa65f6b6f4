"""What changes a voucher at the counter: cancel (with a confirmation step), re-issue, issue."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from .. import context
from ..keys import KeyStoreError
from ..schemas import IssueRequest, RevokeRequest
from ..services import revocation, vouchers
from ..services.errors import NotFound, ServiceError
from ..services.issuing import IssuingService
from ..staff.auth import page_for
from ..token.codes import short_code
from . import bp, forms
from .views import not_found


def _voucher_or_none(voucher_id: str):
    try:
        return vouchers.get(context.session(), voucher_id)
    except NotFound:
        return None


@bp.route("/vouchers/<voucher_id>/cancel", methods=["GET", "POST"])
@page_for("issuer")
def cancel(voucher_id: str):
    found = _voucher_or_none(voucher_id)
    if found is None:
        return not_found()
    code = short_code(found.id)
    if request.method == "GET":
        return render_template("counter/cancel.html", v=found, code=code, reason="", problem=None)
    reason = request.form.get("reason", "")
    try:
        reason = RevokeRequest.model_validate({"reason": reason}).reason
    except ValidationError:
        return render_template("counter/cancel.html", v=found, code=code, reason=reason, problem="err_reason"), 422
    session = context.session()
    revocation.revoke(session, found.id, reason, current_user.actor, context.now())
    session.commit()
    flash("cancelled")
    return redirect(url_for("counter.voucher", voucher_id=found.id))


NEW_FORM = {"route": "stops", "travellers": "1", "fare_class": "2", "language": "de"}


def _issue_form(values: dict, errors: dict, old=None, status: int = 200):
    return render_template("counter/issue.html", values=values, errors=errors, old=old,
                           old_code=old and short_code(old.id), languages=forms.letter_languages()), status


def _issue(issue: IssueRequest) -> tuple[object | None, str | None]:
    """The new voucher, or None and why not (in the service's words)."""
    services = context.services()
    try:
        result = IssuingService(context.session(), services.keystore, services.settings).issue(
            issue, current_user.actor, context.now())
    except ServiceError as exc:
        return None, exc.detail
    except KeyStoreError as exc:
        return None, str(exc)
    if result.warnings:
        flash("reissued_used")  # journeys on the old and the new voucher may both be billed
    return result.voucher, None


def _issue_page(old=None):
    """The issue form (prefilled from `old` for a re-issue) and what its submission does."""
    tz = context.services().settings.timezone
    if request.method == "GET":
        return _issue_form(forms.from_voucher(old, tz) if old is not None else dict(NEW_FORM), {}, old)
    issue, errors = forms.to_request(request.form, tz, replaces=old.id if old is not None else None)
    created, problem = _issue(issue) if issue is not None else (None, None)
    if created is None:
        return _issue_form(request.form.to_dict(), {**errors, **({"": problem} if problem else {})}, old, 422)
    flash("reissued" if old is not None else "issued")
    return redirect(url_for("counter.voucher", voucher_id=created.id))


@bp.route("/vouchers/<voucher_id>/reissue", methods=["GET", "POST"])
@page_for("issuer")
def reissue(voucher_id: str):
    old = _voucher_or_none(voucher_id)
    return not_found() if old is None else _issue_page(old)


@bp.route("/new", methods=["GET", "POST"])
@page_for("issuer")
def new():
    return _issue_page()
