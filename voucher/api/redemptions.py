"""Redemption sync from verifier devices."""

from __future__ import annotations

from flask import Blueprint, g

from .. import context
from ..schemas import RedemptionBatch
from ..services import clients, devices, redemption
from .auth import actor, requires
from .vouchers import json_body


@requires("verifier")
def sync_redemptions():
    batch = RedemptionBatch.model_validate(json_body())
    services = context.services()
    session = context.session()
    clients.learn_device(session, g.client, batch.device_id)
    rules = redemption.Rules(services.settings.late_upload, services.settings.timezone)
    return {"results": redemption.ingest(session, batch, services.keystore.trust_list(), actor(), context.now(),
                                         devices.device(session, g.client), rules)}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/redemptions", view_func=sync_redemptions, methods=["POST"])
