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


def _json_types(value) -> set[str]:
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"number"}
    return {{dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]}


def _walk(spec: dict, value, schema: dict, where: str, seen: set, owner: str = "") -> list[str]:
    """Where `value` (a real answer) has a field the document does not name, or a value of
    another type than documented; `seen` collects (schema, field) of every field met."""
    if "$ref" in schema:
        owner = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][owner]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
    kinds = schema.get("type")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds or ())
    if kinds and not _json_types(value) & kinds:
        problems.append(f"{where}: {value!r} is not {sorted(kinds)}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{where}: required {key} missing" for key in schema.get("required", ()) if key not in value]
        for key, item in value.items():
            if key not in properties:
                problems.append(f"{where}.{key}: not documented")
                continue
            seen.add((owner, key))
            problems += _walk(spec, item, properties[key], f"{where}.{key}", seen, owner)
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            problems += _walk(spec, item, schema["items"], f"{where}[{n}]", seen, owner)
    return problems


# Files that together give every list, every kind of line and every total of the report: a
# month's invoice, one over the fare table, refused lines, credit notes (whole, partial, naming
# their invoice), a letterhead invoice and its correction, Netto/MwSt columns.
INVOICES = ["contract.csv", "fare-table-de.csv", "refusals-de.csv", "credit-note-de.csv", "partial-credit-de.csv",
            "letterhead-re100.csv", "letterhead-re100-corrected.csv", "letterhead-re500.csv", "letterhead-re501.csv",
            "credit-reference-de.csv", "netto-mwst-brutto-de.csv", "contract.csv"]  # the last: a duplicate


def test_every_field_of_the_invoice_answers_is_documented_with_its_type(client, auth, db, clock, spec):
    from tests.api.invoice_world import TODAY, build, build_priced, upload

    clock.now = TODAY
    build(db)
    build_priced(db)
    answers = [("POST /invoices/match", "/invoices/match", "post", upload(client, auth, name)) for name in INVOICES]
    for *_, report in answers[:-1]:
        stored = client.get(f"/api/v1/invoices/{report['invoice']['id']}", headers=auth("finance")).get_json()
        answers.append(("GET /invoices/{id}", "/invoices/{invoice_id}", "get", stored))
    answers.append(("GET /invoices", "/invoices", "get", client.get("/api/v1/invoices", headers=auth("finance")).get_json()))
    seen: set = set()
    problems = [problem for what, path, method, answer in answers for problem in _walk(
        spec, answer, _documented(spec, path, method, 200)["content"]["application/json"]["schema"], what, seen)]
    assert problems == []
    # and the answers walked hold every field the document names for them: none is described but never sent
    schemas = spec["components"]["schemas"]
    documented = {(name, key) for name in schemas if name.startswith(("Invoice", "Unbilled", "Rejected", "Correction"))
                  for key in schemas[name]["properties"]}
    assert documented - seen == set()
