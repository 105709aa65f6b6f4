"""Retiring a signing key; after a compromise, re-issuing what it signed that can still be used.

A retired key signs no more but stays in the trust list, so its vouchers verify until they end.
A compromised key leaves the trust list: from their next sync verifiers refuse everything it
signed (`unknown_key`), forgeries made with the stolen key included. Every voucher it signed
that a holder can still use is re-issued under the key that signs now, through IssuingService
with `replaces`, which revokes the old voucher in the transaction that creates the new one.

Still usable: not ended, not revoked, not replaced, and a ride left. A return voucher with one
accepted journey is re-issued as a single trip for the way back (origin and destination
swapped), so the new letter gives no more rides than the old one had left; a used-up voucher is
not re-issued. Journeys that an offline device has not uploaded yet cannot be known here (the
same caveat as for any re-issue).

The retirement is safe to run again, e.g. after a crash midway: the trust list is changed once,
each chunk of re-issues commits on its own, only vouchers not yet replaced are re-issued, and
the letters are those of every still-valid voucher re-issued for this key by any run (they carry
the key's compromise as their creator), so no letter of an earlier, interrupted run is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from ..config import Settings
from ..keys import KeyStore, Retired, TrustedKey
from ..schemas import IssueRequest, error_summary
from ..store import Redemption, Revocation, Voucher
from . import audit
from .errors import NotFound
from .issuing import IssuingService
from .purposes import is_ride

ACTION = "key_retire"
REISSUER = "key-compromise"  # the actor kind of re-issues after a compromise (counter/words.who)


def reissue_actor(kid: str) -> str:
    """Who re-issued a compromised key's vouchers: the procedure, named with the key. Also how
    a later run finds every voucher re-issued for that key (their created_by)."""
    return f"{REISSUER}:{kid}"


@dataclass
class Retirement:
    kid: str
    change: Retired
    new_key: TrustedKey | None = None  # made because no other key could sign
    reissued: int = 0  # by this run
    way_back: int = 0  # of those, return vouchers half used: a single trip back
    failed: list[tuple[str, str]] = field(default_factory=list)  # (old voucher id, why)
    warnings: list[str] = field(default_factory=list)
    letters: list[Voucher] = field(default_factory=list)  # every still-valid re-issue for the key, by any run


def retire(session: Session, keystore: KeyStore, settings: Settings, kid: str, now: datetime,
           actor: str, compromised: bool = False) -> Retirement:
    """Retire `kid` (and with `compromised` drop it and re-issue its usable vouchers). Raises
    NotFound for a key neither the trust list nor any voucher knows. Commits."""
    before = keystore.signer(now)
    change = keystore.retire(kid, now, drop=compromised)
    if change is Retired.ABSENT and not session.scalar(select(exists().where(Voucher.kid == kid))):
        raise NotFound(f"no key {kid}: it is not in the trust list and signed no voucher")
    outcome = Retirement(kid, change)
    # Never leave the service unable to issue, nor hand signing back to a key a rotation replaced.
    if keystore.signer(now) is None or (before is not None and before.kid == kid):
        outcome.new_key = keystore.rotate(settings.issuer, now, settings.key_lifetime)
    audit.record(session, actor, ACTION, now, kid=kid, compromised=compromised, change=str(change),
                 new_key=outcome.new_key.kid if outcome.new_key else None)
    session.commit()
    if compromised:
        _reissue(session, keystore, settings, outcome, now)
        outcome.letters = _reissued(session, kid, now)
    return outcome


def _reissue(session: Session, keystore: KeyStore, settings: Settings, outcome: Retirement, now: datetime) -> None:
    requests: list[IssueRequest] = []
    way_back: set[str] = set()
    for voucher, used in _usable(session, outcome.kid, now):
        if voucher.return_trip and used == 1:
            way_back.add(voucher.id)
        try:
            requests.append(_request(voucher, voucher.id in way_back, settings.timezone))
        except ValidationError as exc:  # stored before a rule it breaks existed
            outcome.failed.append((voucher.id, error_summary(exc)))
    results = IssuingService(session, keystore, settings).issue_many(requests, reissue_actor(outcome.kid), now)
    for request, result in zip(requests, results, strict=True):
        if result.error is not None:
            assert request.replaces is not None  # _request names the voucher it replaces
            outcome.failed.append((request.replaces, result.error.detail))
            continue
        outcome.reissued += result.created
        outcome.way_back += result.created and request.replaces in way_back
        outcome.warnings += result.warnings


def _still_valid(now: datetime) -> tuple:
    """Not ended, not revoked, not replaced (a replaced voucher is revoked too; both are said)."""
    replacement = aliased(Voucher)
    return (Voucher.valid_until > now, ~exists().where(Revocation.voucher_id == Voucher.id),
            ~exists().where(replacement.replaces == Voucher.id))


def _usable(session: Session, kid: str, now: datetime) -> list[tuple[Voucher, int]]:
    """Still-valid vouchers signed by `kid` with a ride left, and their accepted journeys."""
    journeys = (select(func.count()).select_from(Redemption)
                .where(Redemption.voucher_id == Voucher.id, is_ride()).scalar_subquery())
    rows = session.execute(select(Voucher, journeys).where(Voucher.kid == kid, *_still_valid(now))
                           .order_by(Voucher.valid_from, Voucher.id)).all()
    return [(voucher, used) for voucher, used in rows if used < (2 if voucher.return_trip else 1)]


def _request(voucher: Voucher, way_back: bool, tz: ZoneInfo) -> IssueRequest:
    """The same voucher again, replacing it; for the way back only, a single trip reversed."""
    return IssueRequest.model_validate({
        "holder_name": voucher.holder_name, "valid_from": voucher.valid_from, "valid_until": voucher.valid_until,
        "zone": voucher.zone,
        "origin": voucher.destination if way_back else voucher.origin,
        "destination": voucher.origin if way_back else voucher.destination,
        "fare_class": voucher.fare_class, "travellers": voucher.travellers,
        "return_trip": voucher.return_trip and not way_back,
        "cost_center": voucher.cost_center, "max_fare_cents": voucher.max_fare_cents,
        "customer_ref": voucher.customer_ref, "appointment_at": voucher.appointment_at,
        "appointment_place": voucher.appointment_place, "recipient_address": voucher.recipient_address,
        "language": voucher.language, "replaces": voucher.id,
    }, context={"tz": tz})


def _reissued(session: Session, kid: str, now: datetime) -> list[Voucher]:
    """Every still-valid voucher re-issued for the compromise of `kid`, soonest first."""
    return list(session.scalars(select(Voucher).where(Voucher.created_by == reissue_actor(kid), *_still_valid(now))
                                .order_by(Voucher.valid_from, Voucher.id)))
