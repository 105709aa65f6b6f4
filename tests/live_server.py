"""Fixtures for tests that drive a real server in Debian's Chromium (loaded as a plugin by
tests/conftest.py, so every folder shares one pattern): a live server on 127.0.0.1 (a secure
context, so WebCrypto Ed25519 works) with its own SQLite database and a production key (its
vouchers are tickets), plus a development key in its trust list for the test-key verdict."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore, TrustList
from voucher.services import clients, users
from voucher.token import format as token_format

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[1] / "docs"
DEVICES = {"phone": {"width": 412, "height": 915}, "tablet": {"width": 800, "height": 1280}}
PASSPHRASE = "live tests"  # a production key: its vouchers are tickets, unlike a development key's
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

    def today(self, plus_days: int = 0) -> str:
        """The office's calendar day (a date-only voucher ends at midnight in its time zone)."""
        tz = self.app.extensions["voucher"].settings.timezone
        return (datetime.now(tz).date() + timedelta(days=plus_days)).isoformat()

    def issue(self, **changes) -> dict:
        """Issue a voucher (valid today unless the changes say otherwise) through the real route."""
        from tests.conftest import voucher_request

        body = voucher_request(**{"valid_from": self.today(), "valid_until": self.today(), **changes})
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

    def person(self, name: str, role: str, password: str = "correct horse battery staple") -> str:
        """An account for a person; returns the password."""
        with self.db.session() as session:
            users.create(session, name, role, password, datetime.now(UTC))
            session.commit()
        return password


def start_server(settings: Settings):
    """The app for `settings`, served on a free port in a thread; returns (url, app, stop)."""
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        thread.join(timeout=10)
        app.extensions["voucher"].db.engine.dispose()

    return f"http://127.0.0.1:{httpd.server_port}", app, stop


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("live")
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
    url, app, stop = start_server(settings)
    yield Live(url, app, db, tokens, development)
    stop()
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
