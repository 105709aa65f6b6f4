"""The verifier's tests run on the shared live server and Chromium (tests/live_server.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def page(context, live):
    """A page of the server's origin, to import the verifier's modules from."""
    page = context.new_page()
    page.goto(live.url + "/api/v1/trust-list")
    return page
