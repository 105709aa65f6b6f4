"""Setting up a device with a set-up code: only under Settings, only after confirmation, only a
verifier's token that the server vouches for. A set-up code shown at the scanner is a note, never
a verdict, and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.verifier.pages import check, open_page
from voucher import qr

pytestmark = pytest.mark.browser

FORGED = 'JVENROL:{"token":"jv_bogus_token_from_a_passenger","max_age_hours":1000000,"device_id":"x","location":"y"}'


def settings(page) -> dict:
    return page.evaluate("async () => (await import('/verify/static/sync.js')).settings()")


def enrol_code(tmp_path, **values) -> str:
    image = tmp_path / "enrol.png"
    image.write_bytes(qr.png("JVENROL:" + json.dumps(values, separators=(",", ":"))))
    return str(image)


def offer(page, image: str) -> None:
    """Open Settings and read a set-up code there from a photo."""
    if not page.evaluate("document.getElementById('settings').open"):
        page.click("#settings summary")
    page.set_input_files("#enrol-upload", image)


def test_set_up_code_made_by_the_cli_sets_up_the_device_once_confirmed(context, live, tmp_path):
    image = tmp_path / "enrol.png"
    env = {**os.environ, "DATABASE_URL": live.db.url}
    token = subprocess.run([sys.executable, "-m", "voucher", "tokens", "create", "--role", "verifier",
                            "--enrol-qr", str(image), "--location", "Empfang"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    page = open_page(context, live, enrol=False)
    assert page.is_visible("#enrol-hint")
    offer(page, str(image))
    page.wait_for_selector("#enrol-offer:not([hidden])")
    assert "Empfang" in page.text_content("#enrol-details")
    assert settings(page)["token"] == ""  # nothing is stored before the person confirms
    page.click("#enrol-confirm")
    page.wait_for_function("() => document.getElementById('settings-result').textContent === 'Gerät eingerichtet.'")
    stored = settings(page)
    assert stored["token"] == token and stored["location"] == "Empfang"
    assert not page.is_visible("#enrol-hint")


@pytest.mark.parametrize("how", ["uploaded", "typed"])
def test_set_up_code_at_the_scanner_is_no_verdict_and_changes_nothing(context, live, tmp_path, how):
    page = open_page(context, live)
    before = settings(page)
    if how == "typed":
        verdict = check(page, FORGED)
    else:
        image = tmp_path / "forged.png"
        image.write_bytes(qr.png(FORGED))
        page.set_input_files("#upload", str(image))
        page.wait_for_selector("#verdict:not([hidden])")
        verdict = page.get_attribute("#verdict", "class")
    assert verdict == "info"
    assert page.text_content("#verdict-title") == "KEIN FAHRSCHEIN"
    assert "Einrichtungs-Code" in page.text_content("#verdict-reason")
    assert not page.is_visible("#redeem-button")
    assert settings(page) == before


@pytest.mark.parametrize("values, detail", [
    ({"token": "jv_a_long_enough_token", "max_age_hours": 1000000}, "max_age_hours"),
    ({"token": "jv_a_long_enough_token", "max_age_hours": 0}, "max_age_hours"),
    ({"token": "jv_a_long_enough_token", "max_age_hours": "24"}, "max_age_hours"),
    ({"token": "jv_a_long_enough_token", "location": "x" * 121}, "location"),
    ({"token": "jv_a_long_enough_token", "server": "https://evil.example"}, "server"),
    ({"location": "Bus 1"}, "token"),
])
def test_set_up_code_out_of_range_is_refused_and_changes_nothing(context, live, tmp_path, values, detail):
    page = open_page(context, live)
    before = settings(page)
    offer(page, enrol_code(tmp_path, **values))
    # "Gespeichert." from enrolling is still shown: wait for the answer to this code.
    page.wait_for_function("() => document.getElementById('settings-result').textContent.includes('Kein gültiger Einrichtungs-Code')")
    assert detail in page.text_content("#settings-result")
    assert not page.is_visible("#enrol-offer")
    assert settings(page) == before


@pytest.mark.parametrize("role", ["admin", "issuer"])
def test_set_up_code_with_another_role_than_verifier_is_refused(context, live, tmp_path, role):
    page = open_page(context, live)
    before = settings(page)
    offer(page, enrol_code(tmp_path, token=live.tokens[role], location="Empfang"))
    page.click("#enrol-confirm")
    page.wait_for_function("() => document.getElementById('settings-result').textContent.includes('Rolle')")
    assert f"„{role}“" in page.text_content("#settings-result")
    assert settings(page) == before


def test_set_up_code_with_a_token_the_server_does_not_know_is_refused(context, live, tmp_path):
    page = open_page(context, live)
    before = settings(page)
    offer(page, enrol_code(tmp_path, token="jv_bogus_token_from_a_passenger"))
    page.click("#enrol-confirm")
    page.wait_for_function("() => document.getElementById('settings-result').textContent.includes('kennt dieses Token nicht')")
    assert settings(page) == before


def test_set_up_offline_is_refused_with_a_reason(context, live, tmp_path):
    page = open_page(context, live, enrol=False)
    page.evaluate("navigator.serviceWorker.ready")
    context.set_offline(True)
    offer(page, enrol_code(tmp_path, token=live.tokens["verifier"]))
    page.click("#enrol-confirm")
    page.wait_for_function("() => document.getElementById('settings-result').textContent.includes('nur mit Netz')")
    assert settings(page)["token"] == ""


def test_token_typed_in_settings_must_be_a_verifiers(context, live):
    page = open_page(context, live, enrol=False)
    page.click("#settings summary")
    page.fill("#token", live.tokens["admin"])
    page.click("#settings-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('settings-result').textContent.includes('Rolle')")
    assert settings(page)["token"] == ""
