"""/admin/tokens: an administrator makes a token (shown once), sees every token's facts, revokes
one; every post needs the page's CSRF token; other roles are turned away."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.staff.conftest import post_form, sign_in
from tests.staff.test_pages import accessibility_problems
from tests.staff.test_pages import sign_in as browser_sign_in
from voucher.store import ApiClient, AuditEvent


def signed_in_admin(client, person):
    person("root", "admin")
    assert sign_in(client, "root").status_code == 302
    return client


def test_admin_makes_a_token_that_works_and_is_shown_once(client, person, db):
    admin = signed_in_admin(client, person)
    answer = post_form(admin, "/admin/tokens", {"name": "Bus 142", "role": "verifier", "device": "tablet-07", "expires": "30"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    token = re.search(r'<output id="new-token" class="secret">(jv_[^<]+)</output>', html).group(1)
    assert "nur dieses eine Mal" in html and "tablet-07" in html
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json() == {"role": "verifier", "name": "Bus 142", "purpose": "journey"}
    assert token not in admin.get("/admin/tokens").get_data(as_text=True)
    with db.session() as session:
        made = session.scalar(select(ApiClient).where(ApiClient.name == "Bus 142"))
        assert made.device == "tablet-07" and made.expires_at is not None
        actors = session.execute(select(AuditEvent.actor, AuditEvent.action)).all()
    assert ("user:root", "token_create") in actors


def test_admin_revokes_a_token_and_it_is_refused_at_once(client, person, tokens, auth, db):
    admin = signed_in_admin(client, person)
    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 200
    with db.session() as session:
        verifier_id = session.scalar(select(ApiClient.id).where(ApiClient.name == "test-verifier"))
    answer = post_form(admin, f"/admin/tokens/{verifier_id}/revoke", {}, page="/admin/tokens")
    assert answer.status_code == 302
    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 401
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert "gesperrt" in page and "Zuletzt benutzt" in page
    with db.session() as session:
        assert ("user:root", "token_revoke") in session.execute(select(AuditEvent.actor, AuditEvent.action)).all()


def test_posts_without_the_csrf_token_are_refused(client, person, tokens, auth, db):
    admin = signed_in_admin(client, person)
    with db.session() as session:
        verifier_id = session.scalar(select(ApiClient.id).where(ApiClient.name == "test-verifier"))
    assert admin.post(f"/admin/tokens/{verifier_id}/revoke").status_code == 400
    assert admin.post("/admin/tokens", data={"name": "x", "role": "admin"}).status_code == 400
    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 200
    with db.session() as session:
        assert session.scalar(select(ApiClient.id).where(ApiClient.name == "x")) is None


def test_a_caseworker_may_not_see_or_make_tokens(issuer):
    assert issuer.get("/admin/tokens").status_code == 403


def test_bad_form_values_are_refused_with_a_message(client, person):
    admin = signed_in_admin(client, person)
    for form in ({"name": "", "role": "verifier", "expires": "5"}, {"name": "a", "role": "boss", "expires": ""},
                 {"name": "a", "role": "verifier", "expires": "-1"}, {"name": "a", "role": "verifier", "expires": "99999"},
                 {"name": "a\x00b", "role": "verifier", "expires": ""}):
        answer = post_form(admin, "/admin/tokens", form, page="/admin/tokens")
        assert answer.status_code == 422 and 'class="problem"' in answer.get_data(as_text=True), form


@pytest.mark.browser
def test_token_page_in_the_browser_makes_shows_once_and_revokes(context, live, screenshot):
    page = browser_sign_in(context, live, "admin", path="/admin/tokens")
    page.fill("#token-name", "Empfang Nord")
    page.select_option("#token-role", "verifier")
    page.fill("#token-device", "desk-3")
    page.click("form.stack button.primary")
    token = page.text_content("#new-token")
    assert token.startswith("jv_") and accessibility_problems(page) == []
    screenshot.sizes(page, "admin-tokens")
    screenshot(page, "admin-tokens-desktop.png", full_page=True)
    assert live.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.goto(live.url + "/admin/tokens")
    assert token not in page.content()
    card = page.locator("ul.tokens li", has_text="Empfang Nord")
    card.locator("button.danger").click()
    page.wait_for_load_state()
    assert "gesperrt" in page.locator("ul.tokens li", has_text="Empfang Nord").text_content()
    assert live.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
