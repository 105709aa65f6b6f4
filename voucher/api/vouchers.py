"""Issuing, looking up, rendering and revoking vouchers."""

from __future__ import annotations

from flask import Blueprint, Response, g, request, url_for
from werkzeug.exceptions import BadRequest

from .. import context, qr
from ..schemas import IdempotencyKey, IssueRequest, RevokeRequest
from ..services import revocation, vouchers
from ..services.issuing import IssuingService
from .auth import actor, requires

# What a verifier may see of a voucher: what its QR code already shows, and its status.
VERIFIER_FIELDS = (
    "id", "short_code", "valid_from", "valid_until", "status", "holder_name", "origin",
    "destination", "zone", "fare_class", "travellers", "return_trip", "kid",
)
# What finance needs to account for a journey, matched by voucher id: no code (it is the
# ticket), no person (name, customer reference, address, letter language) and no appointment.
FINANCE_FIELDS = (
    "id", "short_code", "valid_from", "valid_until", "status", "origin", "destination", "zone",
    "fare_class", "travellers", "return_trip", "cost_center", "max_fare_cents", "replaces",
    "replaced_by", "created_at",
)
VIEWS = {"verifier": VERIFIER_FIELDS, "finance": FINANCE_FIELDS}


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a well-formed JSON object (Content-Type: application/json).")
    return body


def idempotency_key() -> str | None:
    value = request.headers.get("Idempotency-Key", "").strip()
    return IdempotencyKey.model_validate({"Idempotency-Key": value}).key if value else None


def _represent(voucher, state: str | None = None) -> dict:
    """The voucher as JSON for the caller's role; `state` when the caller knows it (a voucher
    just made is issued). Issuer and admin see everything, verifier and finance their view."""
    data = vouchers.describe(voucher, state or vouchers.status(context.session(), voucher, context.now()))
    view = VIEWS.get(g.client.role)
    if view is not None:
        return {k: data[k] for k in view if k in data}
    base = url_for("api.get_voucher", voucher_id=voucher.id)
    data["links"] = {
        "self": base,
        "qr_png": base + "/qr.png",
        "qr_svg": base + "/qr.svg",
        "letter_pdf": base + "/letter.pdf",
    }
    return data


@requires("issuer")
def issue_voucher():
    services = context.services()
    issue = IssueRequest.model_validate(json_body(), context={"tz": services.settings.timezone})
    service = IssuingService(context.session(), services.keystore, services.settings)
    voucher, created = service.issue(issue, actor(), context.now(), idempotency_key())
    response = _represent(voucher, "issued" if created else None)
    return response, 201 if created else 200, {"Location": response["links"]["self"]}


@requires("issuer", "finance", "verifier")
def get_voucher(voucher_id: str):
    return _represent(vouchers.get(context.session(), voucher_id))


@requires("issuer")
def qr_png(voucher_id: str):
    voucher = vouchers.printable(context.session(), voucher_id)
    return Response(qr.png(voucher.code), mimetype="image/png")


@requires("issuer")
def qr_svg(voucher_id: str):
    voucher = vouchers.printable(context.session(), voucher_id)
    return Response(qr.svg(voucher.code), mimetype="image/svg+xml")


@requires("issuer")
def letter_pdf(voucher_id: str):
    from ..letters.render import voucher_letter

    voucher = vouchers.printable(context.session(), voucher_id)
    pdf = voucher_letter(voucher, context.now(), context.services().settings.timezone)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="letter-{voucher.id}.pdf"'})


@requires("issuer")
def revoke_voucher(voucher_id: str):
    reason = RevokeRequest.model_validate(json_body()).reason
    session = context.session()
    voucher = vouchers.get(session, voucher_id)
    revocation.revoke(session, voucher.id, reason, actor(), context.now())
    session.commit()
    return _represent(voucher)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/vouchers", view_func=issue_voucher, methods=["POST"])
    bp.add_url_rule("/vouchers/<voucher_id>", view_func=get_voucher)
    bp.add_url_rule("/vouchers/<voucher_id>/qr.png", view_func=qr_png)
    bp.add_url_rule("/vouchers/<voucher_id>/qr.svg", view_func=qr_svg)
    bp.add_url_rule("/vouchers/<voucher_id>/letter.pdf", view_func=letter_pdf)
    bp.add_url_rule("/vouchers/<voucher_id>/revoke", view_func=revoke_voucher, methods=["POST"])
