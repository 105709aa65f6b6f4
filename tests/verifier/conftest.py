"""A live server on 127.0.0.1 (a secure context, so WebCrypto Ed25519 works) with its own
SQLite database and development key, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from werkzeug.serving import make_server

from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.services import clients

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def office_today() -> date:
    """Today in the office's time zone (the server's default), which is what a date means."""
    return datetime.now(ZoneInfo("Europe/Berlin")).date()


@dataclass
class Live:
    url: str
    app: Flask
    db: Database
    tokens: dict[str, str]

    def auth(self, role: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def issue(self, **changes) -> dict:
        """Issue a voucher valid today through the real route."""
        from tests.conftest import voucher_request

        today = office_today().isoformat()
        body = voucher_request(valid_from=today, valid_until=today, **changes)
        response = self.app.test_client().post("/api/v1/vouchers", json=body, headers=self.auth("issuer"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("verifier")
    settings = Settings(data_dir=folder, keys_dir=folder / "keys")
    db = Database(settings.database)
    db.upgrade()
    KeyStore(settings.keys_dir).init("Jobcenter Test", datetime.now(UTC) - timedelta(days=1), timedelta(days=730))
    with db.session() as session:
        tokens = {role: clients.create_token(session, role, f"live-{role}", datetime.now(UTC)) for role in clients.ROLES}
        session.commit()
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{httpd.server_port}", app, db, tokens)
    httpd.shutdown()
    thread.join(timeout=10)
    db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow")
    yield context
    context.close()


@pytest.fixture
def page(context, live):
    """A page of the server's origin, to import the verifier's modules from."""
    page = context.new_page()
    page.goto(live.url + "/api/v1/trust-list")
    return page


@pytest.fixture
def screenshot(tmp_path):
    """screenshot(page, "name.png"): into docs/ when VOUCHER_SCREENSHOTS=1 (to refresh the
    README's pictures), else into the test's temporary folder, so a test run leaves the tree clean."""
    folder = DOCS if os.environ.get("VOUCHER_SCREENSHOTS") == "1" else tmp_path

    def take(page, name: str, **options) -> Path:
        path = folder / name
        page.screenshot(path=str(path), **options)
        return path

    return take
