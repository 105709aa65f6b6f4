"""Redemption sync from verifier devices."""

from __future__ import annotations

from flask import Blueprint, g

from .. import context
from ..schemas import RedemptionBatch
from ..services import clients, redemption
from .auth import actor, requires
from .vouchers import json_body


@requires("verifier")
def sync_redemptions():
    batch = RedemptionBatch.model_validate(json_body())
    trust = context.services().keystore.trust_list()
    clients.learn_device(context.session(), g.client, batch.device_id)
    return {"results": redemption.ingest(context.session(), batch, trust, actor(), context.now())}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/redemptions", view_func=sync_redemptions, methods=["POST"])
