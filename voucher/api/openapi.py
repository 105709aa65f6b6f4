"""GET /api/v1/openapi.json, built from the same pydantic models that validate requests."""

from __future__ import annotations

from functools import cache

from flask import Blueprint

from ..schemas import IssueRequest, RedemptionBatch, RevokeRequest
from ..services import clients

PROBLEM = {"$ref": "#/components/schemas/Problem"}
VOUCHER = {"$ref": "#/components/schemas/Voucher"}


def _op(summary: str, roles: tuple[str, ...] = (), body: dict | None = None,
        ok: dict | None = None, ok_type: str = "application/json", params=()) -> dict:
    op: dict = {"summary": summary, "parameters": list(params), "responses": {
        "200": {"description": "OK", "content": {ok_type: {"schema": ok or {"type": "object"}}}},
        "default": {"description": "Error", "content": {"application/problem+json": {"schema": PROBLEM}}},
    }}
    if roles:
        op["security"] = [{"bearer": []}]
        op["description"] = "Roles: " + ", ".join(roles) + " (admin may call everything)."
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _id_param() -> dict:
    return {"name": "voucher_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _component_schemas(*models) -> dict:
    """Model schemas with their nested definitions hoisted, so every $ref resolves."""
    out = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


@cache
def spec() -> dict:
    vid = [_id_param()]
    issue = _op("Issue a voucher", ("issuer",), {"$ref": "#/components/schemas/IssueRequest"}, VOUCHER,
                params=[{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 64}}])
    issue["responses"]["201"] = {"description": "Created", "content": {"application/json": {"schema": VOUCHER}}}
    binary = {"type": "string", "format": "binary"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Jobcenter travel voucher API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/vouchers": {"post": issue},
            "/vouchers/{voucher_id}": {"get": _op("A voucher and its status", ("issuer", "finance", "verifier"), ok=VOUCHER, params=vid)},
            "/vouchers/{voucher_id}/qr.png": {"get": _op("QR code as PNG", ("issuer",), ok=binary, ok_type="image/png", params=vid)},
            "/vouchers/{voucher_id}/qr.svg": {"get": _op("QR code as SVG", ("issuer",), ok=binary, ok_type="image/svg+xml", params=vid)},
            "/vouchers/{voucher_id}/letter.pdf": {"get": _op("Invitation letter as PDF", ("issuer",), ok=binary, ok_type="application/pdf", params=vid)},
            "/vouchers/{voucher_id}/revoke": {"post": _op("Revoke a voucher", ("issuer",), {"$ref": "#/components/schemas/RevokeRequest"}, VOUCHER, params=vid)},
            "/trust-list": {"get": _op("Public keys that sign vouchers")},
            "/revocations": {"get": _op("Signed revocation list", ("verifier",), params=[
                {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}},
                {"name": "format", "in": "query", "schema": {"enum": ["entries", "compact"]}}])},
            "/redemptions": {"post": _op("Sync redemptions from a verifier device (idempotent by client_id)", ("verifier",), {"$ref": "#/components/schemas/RedemptionBatch"})},
            "/reconciliation": {"get": _op("Issued, redeemed, revoked, expired unused, flagged and owed, per cost centre, day and fare class", ("finance",), params=[
                {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                {"name": "table", "in": "query", "schema": {"enum": ["totals", "by_cost_center", "by_day", "by_fare_class", "flags"]}},
                {"name": "decimal", "in": "query", "schema": {"enum": ["point", "comma"]}}])},
            "/invoices/match": {"post": {**_op("Match the operator's invoice CSV against redemptions", ("finance",), params=[
                {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                {"name": "decimal", "in": "query", "schema": {"enum": ["point", "comma"]}}]),
                "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}},
            "/me": {"get": _op("Role and name of the calling token (a verifier device checks a token before storing it)", clients.ROLES,
                                ok={"type": "object", "required": ["role", "name"], "properties": {"role": {"enum": list(clients.ROLES)}, "name": {"type": "string"}}})},
            "/openapi.json": {"get": _op("This document")},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **_component_schemas(IssueRequest, RevokeRequest, RedemptionBatch),
                "Voucher": {"type": "object", "required": ["id", "short_code", "code", "valid_from", "valid_until", "status"],
                            "properties": {k: {"type": "string"} for k in ("id", "short_code", "code", "valid_from", "valid_until", "status")}},
                "Problem": {"type": "object", "properties": {"status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}},
            },
        },
    }


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/openapi.json", view_func=spec, endpoint="openapi")
