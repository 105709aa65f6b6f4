"""A live server on 127.0.0.1 (a secure context, so WebCrypto Ed25519 works) with its own
SQLite database and development key, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from werkzeug.serving import make_server

from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore, TrustList
from voucher.services import clients
from voucher.token import format as token_format

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[2] / "docs"
DEVICES = {"phone": {"width": 412, "height": 915}, "tablet": {"width": 800, "height": 1280}}
PASSPHRASE = "verifier tests"  # a production key: its vouchers are tickets, unlike a development key's
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class Live:
    url: str
    app: Flask
    db: Database
    tokens: dict[str, str]
    development_key: KeyStore  # its key is in the server's trust list, marked development

    def auth(self, role: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def issue(self, **changes) -> dict:
        """Issue a voucher valid today (in the office's time zone) through the real route."""
        from tests.conftest import voucher_request

        today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
        body = voucher_request(valid_from=today, valid_until=today, **changes)
        response = self.app.test_client().post("/api/v1/vouchers", json=body, headers=self.auth("issuer"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def letter(self, voucher: dict) -> bytes:
        response = self.app.test_client().get(f"/api/v1/vouchers/{voucher['id']}/letter.pdf", headers=self.auth("issuer"))
        assert response.status_code == 200
        return response.data

    def development_code(self, voucher: dict) -> str:
        """The same voucher signed with the development key (as a test installation would)."""
        claims, _, _ = token_format.parse(voucher["code"])
        key, private = self.development_key.signing_key(datetime.now(UTC))
        return token_format.encode(replace(claims, kid=key.kid), private)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("verifier")
    settings = Settings(data_dir=folder, keys_dir=folder / "keys", key_passphrase=PASSPHRASE)
    db = Database(settings.database)
    db.upgrade()
    since, lifetime = datetime.now(UTC) - timedelta(days=1), timedelta(days=730)
    KeyStore(settings.keys_dir, PASSPHRASE).init("Jobcenter Test", since, lifetime)
    development = KeyStore(folder / "development-keys")
    development.init("Jobcenter Test", since, lifetime)
    trust = TrustList.load(settings.keys_dir / "trust.json")
    (settings.keys_dir / "trust.json").write_text(json.dumps(
        replace(trust, keys=trust.keys + development.trust_list().keys).to_json()), encoding="utf-8")
    with db.session() as session:
        tokens = {role: clients.create_token(session, role, f"live-{role}", datetime.now(UTC)) for role in clients.ROLES}
        session.commit()
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{httpd.server_port}", app, db, tokens, development)
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

    def sizes(page, name: str) -> None:
        """At the sizes staff hold: name.png on a phone (the README's picture) and, for review
        only and always into the temporary folder, name-tablet.png."""
        page.set_viewport_size(DEVICES["tablet"])
        page.screenshot(path=str(tmp_path / f"{name}-tablet.png"))
        page.set_viewport_size(DEVICES["phone"])
        take(page, f"{name}.png")

    take.sizes = sizes

    return take
