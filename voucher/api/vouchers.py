"""Issuing, looking up, rendering and revoking vouchers."""

from __future__ import annotations

from flask import Blueprint, Response, g, request, url_for
from pydantic import ValidationError
from werkzeug.exceptions import BadRequest, Forbidden

from .. import context, qr
from ..access import log_download
from ..schemas import IdempotencyKey, IssueBatch, IssueRequest, RevokeRequest
from ..services import flags, lookup, purposes, revocation, vouchers
from ..services.errors import ServiceError
from ..services.issuing import IssuingService, Result
from ..timefmt import format_local
from .auth import actor, requires
from .errors import item_problem

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


def _represent(voucher, state: vouchers.State | None = None) -> dict:
    """The voucher as JSON for the caller's role; `state` when the caller knows it (a voucher
    just made is issued). Issuer and admin see everything, verifier and finance their view."""
    data = vouchers.describe(voucher, state or vouchers.state(context.session(), voucher, context.now()))
    view = VIEWS.get(g.client.role)
    if view is not None:
        return {k: data[k] for k in view if k in data}
    if "voucher_url" not in g:  # url_for costs as much as the rest of this: once per request
        g.voucher_url = url_for("api.get_voucher", voucher_id="0")[:-1]
    base = g.voucher_url + voucher.id
    data["links"] = {
        "self": base,
        "qr_png": base + "/qr.png",
        "qr_svg": base + "/qr.svg",
        "letter_pdf": base + "/letter.pdf",
    }
    return data


def _issued(result: Result) -> dict:
    """An issued voucher with its warnings (e.g. the voucher it replaces was already used)."""
    return {**_represent(result.voucher, vouchers.State("issued") if result.created else None), "warnings": list(result.warnings)}


def _service() -> IssuingService:
    services = context.services()
    return IssuingService(context.session(), services.keystore, services.settings)


def _validated(body) -> IssueRequest:
    return IssueRequest.model_validate(body, context={"tz": context.services().settings.timezone})


@requires("issuer")
def issue_voucher():
    issue = _validated(json_body())
    result = _service().issue(issue, actor(), context.now(), idempotency_key())
    response = _issued(result)
    return response, 201 if result.created else 200, {"Location": response["links"]["self"]}


@requires("issuer")
def issue_batch():
    """Up to 1,000 issue bodies; one result per item in request order, a bad item refusing only
    itself. Written in chunks through the same service as a single request."""
    items = IssueBatch.model_validate(json_body()).vouchers
    results: list[dict | None] = [None] * len(items)
    valid: list[tuple[int, IssueRequest]] = []
    for index, item in enumerate(items):
        try:
            valid.append((index, _validated(item)))
        except ValidationError as exc:
            results[index] = _refused(index, exc)
    issued = _service().issue_many([r for _, r in valid], actor(), context.now())
    for (index, _), result in zip(valid, issued, strict=True):
        results[index] = _refused(index, result.error) if result.error else {
            "index": index, "status": 201 if result.created else 200, "voucher": _issued(result)}
    return {"results": results}


def _refused(index: int, exc: ValidationError | ServiceError) -> dict:
    problem = item_problem(exc)
    return {"index": index, "status": problem["status"], "problem": problem}


@requires("issuer", "finance", "verifier")
def get_voucher(voucher_id: str):
    """The voucher; for the office and finance with its scans: rides (`redemptions`) and
    arrivals (`attendances`) apart. A verifier sees what the QR shows, and when and where each
    ride counted was made, so a driver told "SCHON BENUTZT" is told when and where."""
    session = context.session()
    voucher = vouchers.get(session, voucher_id)
    found = lookup.scans(session, voucher.id)
    if g.client.role == "verifier":
        rides = [{"redeemed_at": format_local(r.redeemed_at, context.services().settings.timezone), "location": r.location or ""}
                 for r in found["redemptions"] if r.outcome == vouchers.ACCEPTED]
        return {**_represent(voucher), "redemptions": rides}
    return {**_represent(voucher), **{kind: [flags.redemption_json(r) for r in rows] for kind, rows in found.items()}}


@requires("issuer", "verifier")
def get_appointment(voucher_id: str):
    """What the reception's verifier shows on arrival ("Angemeldet: Termin 09:30, Raum 2.14"):
    the QR carries no appointment, so the page asks with the reception's token. A journey
    device has no business with appointments."""
    if g.client.role == "verifier" and g.client.purpose != purposes.RECEPTION:
        raise Forbidden("Appointments are for reception devices; this device is enrolled for journeys.")
    session = context.session()
    voucher = vouchers.get(session, voucher_id)
    tz = context.services().settings.timezone
    return {"voucher_id": voucher.id, "holder_name": voucher.holder_name,
            "appointment_at": voucher.appointment_at and format_local(voucher.appointment_at, tz),
            "appointment_place": voucher.appointment_place,
            "status": vouchers.state(session, voucher, context.now()).status}


@requires("issuer")
def qr_png(voucher_id: str):
    voucher = vouchers.printable(context.session(), voucher_id)
    log_download("qr", voucher.id, format="png")
    return Response(qr.png(voucher.code), mimetype="image/png")


@requires("issuer")
def qr_svg(voucher_id: str):
    voucher = vouchers.printable(context.session(), voucher_id)
    log_download("qr", voucher.id, format="svg")
    return Response(qr.svg(voucher.code), mimetype="image/svg+xml")


@requires("issuer")
def letter_pdf(voucher_id: str):
    from ..letters.render import voucher_letter

    voucher = vouchers.printable(context.session(), voucher_id)
    pdf = voucher_letter(voucher, context.now(), context.services().settings)
    log_download("letter", voucher.id, language=voucher.language)
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
    bp.add_url_rule("/vouchers/batch", view_func=issue_batch, methods=["POST"])
    bp.add_url_rule("/vouchers/<voucher_id>", view_func=get_voucher)
    bp.add_url_rule("/vouchers/<voucher_id>/appointment", view_func=get_appointment)
    bp.add_url_rule("/vouchers/<voucher_id>/qr.png", view_func=qr_png)
    bp.add_url_rule("/vouchers/<voucher_id>/qr.svg", view_func=qr_svg)
    bp.add_url_rule("/vouchers/<voucher_id>/letter.pdf", view_func=letter_pdf)
    bp.add_url_rule("/vouchers/<voucher_id>/revoke", view_func=revoke_voucher, methods=["POST"])
