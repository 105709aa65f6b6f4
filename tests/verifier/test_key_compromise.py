"""A key compromise as the office lives through it, in Debian's Chromium: `voucher keys retire
--compromised` against the live server's keys and database, the page's next sync refusing the old
codes, the new letters' codes verifying; and the page warning when its trust list is too old."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.live_server import PASSPHRASE
from tests.test_cli import page_codes
from tests.verifier.pages import check, next_voucher, open_page, sync
from voucher.token import format as token_format

pytestmark = pytest.mark.browser


def voucher_command(live, *args: str) -> subprocess.CompletedProcess:
    """The `voucher` command as the operator runs it on the server's host (same keys, same database)."""
    settings = live.app.extensions["voucher"].settings
    env = {**os.environ, "VOUCHER_DATA_DIR": str(settings.data_dir), "VOUCHER_KEYS_DIR": str(settings.keys_dir),
           "VOUCHER_KEY_PASSPHRASE": PASSPHRASE}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "voucher", *args], env=env, capture_output=True, text=True, timeout=120)


def test_after_a_compromise_old_codes_fail_on_the_page_and_the_new_letters_verify(context, live, tmp_path):
    old = [live.issue(holder_name=name) for name in ("Zofia Łukasiewicz", "Mehmet Öztürk")]
    page = open_page(context, live)
    assert check(page, old[0]["code"]) == "valid"
    next_voucher(page)
    letters = tmp_path / "neue-briefe.pdf"
    result = voucher_command(live, "keys", "retire", old[0]["kid"], "--compromised", "--out", str(letters))
    assert result.returncode == 0, result.stderr
    assert f"2 new letters written to {letters}" in result.stdout
    sync(page)
    for voucher in old:
        assert check(page, voucher["code"]) == "invalid"
        assert page.text_content("#verdict-reason") == "Unbekannter Aussteller (Schlüssel nicht in der Liste)"
        next_voucher(page)
    new_codes = page_codes(letters)
    assert len(new_codes) == 2
    for code in new_codes:
        assert check(page, code) == "valid"
        next_voucher(page)
    new_ids = {token_format.parse(code)[0].voucher_id for code in new_codes}
    client = live.app.test_client()
    shown = [client.get(f"/api/v1/vouchers/{v['id']}", headers=live.auth("issuer")).get_json() for v in old]
    assert {s["status"] for s in shown} == {"revoked"} and {s["replaced_by"] for s in shown} == new_ids


def test_a_trust_list_older_than_its_maximum_age_is_shown_as_a_warning(context, live, screenshot):
    start = datetime.now(UTC)
    context.clock.install(time=start)  # before any sync: installing later races one that is under way
    page = open_page(context, live)
    page.fill("#max-age", "720")  # the device would wait a month: the list's own 168 hours decide
    page.evaluate("document.getElementById('settings-result').hidden = true")  # still there from enrolling
    page.click("#settings-form button[type=submit]")
    page.wait_for_selector("#settings-result:not([hidden])")  # shown once the sync after saving is done
    page.evaluate("document.getElementById('settings').open = false")
    assert page.is_hidden("#trust-age")
    page.clock.set_system_time(start + timedelta(days=2))
    context.set_offline(True)  # no sync from here on; going offline redraws the status line
    page.wait_for_function("() => document.getElementById('online').textContent === 'offline'")
    assert page.is_hidden("#trust-age")  # two days: younger than its maximum age
    page.clock.set_system_time(start + timedelta(days=8))
    page.select_option("#language", "en")  # a redraw, in English (offline: from the cache)
    page.wait_for_selector("#trust-age:not([hidden])")
    assert page.text_content("#trust-age") == "Key list 8 d old – please go online, or a withdrawn key is not recognised"
    page.select_option("#language", "de")
    page.wait_for_function("() => document.getElementById('trust-age').textContent.startsWith('Schlüsselliste 8 d alt')")
    assert "stale" in page.get_attribute("#trust-age", "class")
    assert "stale" not in page.get_attribute("#revocation-age", "class")  # 8 days is within the device's 720 hours
    assert page.text_content("#synced") == "Letzte Synchronisierung: 8 d"
    screenshot.sizes(page, "verifier-trust-stale")
    context.set_offline(False)  # back online: the next sync brings a fresh trust list
    page.wait_for_selector("#trust-age", state="hidden")


def test_the_service_worker_never_answers_for_the_trust_list(context, live):
    """Offline, a cached trust list would pass for a sync and keep a dropped key alive unnoticed."""
    page = open_page(context, live)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    sync(page, "/api/v1/trust-list")  # fetched through the service worker while online
    context.set_offline(True)
    fetched = page.evaluate("fetch('/api/v1/trust-list', {cache: 'no-cache'}).then(() => 'answered', () => 'failed')")
    assert fetched == "failed"
