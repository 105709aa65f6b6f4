"""The app served from a temporary folder and Debian's Chromium, for the benchmarks that run in
the browser (verifier, scan): pages of the app's origin import its modules as the page does."""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from tests.live_server import CHROMIUM, CHROMIUM_ARGS
from voucher import create_app
from voucher.config import Settings


@contextmanager
def chromium_on_app() -> Iterator[tuple[object, str]]:
    """(a Playwright browser, the app's base URL); both are gone afterwards."""
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), keys_dir=Path(tmp) / "keys"))
        httpd = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    yield browser, f"http://127.0.0.1:{httpd.server_port}"
                finally:
                    browser.close()
        finally:
            httpd.shutdown()
