"""Response headers for what carries personal data, through the real routes: no copy in any
cache (Cache-Control: no-store), and HSTS whenever the request came over https."""

from __future__ import annotations

import pytest

from tests.staff.conftest import sign_in
from voucher import create_app


@pytest.fixture
def admin(client, person):
    person("root", "admin")
    assert sign_in(client, "root").status_code == 302
    return client


PERSONAL = [
    "/counter/?q=Yilmaz", "/counter/vouchers/{id}", "/counter/vouchers/{id}/letter.pdf",
    "/finance/?from=2026-12-01&to=2026-12-31", "/finance/report.csv?from=2026-12-01&to=2026-12-31",
    "/finance/vouchers/{id}", "/finance/flags",
]
API = ["/api/v1/vouchers/{id}", "/api/v1/vouchers/{id}/qr.png", "/api/v1/vouchers/{id}/letter.pdf"]


@pytest.mark.parametrize("path", PERSONAL)
def test_pages_letters_and_csvs_with_personal_data_are_never_stored_in_a_cache(admin, issue, path):
    voucher = issue()
    response = admin.get(path.format(id=voucher["id"]))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", API)
def test_api_answers_with_personal_data_are_never_stored_in_a_cache(client, issue, auth, path):
    voucher = issue()
    response = client.get(path.format(id=voucher["id"]), headers=auth("issuer"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/staff/staff.css")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")


def test_https_answers_carry_hsts_and_plain_http_does_not(client):
    secure = client.get("/", base_url="https://fahrscheine.jobcenter.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_behind_a_tls_terminating_proxy(settings, clock):
    app = create_app(settings.replace(trusted_proxies=1), clock=clock)
    response = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    app.extensions["voucher"].db.engine.dispose()
