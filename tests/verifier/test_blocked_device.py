"""A verifier device whose token was revoked says "Gerät gesperrt" after its next sync and records
no more journeys; set up with a new token it works again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.verifier.pages import check, open_page, sync
from voucher.services import clients
from voucher.store import ApiClient

pytestmark = pytest.mark.browser


def test_revoked_device_says_blocked_and_records_nothing(context, live, screenshot):
    with live.db.session() as session:
        token = clients.create_token(session, "verifier", "tablet-lost", datetime.now(UTC))
        session.commit()
    voucher = live.issue()
    page = open_page(context, live, token=token)
    assert "gesperrt" not in page.text_content("#synced")
    with live.db.session() as session:
        lost = session.scalar(select(ApiClient).where(ApiClient.name == "tablet-lost"))
        clients.revoke(session, lost, "cli", datetime.now(UTC))
        session.commit()
    sync(page, waiting_for="/api/v1/me")  # a sync asks whose token it holds first: 401
    page.wait_for_function("() => document.getElementById('synced').textContent.includes('Gerät gesperrt')")
    assert check(page, voucher["code"]) == "valid"  # the offline check still tells the driver the truth
    assert not page.is_visible("#redeem-button")
    screenshot.sizes(page, "verifier-blocked")
    page.click("#next-button")
    page.evaluate("document.getElementById('settings').open = true")
    page.fill("#token", live.tokens["verifier"])
    page.click("#settings-form button[type=submit]")
    page.wait_for_function("() => !document.getElementById('synced').textContent.includes('gesperrt')")
    assert check(page, voucher["code"]) == "valid" and page.is_visible("#redeem-button")
