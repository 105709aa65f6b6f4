"""GET /api/v1/openapi.json names every media type and status a route answers with, so a client
generated from it can read each answer (a CSV where JSON was promised breaks a generated client)."""

from __future__ import annotations

import pytest


def _documented(spec: dict, path: str, method: str, status: int) -> dict:
    responses = spec["paths"][path][method]["responses"]
    return responses.get(str(status), responses["default"])


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


@pytest.mark.parametrize(("path", "url", "role"), [
    ("/reconciliation", "/api/v1/reconciliation?from=2026-12-01&to=2026-12-31&format=csv", "finance"),
    ("/reconciliation", "/api/v1/reconciliation?from=2026-12-01&to=2026-12-31", "finance"),
    ("/vouchers/{voucher_id}/qr.png", "/api/v1/vouchers/{id}/qr.png", "issuer"),
    ("/vouchers/{voucher_id}/qr.svg", "/api/v1/vouchers/{id}/qr.svg", "issuer"),
    ("/vouchers/{voucher_id}/letter.pdf", "/api/v1/vouchers/{id}/letter.pdf", "issuer"),
    ("/vouchers/{voucher_id}", "/api/v1/vouchers/{id}", "issuer"),
    ("/trust-list", "/api/v1/trust-list", "verifier"),
])
def test_each_answer_has_a_documented_media_type(client, auth, issue, spec, path, url, role):
    voucher = issue()
    response = client.get(url.format(id=voucher["id"]), headers=auth(role))
    assert response.status_code == 200
    assert response.mimetype in _documented(spec, path, "get", 200)["content"], (path, response.mimetype)


def test_the_invoice_check_documents_its_csv_report(client, auth, spec):
    response = client.post("/api/v1/invoices/match?format=csv&from=2026-12-01&to=2026-12-31",
                           data="voucher_id,travel_date,amount_cents\n", content_type="text/csv", headers=auth("finance"))
    documented = _documented(spec, "/invoices/match", "post", response.status_code)
    assert response.mimetype in documented.get("content", {}), (response.status_code, response.mimetype)


@pytest.mark.parametrize("path", ["/trust-list", "/revocations"])
def test_a_304_is_documented_where_an_etag_is_given(client, auth, spec, path):
    first = client.get(f"/api/v1{path}", headers=auth("verifier"))
    again = client.get(f"/api/v1{path}", headers={**auth("verifier"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "304" in spec["paths"][path]["get"]["responses"]
