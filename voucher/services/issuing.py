"""Issuing vouchers: validate, sign, store, and on re-issue revoke the voucher replaced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..token import codes, format
from ..config import Settings
from ..keys import KeyStore
from ..schemas import IssueRequest, as_local
from ..store import Voucher
from . import audit, revocation
from .errors import Conflict, Rejected
from .vouchers import get


class IssuingService:
    def __init__(self, session: Session, keystore: KeyStore, settings: Settings):
        self.session = session
        self.keystore = keystore
        self.settings = settings

    def issue(
        self,
        request: IssueRequest,
        actor: str,
        now: datetime,
        idempotency_key: str | None = None,
    ) -> tuple[Voucher, bool]:
        """The voucher and whether it is new. A repeated key returns the first voucher; the
        same key with different content is a Conflict, never a second voucher."""
        if idempotency_key and request.external_ref and idempotency_key != request.external_ref:
            raise Rejected("Idempotency-Key and external_ref differ: send one of them")
        ref = request.external_ref or idempotency_key or None
        earlier = self._earlier(ref, request)
        if earlier is not None:
            return earlier, False
        try:
            voucher = self._create(request, ref, actor, now)
            self.session.commit()
        except IntegrityError:
            # A concurrent request with the same reference (or replacing the same voucher) won.
            self.session.rollback()
            earlier = self._earlier(ref, request)
            if earlier is not None:
                return earlier, False
            raise Conflict(f"voucher {request.replaces} has already been replaced") from None
        return voucher, True

    def _earlier(self, ref: str | None, request: IssueRequest) -> Voucher | None:
        if ref is None:
            return None
        voucher = self.session.scalar(select(Voucher).where(Voucher.external_ref == ref))
        if voucher is not None and voucher.request_hash != request.fingerprint():
            raise Conflict(
                f"reference {ref!r} was already used for a different voucher ({voucher.id})"
            )
        return voucher

    def _create(self, request: IssueRequest, ref: str | None, actor: str, now: datetime) -> Voucher:
        tz = self.settings.timezone
        start, end = request.window(tz)
        if end <= now:
            raise Rejected("valid_until is in the past: the voucher could never be used")
        old = get(self.session, request.replaces) if request.replaces else None
        if old is not None and self.session.scalar(
            select(Voucher.id).where(Voucher.replaces == old.id)
        ):
            raise Conflict(f"voucher {old.id} has already been replaced")
        key, private = self.keystore.signing_key(now)
        if end > key.not_after:
            raise Rejected(
                f"signing key {key.kid} expires before valid_until: rotate keys first"
            )
        claims = format.Claims(
            voucher_id=codes.id_to_text(codes.new_id_bytes()),
            kid=key.kid,
            valid_from=start,
            valid_until=end,
            holder_name=request.holder_name,
            office=self.settings.office_code,
            fare_class=request.fare_class,
            travellers=request.travellers,
            return_trip=request.return_trip,
            zone=request.zone,
            origin=request.origin if request.zone is None else None,
            destination=request.destination if request.zone is None else None,
        )
        voucher = Voucher(
            id=claims.voucher_id,
            kid=key.kid,
            code=format.encode(claims, private),
            holder_name=claims.holder_name,
            valid_from=start,
            valid_until=end,
            zone=claims.zone,
            origin=claims.origin,
            destination=claims.destination,
            fare_class=claims.fare_class,
            travellers=claims.travellers,
            return_trip=claims.return_trip,
            office=claims.office,
            cost_center=request.cost_center,
            max_fare_cents=request.max_fare_cents,
            customer_ref=request.customer_ref,
            appointment_at=request.appointment_at and as_local(request.appointment_at, tz, 0),
            appointment_place=request.appointment_place,
            recipient_address=request.recipient_address,
            external_ref=ref,
            request_hash=request.fingerprint(),
            language=request.language,
            replaces=old.id if old else None,
            created_at=now,
            created_by=actor,
        )
        self.session.add(voucher)
        audit.record(self.session, actor, "issue", now, voucher.id, replaces=voucher.replaces)
        if old is not None:
            revocation.revoke(self.session, old.id, f"replaced by {voucher.id}", actor, now)
        return voucher
