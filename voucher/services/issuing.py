"""Issuing vouchers: validate, sign, store, and on re-issue revoke the voucher replaced.

One path serves a single request, an API batch, a CSV letter batch and a mass re-issue:
`issue_many` takes requests in chunks, looks up in one query per chunk what they refer to
(earlier vouchers with the same reference, vouchers to replace), signs each voucher and writes the
chunk with one bulk INSERT per table in one transaction.

The contract, per request: a repeated reference returns the first voucher; the same reference
with different content is a Conflict, never a second voucher; a re-issue revokes the old voucher
in the transaction that creates the new one, and a voucher is replaced at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, configure_mappers

from .. import metrics
from ..config import Settings
from ..db import insert_rows
from ..keys import KeyStore, TrustedKey
from ..schemas import IssueRequest, as_local
from ..store import Redemption, Revocation, Voucher
from ..store.vouchers import holder_key
from ..token import codes, format
from . import audit, revocation
from .errors import Conflict, NotFound, Rejected, ServiceError
from .purposes import is_ride

SigningKey = tuple[TrustedKey, Ed25519PrivateKey]
CHUNK = 500  # requests per transaction: amortises lookups and commit (200: a tenth slower), locks for ~0.1 s


@dataclass(frozen=True)
class Result:
    """What became of one request: its voucher (new, or the one its reference already named) and
    any warnings, or the error that refused it."""

    voucher: Voucher | None = None
    created: bool = False
    warnings: tuple[str, ...] = ()
    error: ServiceError | None = None


@dataclass
class _Chunk:
    """What a chunk's requests refer to, read with one query per kind."""

    earlier: dict[str, Voucher]  # by external_ref
    old: dict[str, Voucher]  # vouchers named in `replaces`, by id
    replaced: set[str]  # of those, the ones already replaced
    revoked: set[str]  # of those, the ones already revoked
    journeys: dict[str | None, int]  # accepted journeys per voucher named in `replaces`


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
    ) -> Result:
        """One request; raises the ServiceError that refuses it. An Idempotency-Key header
        acts as the request's external_ref."""
        if idempotency_key and request.external_ref and idempotency_key != request.external_ref:
            raise Rejected("Idempotency-Key and external_ref differ: send one of them")
        if idempotency_key:
            request = request.model_copy(update={"external_ref": idempotency_key})
        (result,) = self.issue_many([request], actor, now)
        if result.error is not None:
            raise result.error
        return result

    def issue_many(
        self,
        requests: Sequence[IssueRequest],
        actor: str,
        now: datetime,
        progress: Callable[[int], None] = lambda n: None,
    ) -> list[Result]:
        """One Result per request, in order. A refused request refuses only itself; each chunk
        of CHUNK requests is committed on its own, so an interrupted run can be repeated."""
        results: list[Result] = []
        for start in range(0, len(requests), CHUNK):
            chunk = requests[start : start + CHUNK]
            results += self._commit(chunk, actor, now)
            progress(len(chunk))
        return results

    def _commit(self, requests: Sequence[IssueRequest], actor: str, now: datetime, retry: bool = True) -> list[Result]:
        try:
            results = self._write(requests, actor, now)
            self.session.commit()
            return results
        except IntegrityError:
            # A concurrent request with the same reference (or replacing the same voucher) won.
            # One by one, each request then finds the winner, or the conflict that refuses it.
            self.session.rollback()
        if len(requests) > 1:
            return [result for request in requests for result in self._commit([request], actor, now)]
        if retry:
            return self._commit(requests, actor, now, retry=False)
        return [Result(error=Conflict("a concurrent request issued or replaced the same voucher; try again"))]

    def _write(self, requests: Sequence[IssueRequest], actor: str, now: datetime) -> list[Result]:
        """Sign and insert the chunk's new vouchers, revoke the ones they replace; no commit."""
        configure_mappers()  # _voucher() skips the constructor, which would do this
        known = self._lookup(requests)
        key = self.keystore.signing_key(now)
        new: dict[str, Voucher] = {}  # made in this chunk, by external_ref
        rows: list[dict] = []
        revoke: dict[str, str] = {}
        results = []
        issued: list[tuple[Voucher, Result]] = []
        for request in requests:
            try:
                result = self._one(request, known, new, key, actor, now)
            except ServiceError as exc:
                result = Result(error=exc)
            if result.created:
                voucher = result.voucher
                assert voucher is not None  # a created result has its voucher
                issued.append((voucher, result))
                rows.append({name: voucher.__dict__[name] for name in _COLUMNS})
                old = voucher.replaces
                if old is not None and old not in known.revoked:
                    revoke[old] = f"{revocation.REPLACED_BY}{voucher.id}"
            results.append(result)
        if rows:
            insert_rows(self.session, cast(Table, Voucher.__table__), rows)
            metrics.on_commit(self.session, metrics.ISSUED, len(rows))
            audit.record_many(self.session, [
                audit.Event(actor, "issue", now, v.id, _issue_detail(v, r)) for v, r in issued])
        if revoke:
            revocation.revoke_new(self.session, revoke, actor, now)
        return results

    def _lookup(self, requests: Sequence[IssueRequest]) -> _Chunk:
        refs = {r.external_ref for r in requests if r.external_ref}
        earlier: dict[str, Voucher] = {cast(str, v.external_ref): v for v in self.session.scalars(  # in refs: not None
            select(Voucher).where(Voucher.external_ref.in_(refs)))} if refs else {}
        ids = {r.replaces for r in requests if r.replaces} | {v.replaces for v in earlier.values() if v.replaces}
        if not ids:
            return _Chunk(earlier, {}, set(), set(), {})
        session = self.session
        return _Chunk(
            earlier=earlier,
            old={v.id: v for v in session.scalars(select(Voucher).where(Voucher.id.in_(ids)))},
            replaced=set(session.scalars(select(Voucher.replaces).where(Voucher.replaces.in_(ids)))),
            revoked=set(session.scalars(select(Revocation.voucher_id).where(Revocation.voucher_id.in_(ids)))),
            journeys=dict(session.execute(
                select(Redemption.voucher_id, func.count()).where(
                    Redemption.voucher_id.in_(ids), is_ride())
                .group_by(Redemption.voucher_id)).all()),
        )

    def _one(self, request: IssueRequest, known: _Chunk, new: dict[str, Voucher], key: SigningKey,
             actor: str, now: datetime) -> Result:
        ref = request.external_ref
        if ref in known.earlier or ref in new:
            voucher = known.earlier.get(ref) or new[ref]
            if voucher.request_hash != request.fingerprint():
                raise Conflict(f"reference {ref!r} was already used for a different voucher ({voucher.id})")
            return Result(voucher, created=False, warnings=_warnings(voucher.replaces, known))
        start, end = request.window(self.settings.timezone)
        if end <= now:
            raise Rejected("valid_until is in the past: the voucher could never be used")
        old = request.replaces
        if old is not None:
            if old not in known.old:
                raise NotFound(f"no voucher with id {old}")
            if old in known.replaced:
                raise Conflict(f"voucher {old} has already been replaced")
        voucher = self._sign(request, start, end, key, actor, now)
        if old is not None:
            known.replaced.add(old)
        if ref:
            new[ref] = voucher
        return Result(voucher, created=True, warnings=_warnings(old, known))

    def _sign(self, request: IssueRequest, start: datetime, end: datetime, signing: SigningKey,
              actor: str, now: datetime) -> Voucher:
        key, private = signing
        if end > key.not_after:
            raise Rejected(f"signing key {key.kid} expires before valid_until: rotate keys first")
        tz = self.settings.timezone
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
        return _voucher(
            id=claims.voucher_id,
            kid=key.kid,
            code=format.encode(claims, private),
            holder_name=claims.holder_name,
            holder_key=holder_key(claims.holder_name),
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
            external_ref=request.external_ref,
            request_hash=request.fingerprint(),
            language=request.language,
            replaces=request.replaces,
            created_at=now,
            created_by=actor,
            anonymized_at=None,
        )


_COLUMNS = tuple(column.key for column in Voucher.__table__.columns)


def _voucher(**row) -> Voucher:
    """A Voucher object holding exactly `row` (every column), made the way the ORM makes the
    objects it loads: the mapped constructor's attribute events cost more than the signature."""
    voucher = Voucher.__mapper__.class_manager.new_instance()
    voucher.__dict__.update(row)
    return voucher


def _warnings(old: str | None, known: _Chunk) -> tuple[str, ...]:
    """A re-issue of a voucher already travelled on: allowed (a lost return ticket), but someone
    should look, since both journeys may be billed."""
    used = known.journeys.get(old, 0) if old else 0
    if not used:
        return ()
    return (f"voucher {old} was already used for {used} journey(s) before this re-issue: "
            "check that the trip is not paid twice",)


def _issue_detail(voucher: Voucher, result: Result) -> dict:
    detail: dict = {"replaces": voucher.replaces}
    if result.warnings:
        detail["warnings"] = list(result.warnings)
    return detail
