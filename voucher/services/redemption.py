"""Redemptions reported by verifier devices: re-checked, classified, stored whatever the outcome.

Devices verify offline, so the server decides again with what it knows now: the signature, the
validity window at the moment of travel (redeemed_at, not arrival time), revocations, and earlier
redemptions of the same voucher. A replayed client_id returns its first result and changes
nothing. A journey dated later than the server's clock (beyond the allowed skew) is kept with its
outcome but flagged `future_dated`: the device's clock is wrong, so its times are not evidence.

What a scan means is the device's purpose (services/purposes.py): a journey device's accepted
scan is a ride; a reception device's is an attendance, which uses up nothing, so it is never a
double use and carries no journey finding.

Rides are ordered by when they were made, not when they arrived: of the rides on a voucher the
earliest `allowed` (one, two for a return trip) count and any later one is the double use. A ride
that arrives late but was made before a counted one takes its place, and the later one is
re-classified `duplicate` (logged as `reclassify`).

Once a production key exists, what a development key signed is a test: `invalid`, flagged
`test_key`, stored, never billable, whether scanned or typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import metrics
from ..config import Settings
from ..keys import TrustList
from ..schemas import RedemptionBatch, RedemptionItem
from ..store import Redemption, Revocation, Voucher
from ..timefmt import format_local
from ..token import format
from . import audit
from .purposes import JOURNEY, RECEPTION, is_ride
from .vouchers import ACCEPTED

# What the device could not know offline becomes a flag on the redemption, never a lost record.
DOUBLE_USE = "double_use"
AFTER_REVOCATION = "redeemed_after_revocation"
# The device only records what it showed as valid: a revoked voucher it redeemed was accepted
# offline before the device had the revocation. The passenger did nothing wrong.
ACCEPTED_OFFLINE = "accepted_offline"
OUTSIDE_VALIDITY = "outside_validity"
FUTURE_DATED = "future_dated"
TEST_KEY = "test_key"
# Backdating (_backdated, and late uploads): for finance to decide, never silently billable.
LATE_UPLOAD = "late_upload"
BEFORE_REVOCATION_AFTER_SYNC = "dated_before_revocation_after_sync"
# Flags about rides: a reception scan never carries them.
JOURNEY_FLAGS = (DOUBLE_USE, AFTER_REVOCATION, ACCEPTED_OFFLINE, OUTSIDE_VALIDITY, LATE_UPLOAD,
                 BEFORE_REVOCATION_AFTER_SYNC)


@dataclass(frozen=True)
class Device:
    """The scanning device as the server knows it: its purpose and when it last fetched the
    revocation list (None: never, or not recorded)."""

    purpose: str = JOURNEY
    revocations_fetched_at: datetime | None = None


@dataclass(frozen=True)
class Rules:
    """The office's settings that classification needs."""

    late_upload: timedelta = Settings.model_fields["late_upload"].default
    tz: tzinfo = UTC


def ingest(session: Session, batch: RedemptionBatch, trust: TrustList, actor: str, now: datetime,
           device: Device = Device(), rules: Rules = Rules()) -> list[dict]:
    return [result(session, _ingest_one(session, batch.device_id, item, trust, actor, now, device, rules), rules.tz)
            for item in batch.redemptions]


def result(session: Session, redemption: Redemption, tz: tzinfo) -> dict:
    """The redemption as the device is told: for a double use the ride that counts
    (`first_use`), for a reception scan the attendance and its appointment."""
    out: dict[str, Any] = {"client_id": redemption.client_id, "voucher_id": redemption.voucher_id, "outcome": redemption.outcome,
           "flags": list(redemption.flags or []), "purpose": redemption.purpose}
    if redemption.purpose == RECEPTION:
        voucher = session.get(Voucher, redemption.voucher_id) if redemption.voucher_id else None
        out["attendance"] = {
            "arrived_at": format_local(redemption.redeemed_at, tz),
            "appointment_at": voucher and voucher.appointment_at and format_local(voucher.appointment_at, tz),
            "appointment_place": voucher and voucher.appointment_place,
        }
    elif redemption.outcome == "duplicate" or DOUBLE_USE in out["flags"]:
        first = session.scalar(select(Redemption).where(Redemption.voucher_id == redemption.voucher_id, is_ride())
                               .order_by(Redemption.redeemed_at, Redemption.id).limit(1))
        if first is not None:
            out["first_use"] = {"redeemed_at": format_local(first.redeemed_at, tz), "location": first.location or ""}
    return out


def _ingest_one(session, device_id, item: RedemptionItem, trust, actor, now, device: Device, rules: Rules) -> Redemption:
    existing = session.scalar(select(Redemption).where(Redemption.client_id == item.client_id))
    if existing is not None:
        return existing
    voucher_id, outcome, flags, demoted = _classify(session, item, trust, device)
    if item.redeemed_at > now + format.CLOCK_SKEW:
        flags = [*flags, FUTURE_DATED]
    elif outcome == ACCEPTED and device.purpose == JOURNEY and now - item.redeemed_at > rules.late_upload:
        flags = [*flags, LATE_UPLOAD]  # only a ride that would be paid needs finance's eye
    redemption = Redemption(
        client_id=item.client_id, device_id=device_id, voucher_id=voucher_id, code=item.code,
        redeemed_at=item.redeemed_at, received_at=now, location=item.location, outcome=outcome,
        flags=flags, purpose=device.purpose,
    )
    session.add(redemption)
    audit.record(session, actor, "redeem", now, voucher_id, client_id=item.client_id,
                 device_id=device_id, outcome=outcome, flags=flags, purpose=device.purpose)
    metrics.on_commit(session, metrics.REDEMPTIONS, outcome=outcome)
    if demoted is not None:
        audit.record(session, actor, "reclassify", now, voucher_id, client_id=demoted.client_id,
                     outcome=demoted.outcome, flags=list(demoted.flags), earlier_ride=item.client_id)
    try:
        session.commit()
    except IntegrityError:  # the same client_id from a concurrent request won
        session.rollback()
        return session.scalar(select(Redemption).where(Redemption.client_id == item.client_id))
    return redemption


def _classify(session: Session, item: RedemptionItem, trust: TrustList,
              device: Device) -> tuple[str | None, str, list[str], Redemption | None]:
    """(voucher id, outcome, flags, the ride this one displaced as a double use or None)."""
    at = item.redeemed_at
    voucher_id: str | None
    if item.code is not None:
        try:
            verified = format.verify(item.code, trust, at)
            voucher_id, kid = verified.claims.voucher_id, verified.key.kid
        except format.InvalidVoucher as exc:
            if exc.claims is None:
                return None, "invalid", [], None
            # signature good; window or revocation decide below
            voucher_id, kid = exc.claims.voucher_id, exc.claims.kid
    else:
        voucher_id, kid = item.voucher_id, None
    # Lock the voucher row so two concurrent batches cannot both accept its last journey.
    voucher = session.scalar(select(Voucher).where(Voucher.id == voucher_id).with_for_update())
    if trust.test_key(kid or (voucher.kid if voucher is not None else "")):
        return voucher_id, "invalid", [TEST_KEY], None
    if voucher is None:
        return voucher_id, "unknown", [], None
    outcome, flags, demoted = _judge(session, voucher, at, device)
    if device.purpose == RECEPTION:
        flags = [f for f in flags if f not in JOURNEY_FLAGS]
    return voucher.id, outcome, flags, demoted


def _judge(session: Session, voucher: Voucher, at: datetime, device: Device) -> tuple[str, list[str], Redemption | None]:
    revoked_at = session.scalar(select(Revocation.revoked_at).where(Revocation.voucher_id == voucher.id))
    if revoked_at is not None and revoked_at <= at:
        return "revoked", [AFTER_REVOCATION, ACCEPTED_OFFLINE], None
    if at < voucher.valid_from - format.CLOCK_SKEW:
        return "not_yet_valid", [OUTSIDE_VALIDITY], None
    if at >= voucher.valid_until + format.CLOCK_SKEW:
        return "expired", [OUTSIDE_VALIDITY], None
    backdated = _backdated(revoked_at, device)
    if device.purpose == RECEPTION:
        return ACCEPTED, [], None
    rides = list(session.scalars(select(Redemption).where(Redemption.voucher_id == voucher.id, is_ride())
                                 .order_by(Redemption.redeemed_at, Redemption.id)))
    if len(rides) < (2 if voucher.return_trip else 1):
        return ACCEPTED, backdated, None
    if rides[-1].redeemed_at <= at:
        return "duplicate", [DOUBLE_USE, *backdated], None
    # This ride was made before the last counted one: it counts, and that one is the double use.
    latest = rides[-1]
    latest.outcome, latest.flags = "duplicate", [DOUBLE_USE, *(latest.flags or [])]
    return ACCEPTED, backdated, latest


def _backdated(revoked_at: datetime | None, device: Device) -> list[str]:
    """A ride dated before the voucher's revocation (else it would be `revoked`) from a device
    that had fetched the revocation list after the revocation: the device knew, or its clock
    was set back. Reported, not refused: finance decides."""
    if revoked_at is not None and device.revocations_fetched_at is not None and device.revocations_fetched_at > revoked_at:
        return [BEFORE_REVOCATION_AFTER_SYNC]
    return []
