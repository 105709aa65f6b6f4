"""Redemptions reported by verifier devices: re-checked, classified, stored whatever the outcome.

Devices verify offline, so the server decides again with what it knows now: the signature, the
validity window at the moment of travel (redeemed_at, not arrival time), revocations, and earlier
redemptions of the same voucher. A replayed client_id returns its first result and changes
nothing. A journey dated later than the server's clock (beyond the allowed skew) is kept with its
outcome but flagged `future_dated`: the device's clock is wrong, so its times are not evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import metrics
from ..token import format
from ..keys import TrustList
from ..schemas import RedemptionBatch, RedemptionItem
from ..store import Redemption, Revocation, Voucher
from . import audit
from .vouchers import ACCEPTED

# What the device could not know offline becomes a flag on the redemption, never a lost record.
DOUBLE_USE = "double_use"
AFTER_REVOCATION = "redeemed_after_revocation"
# The device only records what it showed as valid: a revoked voucher it redeemed was accepted
# offline before the device had the revocation. The passenger did nothing wrong.
ACCEPTED_OFFLINE = "accepted_offline"
OUTSIDE_VALIDITY = "outside_validity"
FUTURE_DATED = "future_dated"


def ingest(session: Session, batch: RedemptionBatch, trust: TrustList, actor: str, now: datetime) -> list[dict]:
    results = []
    for item in batch.redemptions:
        results.append(_result(_ingest_one(session, batch.device_id, item, trust, actor, now)))
    return results


def _result(redemption: Redemption) -> dict:
    return {"client_id": redemption.client_id, "voucher_id": redemption.voucher_id,
            "outcome": redemption.outcome, "flags": list(redemption.flags or [])}


def _ingest_one(session, device_id, item: RedemptionItem, trust, actor, now) -> Redemption:
    existing = session.scalar(select(Redemption).where(Redemption.client_id == item.client_id))
    if existing is not None:
        return existing
    voucher_id, outcome, flags = _classify(session, item, trust)
    if item.redeemed_at > now + format.CLOCK_SKEW:
        flags = [*flags, FUTURE_DATED]
    redemption = Redemption(
        client_id=item.client_id, device_id=device_id, voucher_id=voucher_id, code=item.code,
        redeemed_at=item.redeemed_at, received_at=now, location=item.location, outcome=outcome,
        flags=flags,
    )
    session.add(redemption)
    audit.record(session, actor, "redeem", now, voucher_id, client_id=item.client_id,
                 device_id=device_id, outcome=outcome, flags=flags)
    metrics.on_commit(session, metrics.REDEMPTIONS, outcome=outcome)
    try:
        session.commit()
    except IntegrityError:  # the same client_id from a concurrent request won
        session.rollback()
        return session.scalar(select(Redemption).where(Redemption.client_id == item.client_id))
    return redemption


def _classify(session: Session, item: RedemptionItem, trust: TrustList) -> tuple[str | None, str, list[str]]:
    at = item.redeemed_at
    if item.code is not None:
        try:
            voucher_id = format.verify(item.code, trust, at).claims.voucher_id
        except format.InvalidVoucher as exc:
            if exc.claims is None:
                return None, "invalid", []
            voucher_id = exc.claims.voucher_id  # signature good; window or revocation decide below
    else:
        voucher_id = item.voucher_id
    # Lock the voucher row so two concurrent batches cannot both accept its last journey.
    voucher = session.scalar(select(Voucher).where(Voucher.id == voucher_id).with_for_update())
    if voucher is None:
        return voucher_id, "unknown", []
    revoked_at = session.scalar(select(Revocation.revoked_at).where(Revocation.voucher_id == voucher.id))
    if revoked_at is not None and revoked_at <= at:
        return voucher.id, "revoked", [AFTER_REVOCATION, ACCEPTED_OFFLINE]
    if at < voucher.valid_from - format.CLOCK_SKEW:
        return voucher.id, "not_yet_valid", [OUTSIDE_VALIDITY]
    if at >= voucher.valid_until + format.CLOCK_SKEW:
        return voucher.id, "expired", [OUTSIDE_VALIDITY]
    used = session.scalar(select(func.count()).select_from(Redemption).where(
        Redemption.voucher_id == voucher.id, Redemption.outcome == ACCEPTED))
    if used >= (2 if voucher.return_trip else 1):
        return voucher.id, "duplicate", [DOUBLE_USE]
    return voucher.id, ACCEPTED, []
