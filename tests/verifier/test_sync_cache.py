"""The verifier page's polls cost a 304 when nothing changed (ETag revalidation)."""

from __future__ import annotations

import logging

import pytest

from tests.verifier.test_page import open_page, sync

pytestmark = pytest.mark.browser


def test_a_sync_with_nothing_new_is_answered_304(context, live, caplog):
    page = open_page(context, live)  # enrolling syncs once
    with caplog.at_level(logging.INFO, logger="voucher.requests"):
        sync(page)
    statuses = {r.route: r.status for r in caplog.records if r.name == "voucher.requests"}
    assert statuses["/api/v1/revocations"] == 304 and statuses["/api/v1/trust-list"] == 304
    assert "Sperrliste:" in page.text_content("#revocation-age")
