"""What verifiers sync: the public trust list and the signed revocation list.

Thousands of devices poll both every minute, and most polls find nothing new: each response
carries an ETag, and a request whose If-None-Match names the current version is answered 304
before any list is built. A revocation list is signed as of the start of its GENERATION window
(its `generated_at`), so within a window the same (since, seq) gives the same bytes on every
host; a new revocation changes `seq` and so the ETag at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from .. import context
from ..services import devices, revocation
from ..token import revlist
from .auth import requires

GENERATION = timedelta(minutes=10)  # how old a revocation list's generated_at may be when served


class SinceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: int = Field(default=0, ge=0, le=2**31 - 1)
    format: Literal["entries", "compact"] = "entries"


def _conditional(tag: str, cache_control: str, build: Callable[[], dict]) -> Response:
    """304 when the client already holds this version (If-None-Match), else the document."""
    response = Response(status=304) if request.if_none_match.contains(tag) else jsonify(build())
    response.set_etag(tag)
    response.headers["Cache-Control"] = cache_control
    return response


def trust_list():
    services = context.services()
    trust = services.keystore.trust_list()  # the same object until trust.json changes
    published = current_app.extensions.get("voucher.trust_list")
    if published is None or published[0] is not trust:
        document = trust.published_json(services.settings.trust_max_age, services.settings.timezone.key)
        tag = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:32]
        published = current_app.extensions["voucher.trust_list"] = (trust, document, tag)
    _, document, tag = published
    # Public, but revalidated on every use: a key dropped after a compromise must not linger.
    return _conditional(tag, "public, no-cache", lambda: document)


@requires("verifier")
def revocations():
    query = SinceQuery.model_validate(request.args.to_dict())
    session = context.session()
    now = context.now()
    seq = revocation.current_seq(session)
    key, private = context.services().keystore.signing_key(now)
    generated = _generation_start(now)
    tag = f"revocations-{query.format}-{query.since}-{seq}-{key.kid}-{int(generated.timestamp())}"
    devices.record_revocation_fetch(session, g.client.id, now)  # a 304 too: the device holds the list

    def build() -> dict:
        entries = revocation.entries_between(session, query.since, seq, generated)
        sign = revlist.sign_compact if query.format == "compact" else revlist.sign
        return sign(entries, query.since, seq, generated, private)

    return _conditional(tag, "private, no-cache", build)


def _generation_start(now: datetime) -> datetime:
    epoch = int(now.timestamp()) // int(GENERATION.total_seconds()) * int(GENERATION.total_seconds())
    return datetime.fromtimestamp(epoch, UTC)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/trust-list", view_func=trust_list)
    bp.add_url_rule("/revocations", view_func=revocations)
