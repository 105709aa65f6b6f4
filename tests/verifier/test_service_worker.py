"""The verifier's service worker in Debian's Chromium: a deployment that changes only the page's
template reaches a device that installed the page, after one online reload."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader

from tests.live_server import start_server
from voucher import TEMPLATES
from voucher.config import Settings
from voucher.db import Database

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    settings = Settings(data_dir=tmp_path, keys_dir=tmp_path / "keys")
    Database(settings.database).upgrade()
    url, app, stop = start_server(settings)
    yield url, app
    stop()


def deploy_template(app, name: str, source: str) -> None:
    """As a deployment with a new template file would: the app renders `source` for `name`."""
    app.jinja_env.loader = ChoiceLoader([DictLoader({name: source}), app.jinja_env.loader])
    app.jinja_env.cache.clear()


def test_a_changed_page_template_reaches_an_installed_page_after_one_online_reload(server, context):
    url, app = server
    page = context.new_page()
    page.goto(f"{url}/verify/")
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")
    old = page.title()
    template = (TEMPLATES / "verifier" / "index.html").read_text(encoding="utf-8")
    assert f"<title>{old}</title>" in template
    deploy_template(app, "verifier/index.html", template.replace(f"<title>{old}</title>", "<title>Neue Fassung</title>"))

    page.reload()
    page.wait_for_function("() => document.title === 'Neue Fassung'", timeout=15_000)
    context.set_offline(True)  # and the new page is what the device now has offline
    page.reload()
    assert page.title() == "Neue Fassung"
