"""Signing in and out of the staff pages through the real routes: sessions, lockout, cookies,
CSRF, the secret key and single sign-on through a trusted proxy header."""

from __future__ import annotations

import os
import re
import stat

import pytest

from tests.staff.conftest import PASSWORD, post_form, sign_in
from voucher import create_app
from voucher.services import users


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(client) -> bool:
    response = client.get("/counter/")
    return response.status_code == 200


def test_start_page_names_the_three_workplaces_and_offers_sign_in(client):
    page = text(client.get("/"))
    for word in ("Fahrkartenschalter", "Fahrscheinprüfung", "Abrechnung", 'href="/verify/"', 'href="/finance/"', "Anmelden"):
        assert word in page


def test_start_page_is_english_for_an_english_browser(client):
    page = text(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    assert "Ticket counter" in page and '<html lang="en">' in page


def test_language_switch_is_remembered(client):
    post_form(client, "/language", {"lang": "en", "next": "/sign-in"}, page="/")
    assert "User name" in text(client.get("/sign-in"))


def test_after_sign_in_the_start_page_shows_what_the_role_may_use(client, person):
    person("fritz", "finance")
    assert sign_in(client, "fritz").headers["Location"] == "/"
    page = text(client.get("/"))
    assert "Angemeldet als fritz" in page
    assert 'class="place" href="/finance/"' in page and 'class="place" href="/counter/"' not in page


def test_role_without_the_counter_gets_403(client, person):
    person("fritz", "finance")
    sign_in(client, "fritz")
    response = client.get("/counter/")
    assert response.status_code == 403 and "Nicht erlaubt" in text(response)


def test_page_needing_sign_in_sends_to_sign_in_and_back(client, person):
    response = client.get("/counter/?q=abc")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    person("anna")
    assert sign_in(client, "anna", next_path="/counter/?q=abc").headers["Location"] == "/counter/?q=abc"


@pytest.mark.parametrize("next_path", [
    "//evil.example/", "/\t/evil.example", "/\r\n/evil.example", "/\\evil.example", "\\\\evil.example",
    "/%2F/evil.example", "/%09/evil.example", "/%5Cevil.example", "https://evil.example/", "/\x00x",
    "javascript:alert(1)", "evil.example", "/counter/\r\nSet-Cookie: x=1",
])
def test_sign_in_never_redirects_off_site(client, person, next_path):
    person("anna")
    assert sign_in(client, "anna", next_path=next_path).headers["Location"] == "/"


def test_language_switch_never_redirects_off_site(client):
    response = post_form(client, "/language", {"lang": "en", "next": "/\t/evil.example"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("name", ["anna", "nobody"])
def test_wrong_password_reads_the_same_whether_the_name_exists(client, person, name):
    person("anna")
    response = sign_in(client, name, "wrong password!")
    assert response.status_code == 401
    assert "Benutzername oder Passwort stimmt nicht." in text(response)
    assert not signed_in(client)


def test_each_sign_in_gets_a_new_session_token(client, person):
    person("anna")
    tokens = []
    for _ in range(2):
        sign_in(client, "anna")
        with client.session_transaction() as session:
            tokens.append(session["_user_id"])
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 40


@pytest.mark.parametrize("name", ["anna", "nobody"])
def test_five_failures_lock_the_name_even_for_the_right_password(client, person, name):
    person("anna")
    statuses = [sign_in(client, name, "wrong password!").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    response = sign_in(client, name, PASSWORD)
    assert response.status_code == 429
    # Counted in a sliding window (voucher/limits.py): the wait is what is left of it, at most 15 minutes.
    minutes = re.search(r"Zu viele Fehlversuche\. Bitte versuchen Sie es in (\d+) Minuten wieder, oder bitten Sie die Verwaltung", text(response))
    assert minutes and 1 <= int(minutes.group(1)) <= 15


def test_lockout_of_one_name_leaves_another_name_alone(client, person):
    person("anna"), person("bert")
    for _ in range(5):
        sign_in(client, "anna", "wrong password!")
    assert sign_in(client, "bert").status_code == 302


def test_failures_from_one_address_lock_that_address(settings, clock, person):
    app = create_app(settings.replace(login_failures_per_address=3), clock=clock)
    client = app.test_client()
    person("anna")
    for name in ("x1", "x2", "x3"):
        sign_in(client, name, "wrong password!")
    assert sign_in(client, "anna").status_code == 429
    other = app.test_client()
    assert sign_in(other, "anna", next_path="/").status_code == 429  # same address, whatever the browser
    app.extensions["voucher"].db.engine.dispose()


def test_idle_session_ends_after_the_idle_timeout(issuer, clock):
    clock.advance(minutes=29)
    assert signed_in(issuer)
    clock.advance(minutes=29)
    assert signed_in(issuer)  # activity keeps it alive
    clock.advance(minutes=31)
    assert not signed_in(issuer)


def test_session_ends_after_its_absolute_lifetime_however_active(issuer, clock):
    for _ in range(9 * 3):
        clock.advance(minutes=20)
        assert signed_in(issuer)
    clock.advance(hours=1, minutes=1)  # 10 h 01 min, seen 21 min ago
    assert not signed_in(issuer)


def test_sign_out_ends_the_session_on_the_server(issuer):
    cookie = issuer.get_cookie("voucher_session").value
    post_form(issuer, "/sign-out", {}, page="/")
    assert not signed_in(issuer)
    issuer.set_cookie("voucher_session", cookie)  # a copy of the old cookie is worth nothing
    assert not signed_in(issuer)


def test_disabled_account_is_signed_out_at_once(issuer, db, clock):
    with db.session() as session:
        users.disable(session, "anna", clock.now)
        session.commit()
    assert not signed_in(issuer)


def test_session_cookie_is_httponly_strict_and_plain_only_on_local_http(client, person):
    person("anna")
    cookie = sign_in(client, "anna").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_http_to_another_host(client):
    response = client.get("/sign-in", base_url="http://fahrscheine.jobcenter.example")
    assert "Secure" in response.headers["Set-Cookie"]


def test_behind_an_https_proxy_the_cookie_is_secure_and_forms_work_without_referer(settings, clock, person):
    app = create_app(settings.replace(trusted_proxies=1), clock=clock)
    client = app.test_client()
    client.environ_base.update(HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.9")
    person("anna")
    response = sign_in(client, "anna")
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    app.extensions["voucher"].db.engine.dispose()


def test_cookie_security_can_be_forced_either_way(settings, clock, person):
    for mode, expected in (("always", True), ("never", False)):
        app = create_app(settings.replace(cookie_secure=mode), clock=clock)
        response = app.test_client().get("/sign-in", base_url="http://fahrscheine.jobcenter.example")
        assert ("Secure" in response.headers["Set-Cookie"]) is expected
        app.extensions["voucher"].db.engine.dispose()


def test_secret_key_is_made_once_in_the_data_folder_readable_by_the_owner_only(settings, clock):
    first = create_app(settings, clock=clock)
    second = create_app(settings, clock=clock)
    path = settings.data_dir / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first.secret_key == second.secret_key == path.read_text().strip()
    for app in (first, second):
        app.extensions["voucher"].db.engine.dispose()


def test_configured_secret_key_is_used_and_no_file_is_made(settings, clock, tmp_path):
    app = create_app(settings.replace(secret_key="k" * 64, data_dir=tmp_path / "data"), clock=clock)
    assert app.secret_key == "k" * 64 and not (tmp_path / "data" / "secret_key").exists()
    app.extensions["voucher"].db.engine.dispose()


def test_form_post_without_the_csrf_token_is_refused(issuer, issue):
    voucher = issue()
    response = issuer.post(f"/counter/vouchers/{voucher['id']}/cancel", data={"reason": "forged"})
    assert response.status_code == 400 and "Bitte noch einmal" in text(response)
    assert "Gültig" in text(issuer.get(f"/counter/vouchers/{voucher['id']}"))


def test_sign_out_without_the_csrf_token_is_refused(issuer):
    assert issuer.post("/sign-out").status_code == 400
    assert signed_in(issuer)


# Single sign-on through an authenticating reverse proxy


@pytest.fixture
def sso_client(settings, clock):
    app = create_app(settings.replace(trusted_user_header="X-Remote-User"), clock=clock)
    yield app.test_client()
    app.extensions["voucher"].db.engine.dispose()


def test_proxy_header_is_ignored_when_not_configured(client, person):
    person("anna")
    response = client.get("/counter/", headers={"X-Remote-User": "anna"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_proxy_header_signs_in_a_known_person_with_the_role_from_our_table(sso_client, person):
    person("anna", "issuer", password=None)
    person("fritz", "finance", password=None)
    assert sso_client.get("/counter/", headers={"X-Remote-User": "Anna"}).status_code == 200
    assert sso_client.get("/counter/", headers={"X-Remote-User": "fritz"}).status_code == 403


@pytest.mark.parametrize("disabled", [False, True])
def test_proxy_header_naming_no_active_account_gets_403(sso_client, person, db, clock, disabled):
    if disabled:
        person("anna")
        with db.session() as session:
            users.disable(session, "anna", clock.now)
            session.commit()
    response = sso_client.get("/counter/", headers={"X-Remote-User": "anna"})
    assert response.status_code == 403 and "Kein Zugang" in text(response)


def test_proxy_header_wins_over_an_older_session_cookie(sso_client, person):
    person("anna", "issuer")
    person("fritz", "finance", password=None)
    sign_in(sso_client, "anna")
    assert sso_client.get("/counter/").status_code == 200
    assert sso_client.get("/counter/", headers={"X-Remote-User": "fritz"}).status_code == 403


def test_sso_only_account_cannot_sign_in_with_a_password(client, person):
    person("carl", "admin", password=None)
    assert sign_in(client, "carl", "").status_code == 401
