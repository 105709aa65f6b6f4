"""Hardening: headers, limits, health, logs without personal data."""

from __future__ import annotations

import logging
import re

import pytest

from tests.conftest import voucher_request
from voucher import create_app


@pytest.mark.parametrize("path", ["/", "/sign-in", "/verify/", "/finance/", "/api/v1/trust-list"])
def test_pages_send_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_script_policy_allows_webassembly_and_nothing_looser(client):
    """The verifier's QR decoder is WebAssembly: 'wasm-unsafe-eval' compiles it; no JS eval."""
    csp = client.get("/verify/").headers["Content-Security-Policy"]
    script_src = next(part.split()[1:] for part in csp.split(";") if part.split()[0] == "script-src")
    assert script_src == ["'self'", "'wasm-unsafe-eval'"]


@pytest.mark.parametrize("path", ["/verify/", "/", "/sign-in"])
def test_pages_have_no_inline_script_or_handler(client, path):
    """Scripts come from files (the finance pages have none: tests/staff/test_finance.py)."""
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html) and not re.search(r"\son[a-z]+=", html)


def test_api_post_with_a_cookie_and_no_bearer_token_needs_a_csrf_token(client, issue):
    """A forged cross-site form brings the browser's cookies, but neither a bearer token nor the page's CSRF token."""
    voucher = issue()
    client.set_cookie("voucher_session", "anything")
    assert client.post("/api/v1/vouchers", json=voucher_request()).status_code == 400
    assert client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "x"}).status_code == 400


def test_api_post_without_credentials_or_cookies_gets_401(client):
    assert client.post("/api/v1/vouchers", json=voucher_request()).status_code == 401


def test_failed_logins_are_rate_limited_per_address(settings, clock):
    app = create_app(settings.replace(auth_failures_per_minute=3), clock=clock)
    client = app.test_client()
    statuses = [client.get("/api/v1/revocations", headers={"Authorization": "Bearer wrong"}).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    limited = client.get("/api/v1/revocations", headers={"Authorization": "Bearer wrong"})
    assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) >= 1


def test_each_token_is_rate_limited(settings, clock, auth):
    app = create_app(settings.replace(rate_limit_per_minute=2), clock=clock)
    client = app.test_client()
    statuses = [client.get("/api/v1/revocations", headers=auth("verifier")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/revocations", headers=auth("admin")).status_code == 200


def test_oversized_body_is_a_413_problem(client, auth):
    response = client.post("/api/v1/vouchers", data=b"x" * (3 * 1024 * 1024), headers=auth("issuer"), content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_readiness_checks_database_schema_and_key(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "schema": "ok", "signing_key": "ok"}


def test_readiness_fails_without_a_signing_key_while_liveness_holds(settings, clock, tmp_path):
    client = create_app(settings.replace(keys_dir=tmp_path / "empty"), clock=clock).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["signing_key"].startswith("failed: no signing key")
    assert client.get("/healthz").status_code == 200


def test_request_log_has_route_template_not_ids_or_names(client, issue, auth, caplog):
    voucher = issue(holder_name="Geheim Name")
    with caplog.at_level(logging.INFO, logger="voucher.requests"):
        client.get(f"/api/v1/vouchers/{voucher['id']}?x=Geheim", headers=auth("issuer"))
    (record,) = [r for r in caplog.records if r.name == "voucher.requests"]
    line = {k: getattr(record, k) for k in ("method", "route", "status", "role")}
    assert line == {"method": "GET", "route": "/api/v1/vouchers/<voucher_id>", "status": 200, "role": "issuer"}
    assert voucher["id"] not in caplog.text and "Geheim" not in caplog.text


def test_disabled_token_is_refused_at_the_next_request(client, auth, db, tokens, app):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from voucher.store import ApiClient

    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 200
    with db.session() as session:
        session.execute(update(ApiClient).where(ApiClient.role == "verifier").values(disabled_at=datetime.now(UTC)))
        session.commit()
    assert client.get("/api/v1/revocations", headers=auth("verifier")).status_code == 401
