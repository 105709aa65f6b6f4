"""What a verifier device's scans mean. pretix's check-in lists are the model: the device, not
the ticket, decides. A `journey` device (bus, tram, train) records rides, which use up the
voucher, are billed by the operator and can be a double use. A `reception` device (the office's
front desk) records attendances: proof of arrival at the appointment, never a ride, never
matched against an invoice, never a double use."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from ..store import Redemption

JOURNEY = "journey"
RECEPTION = "reception"
PURPOSES = (JOURNEY, RECEPTION)
ACCEPTED = "accepted"  # services/vouchers.py re-exports it


def checked(purpose: str) -> str:
    """The purpose, or ValueError naming the choices (CLI, demo and API share this check)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}: choose one of {', '.join(PURPOSES)}")
    return purpose


def is_ride() -> ColumnElement[bool]:
    """The redemptions that are rides: accepted scans of journey devices."""
    return and_(Redemption.outcome == ACCEPTED, Redemption.purpose == JOURNEY)


def is_attendance() -> ColumnElement[bool]:
    """The redemptions that are arrivals: accepted scans of reception devices."""
    return and_(Redemption.outcome == ACCEPTED, Redemption.purpose == RECEPTION)
