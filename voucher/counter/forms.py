"""The issue form: what a caseworker types, turned into the same IssueRequest the API and the
letter batch validate (so every door checks a voucher the same way), and back again to prefill a
re-issue. Errors come back per form field, in the page's language where we know the kind."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from .. import money
from ..letters import texts
from ..schemas import IssueRequest, field_errors
from ..staff.i18n import either, euros, t_or
from ..store import Voucher
from . import words

TEXT_FIELDS = ("holder_name", "origin", "destination", "zone", "cost_center", "customer_ref",
               "appointment_place", "external_ref", "language", "travellers", "fare_class")
ADDRESS_LINES = 3
_FIELDS = {"max_fare_cents": "max_fare"}
# Whole-form checks in IssueRequest, by their message.
_MESSAGES = {"give either origin and destination, or a zone": "err_route",
             "valid_until must not be before valid_from": "err_window"}


def letter_languages() -> list[tuple[str, str]]:
    """(tag, what staff read) for every letter language, in the order of the German names."""
    return [(tag, words.language(tag)) for tag in texts.staff_languages()]


def to_request(form: MultiDict, tz: ZoneInfo, replaces: str | None = None) -> tuple[IssueRequest | None, dict[str, str]]:
    """The validated request, or None and the errors by form field ("" for the whole form)."""
    body: dict = {name: form[name].strip() for name in TEXT_FIELDS if form.get(name, "").strip()}
    for name in ("travellers", "fare_class"):
        if name in body and body[name].isdigit():
            body[name] = int(body[name])
    body["return_trip"] = form.get("return_trip") == "yes"
    for name in ("valid_from", "valid_until", "appointment_at"):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    if form.get("route") == "zone":
        body.pop("origin", None), body.pop("destination", None)
    else:
        body.pop("zone", None)
    address = [form.get(f"address_{n}", "").strip() for n in range(1, ADDRESS_LINES + 1)]
    if any(address):
        body["recipient_address"] = [line for line in address if line]
    errors: dict[str, str] = {}
    if form.get("max_fare", "").strip():
        try:
            body["max_fare_cents"] = money.read_typed_euros(form["max_fare"])
        except money.Refused as exc:
            errors["max_fare"] = either(exc.de, exc.en)
    if replaces:
        body["replaces"] = replaces
    try:
        request = IssueRequest.model_validate(body, context={"tz": tz})
    except ValidationError as exc:
        errors.update(_by_field(exc))
        return None, errors
    return (None, errors) if errors else (request, {})


def _by_field(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for (_path, message), error in zip(field_errors(exc), exc.errors(include_url=False, include_input=False), strict=True):
        loc = [str(p) for p in error["loc"]]
        field = _FIELDS.get(loc[0], loc[0]) if loc else ""
        if field == "recipient_address":
            field = f"address_{int(loc[1]) + 1}" if len(loc) > 1 else "address_1"
        key = _MESSAGES.get(message, "err_" + error["type"])
        out.setdefault(field, t_or(message, key, **(error.get("ctx") or {})))
    return out


def from_voucher(voucher: Voucher, tz: ZoneInfo) -> dict[str, str]:
    """A form prefilled from an earlier voucher, for a re-issue (the form works in whole days)."""
    last_minute = voucher.valid_until - timedelta(minutes=1)
    values = {name: str(getattr(voucher, name) or "") for name in TEXT_FIELDS if name != "external_ref"}
    values.update(
        route="zone" if voucher.zone else "stops",
        valid_from=voucher.valid_from.astimezone(tz).date().isoformat(),
        valid_until=last_minute.astimezone(tz).date().isoformat(),
        return_trip="yes" if voucher.return_trip else "",
        max_fare="" if voucher.max_fare_cents is None else euros(voucher.max_fare_cents, symbol=False),
        appointment_at=voucher.appointment_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if voucher.appointment_at else "",
    )
    for n, line in enumerate(voucher.recipient_address or (), 1):
        values[f"address_{n}"] = line
    return values
