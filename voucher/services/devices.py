"""Verifier devices as redemption classification sees them: the purpose they were enrolled for,
and when each last fetched the revocation list (the evidence that it knew of a revocation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..store import ApiClient
from .clients import Caller
from .redemption import Device

# Devices poll every minute: one write per device per this interval is enough evidence.
FETCH_RESOLUTION = timedelta(seconds=60)


def record_revocation_fetch(session: Session, client_id: int, now: datetime) -> None:
    """Note that the device fetched the revocation list now; commits. At most one write per
    FETCH_RESOLUTION, so thousands of polling devices do not each write every request."""
    session.execute(update(ApiClient).where(
        ApiClient.id == client_id,
        or_(ApiClient.revocations_fetched_at.is_(None), ApiClient.revocations_fetched_at <= now - FETCH_RESOLUTION),
    ).values(revocations_fetched_at=now))
    session.commit()


def device(session: Session, caller: Caller) -> Device:
    """The calling device, with its last revocation fetch read fresh."""
    fetched = session.scalar(select(ApiClient.revocations_fetched_at).where(ApiClient.id == caller.id))
    return Device(caller.purpose, fetched)
