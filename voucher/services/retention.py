"""Retention: some time after a voucher's journey is over and reconciled, the holder's name and
everything else personal is erased, the free-text reason it was cancelled for included (caseworkers
write health matters there); ids, dates, routes, cost centres and amounts stay, so the figures
still add up. Scans that could not be linked to a voucher of ours keep only their outcome once
they are as old: their QR text holds a holder's name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from ..store import Redemption, Revocation, Voucher
from . import audit


def anonymize_closed(session: Session, keep: timedelta, actor: str, now: datetime) -> int:
    """Erase personal data of vouchers whose validity ended more than `keep` ago; returns how many."""
    ids = list(session.scalars(select(Voucher.id).where(
        Voucher.valid_until < now - keep, Voucher.anonymized_at.is_(None))))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(update(Voucher).where(Voucher.id.in_(chunk)).values(
            holder_name="", holder_key="", customer_ref=None, recipient_address=None, appointment_place=None,
            code="", anonymized_at=now))
        # The QR text of a redemption repeats the holder's name.
        session.execute(update(Redemption).where(Redemption.voucher_id.in_(chunk)).values(code=None))
        session.execute(update(Revocation).where(Revocation.voucher_id.in_(chunk)).values(reason=""))
    unlinked = cast(CursorResult[Any], session.execute(update(Redemption).where(
        Redemption.received_at < now - keep, Redemption.code.is_not(None),  # a device's clock may be wrong
        or_(Redemption.voucher_id.is_(None), Redemption.voucher_id.not_in(select(Voucher.id)))).values(code=None))).rowcount
    if ids or unlinked:
        audit.record(session, actor, "anonymize", now, None, vouchers=len(ids), unlinked_scans=unlinked, kept_days=keep.days)
    session.commit()
    return len(ids)
