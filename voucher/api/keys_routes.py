"""What verifiers sync: the public trust list and the signed revocation list."""

from __future__ import annotations

from flask import Blueprint, request
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import context
from ..token import revlist
from ..services import revocation
from .auth import requires


class SinceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: int = Field(default=0, ge=0, le=2**31 - 1)
    format: Literal["entries", "compact"] = "entries"


def trust_list():
    document = context.services().keystore.trust_list().to_json()
    return document, 200, {"Cache-Control": "public, max-age=300"}


@requires("verifier")
def revocations():
    query = SinceQuery.model_validate(request.args.to_dict())
    since = query.since
    session = context.session()
    now = context.now()
    seq = revocation.current_seq(session)
    entries = revocation.entries_between(session, since, seq, now)
    _, private = context.services().keystore.signing_key(now)
    sign = revlist.sign_compact if query.format == "compact" else revlist.sign
    return sign(entries, since, seq, now, private)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/trust-list", view_func=trust_list)
    bp.add_url_rule("/revocations", view_func=revocations)
