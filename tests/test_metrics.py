"""GET /metrics: Prometheus text behind a token; counters move with what was written."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.test_redemptions import item, sync
from tests.conftest import voucher_request

TOKEN = "metrics-test-token"


@pytest.fixture
def scrape(app):
    """Settings with a metrics token; returns {(sample name, labels...): value} per scrape."""
    from voucher import create_app

    settings = app.extensions["voucher"].settings.replace(metrics_token=TOKEN)
    served = create_app(settings, clock=app.extensions["voucher"].clock).test_client()

    def _scrape() -> dict:
        response = served.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200 and response.mimetype == "text/plain"
        return {(s.name, *sorted(s.labels.items())): s.value
                for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}

    return _scrape


def test_metrics_are_404_without_a_token_setting_and_401_with_a_wrong_token(client, app):
    from voucher import create_app

    assert client.get("/metrics").status_code == 404
    guarded = create_app(app.extensions["voucher"].settings.replace(metrics_token=TOKEN)).test_client()
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_one_issue_request_moves_the_issued_counter_and_the_route_histogram(client, auth, scrape):
    before = scrape()
    assert client.post("/api/v1/vouchers", json=voucher_request(), headers=auth("issuer")).status_code == 201
    after = scrape()
    assert after[("voucher_vouchers_issued_total",)] == before.get(("voucher_vouchers_issued_total",), 0) + 1
    route = ("voucher_http_request_duration_seconds_count", ("method", "POST"), ("route", "/api/v1/vouchers"), ("status", "201"))
    assert after[route] == before.get(route, 0) + 1


def test_a_refused_issue_counts_no_voucher(client, auth, scrape):
    before = scrape()[("voucher_vouchers_issued_total",)]
    response = client.post("/api/v1/vouchers", json=voucher_request(valid_until="2026-11-01"), headers=auth("issuer"))
    assert response.status_code == 422
    assert scrape()[("voucher_vouchers_issued_total",)] == before


def test_redemptions_by_outcome_revocations_and_device_sync_lag(client, auth, issue, scrape, clock):
    accepted, revoked = issue(), issue()
    assert client.post(f"/api/v1/vouchers/{revoked['id']}/revoke", json={"reason": "test"}, headers=auth("issuer")).status_code == 200
    before = scrape()
    sync(client, auth, item(accepted["code"]), item(revoked["code"]), item("JV1:nonsense"), device="bus-142")
    clock.advance(minutes=5)
    after = scrape()

    def moved(outcome: str) -> float:
        key = ("voucher_redemptions_total", ("outcome", outcome))
        return after.get(key, 0) - before.get(key, 0)

    assert (moved("accepted"), moved("revoked"), moved("invalid")) == (1, 1, 1)
    assert before[("voucher_vouchers_revoked_total",)] >= 1
    assert after[("voucher_device_sync_lag_seconds", ("device", "bus-142"))] == 300
    assert 728 < after[("voucher_signing_key_days_left",)] < 730


def test_an_invoice_checked_is_counted_once_per_new_file(client, auth, issue, scrape):
    voucher = issue()
    body = f"voucher_id,travel_date,amount_cents\n{voucher['id']},2026-12-03,480\n".encode()
    before = scrape().get(("voucher_invoices_checked_total",), 0)
    for _ in range(2):  # the second upload of the same file is a repeat, not a new check
        assert client.post("/api/v1/invoices/match", data=body, headers={**auth("finance"), "Content-Type": "text/csv"}).status_code == 200
    assert scrape()[("voucher_invoices_checked_total",)] == before + 1
