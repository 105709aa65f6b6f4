"""Looking vouchers up and saying what state they are in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from ..letters import texts
from ..store import Redemption, Revocation, Voucher
from ..timefmt import format_instant
from ..token import codes
from .errors import Gone, NotFound
from .purposes import ACCEPTED, is_ride

__all__ = ["ACCEPTED", "Cancelled", "State", "describe", "get", "printable", "state"]


def get(session: Session, voucher_id: str) -> Voucher:
    """By id or short code, in any spelling a person might type."""
    try:
        canonical = codes.normalize_id(voucher_id)
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    voucher = session.get(Voucher, canonical)
    if voucher is None:
        raise NotFound(f"no voucher with id {canonical}")
    return voucher


class Cancelled(Gone):
    """The voucher was cancelled or replaced: its letter and QR are no ticket any more, so they
    are not served (a verifier that has not synced yet would still accept the QR)."""

    title = "Cancelled: no longer a ticket"

    def __init__(self, detail: str, replaced_by: str | None):
        super().__init__(detail)
        self.replaced_by = replaced_by


def printable(session: Session, voucher_id: str) -> Voucher:
    """The voucher, unless retention erased what its letter and QR would show, or it was
    cancelled or replaced (Cancelled: the letter of the voucher that replaced it is the ticket)."""
    voucher = get(session, voucher_id)
    if voucher.anonymized_at is not None:
        raise Gone("This voucher's personal data was erased under the retention rule; it cannot be printed.")
    revoked = session.scalar(select(Revocation.revoked_at).where(Revocation.voucher_id == voucher.id))
    if revoked is not None:
        replaced_by = session.scalar(select(Voucher.id).where(Voucher.replaces == voucher.id))
        detail = (f"This voucher was replaced by {codes.short_code(replaced_by)} ({replaced_by}); print that one's letter."
                  if replaced_by else f"This voucher was cancelled at {format_instant(revoked)}; its letter is no ticket.")
        raise Cancelled(detail, replaced_by)
    return voucher


@dataclass(frozen=True)
class State:
    """What became of a voucher: `status` as the API names it, and the voucher that replaced it."""

    status: str
    replaced_by: str | None = None


def state(session: Session, voucher: Voucher, now: datetime) -> State:
    replacement = aliased(Voucher)
    revoked, redeemed, replaced_by = session.execute(select(
        exists().where(Revocation.voucher_id == voucher.id),
        exists().where(Redemption.voucher_id == voucher.id, is_ride()),
        select(replacement.id).where(replacement.replaces == voucher.id).scalar_subquery(),
    )).one()
    if revoked:
        return State("revoked", replaced_by)
    if redeemed:
        return State("redeemed", replaced_by)
    return State("expired" if now >= voucher.valid_until else "issued", replaced_by)


def describe(voucher: Voucher, state: State) -> dict:
    """The voucher as the API and the CLI show it (contract fields first)."""
    return {
        "id": voucher.id,
        "short_code": codes.short_code(voucher.id),
        "code": voucher.code,
        "valid_from": format_instant(voucher.valid_from),
        "valid_until": format_instant(voucher.valid_until),
        "status": state.status,
        "holder_name": voucher.holder_name,
        "origin": voucher.origin,
        "destination": voucher.destination,
        "zone": voucher.zone,
        "fare_class": voucher.fare_class,
        "travellers": voucher.travellers,
        "return_trip": voucher.return_trip,
        "cost_center": voucher.cost_center,
        "max_fare_cents": voucher.max_fare_cents,
        "customer_ref": voucher.customer_ref,
        "appointment_at": voucher.appointment_at and format_instant(voucher.appointment_at),
        "appointment_place": voucher.appointment_place,
        "recipient_address": voucher.recipient_address,
        "external_ref": voucher.external_ref,
        "language": voucher.language,
        "letter_language": texts.resolve(voucher.language),
        "notes": [note for note in (texts.fallback_note(voucher.language),) if note],
        "replaces": voucher.replaces,
        "replaced_by": state.replaced_by,
        "kid": voucher.kid,
        "created_at": format_instant(voucher.created_at),
    }
