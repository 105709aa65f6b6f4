"""GET /api/v1/openapi.json, built from the same pydantic models that validate requests."""

from __future__ import annotations

from functools import cache

from flask import Blueprint

from ..invoice_csv import MAX_SIZE_IN_WORDS
from ..schemas import IssueRequest, RedemptionBatch, RevokeRequest
from ..services import clients, purposes
from ..version import VERSION
from . import invoice_schema

PROBLEM = {"$ref": "#/components/schemas/Problem"}
VOUCHER = {"$ref": "#/components/schemas/Voucher"}
SCAN = {"$ref": "#/components/schemas/Scan"}
INVOICE_REPORT = {"$ref": "#/components/schemas/InvoiceReport"}
LOCAL_TIME = {"type": "string", "description": "ISO 8601 in the office's time zone, with its offset"}
NULLABLE_TIME = {**LOCAL_TIME, "type": ["string", "null"]}
APPOINTMENT = {"type": "object", "required": ["voucher_id", "holder_name", "appointment_at", "appointment_place", "status"],
               "properties": {"voucher_id": {"type": "string"}, "holder_name": {"type": ["string", "null"]},
                              "appointment_at": NULLABLE_TIME, "appointment_place": {"type": ["string", "null"]},
                              "status": {"type": "string"}}}
REDEMPTION_RESULTS = {"type": "object", "properties": {"results": {"type": "array", "items": {
    "type": "object", "required": ["client_id", "voucher_id", "outcome", "flags", "purpose"], "properties": {
        "client_id": {"type": "string"}, "voucher_id": {"type": ["string", "null"]},
        "outcome": {"enum": ["accepted", "duplicate", "revoked", "expired", "not_yet_valid", "invalid", "unknown"]},
        "flags": {"type": "array", "items": {"type": "string"}},
        "purpose": {"enum": list(purposes.PURPOSES)},
        "first_use": {"type": "object", "description": "a journey's double use: the ride that counts",
                      "properties": {"redeemed_at": LOCAL_TIME, "location": {"type": "string"}}},
        "attendance": {"type": "object", "description": "a reception scan: the arrival and the appointment",
                       "properties": {"arrived_at": LOCAL_TIME, "appointment_at": NULLABLE_TIME,
                                      "appointment_place": {"type": ["string", "null"]}}}}}}}}


def _op(summary: str, roles: tuple[str, ...] = (), body: dict | None = None,
        ok: dict | None = None, ok_type: str = "application/json", params=(), csv: bool = False) -> dict:
    """One operation; `csv` adds the text/csv answer that `format=csv` gives."""
    content = {ok_type: {"schema": ok or {"type": "object"}}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    op: dict = {"summary": summary, "parameters": list(params), "responses": {
        "200": {"description": "OK", "content": content},
        "503": {"description": "Database unavailable: send the same request again after Retry-After seconds",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/problem+json": {"schema": PROBLEM}}},
        "default": {"description": "Error", "content": {"application/problem+json": {"schema": PROBLEM}}},
    }}
    if roles:
        op["security"] = [{"bearer": []}]
        op["description"] = "Roles: " + ", ".join(roles) + " (admin may call everything)."
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _not_modified(op: dict) -> dict:
    """A document with an ETag: If-None-Match naming the current version gets 304, no body."""
    op["parameters"].append({"name": "If-None-Match", "in": "header", "schema": {"type": "string"}})
    op["responses"]["304"] = {"description": "Not modified: the copy the client holds is current"}
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
    period = [{"name": name, "in": "query", "required": True, "schema": {"type": "string", "format": "date"}} for name in ("from", "to")]
    issue = _op("Issue a voucher", ("issuer",), {"$ref": "#/components/schemas/IssueRequest"}, VOUCHER,
                params=[{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 64}}])
    issue["responses"]["201"] = {"description": "Created", "content": {"application/json": {"schema": VOUCHER}}}
    batch = _op("Issue up to 1,000 vouchers; one result per item in request order, a bad item refusing only itself",
                ("issuer",), {"$ref": "#/components/schemas/IssueBatch"}, {"$ref": "#/components/schemas/BatchResults"})
    binary = {"type": "string", "format": "binary"}
    csv_params = [{"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                  {"name": "decimal", "in": "query", "schema": {"enum": ["point", "comma"]}}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Jobcenter travel voucher API", "version": VERSION},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/vouchers": {"post": issue},
            "/vouchers/batch": {"post": batch},
            "/vouchers/{voucher_id}": {"get": _op("A voucher and its status", ("issuer", "finance", "verifier"), ok=VOUCHER,
                                                  params=vid)},
            "/vouchers/{voucher_id}/qr.png": {"get": _op("QR code as PNG", ("issuer",), ok=binary, ok_type="image/png",
                                                         params=vid)},
            "/vouchers/{voucher_id}/qr.svg": {"get": _op("QR code as SVG", ("issuer",), ok=binary, ok_type="image/svg+xml",
                                                         params=vid)},
            "/vouchers/{voucher_id}/letter.pdf": {"get": _op("Invitation letter as PDF", ("issuer",), ok=binary,
                                                             ok_type="application/pdf", params=vid)},
            "/vouchers/{voucher_id}/revoke": {"post": _op("Revoke a voucher", ("issuer",),
                                                          {"$ref": "#/components/schemas/RevokeRequest"}, VOUCHER, params=vid)},
            "/trust-list": {"get": _not_modified(_op("Public keys that sign vouchers (`keys`; once a production key exists "
                                       "development keys "
                                       "move to `development_keys`, never to be trusted for travel) and the office's IANA "
                                       "`timezone`"))},
            "/revocations": {"get": _not_modified(_op("Signed revocation list", ("verifier",), params=[
                {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}},
                {"name": "format", "in": "query", "schema": {"enum": ["entries", "compact"]}}]))},
            "/vouchers/{voucher_id}/appointment": {"get": _op(
                "The appointment, for the reception's verifier (a journey device gets 403)", ("verifier", "issuer"),
                ok=APPOINTMENT, params=vid)},
            "/redemptions": {"post": _op("Sync redemptions from a verifier device (idempotent by client_id); "
                                         "what a scan means is the device's purpose", ("verifier",),
                                         {"$ref": "#/components/schemas/RedemptionBatch"}, REDEMPTION_RESULTS)},
            "/reconciliation": {"get": _op(
                "Issued, redeemed, revoked, expired unused, flagged, owed and without fare, per cost centre, day and fare "
                "class; the first page of flags", ("finance",), params=[
                *period,
                {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                {"name": "table", "in": "query", "schema": {"enum": [
                    "totals", "by_cost_center", "by_day", "by_fare_class", "attendance", "flags"]}},
                {"name": "decimal", "in": "query", "schema": {"enum": ["point", "comma"]}}], csv=True)},
            "/reconciliation/flags": {"get": _op(
                "Flags of a period, a page at a time (oldest first); `next` is the cursor of the next page", ("finance",), params=[
                *period, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "cursor", "in": "query", "schema": {"type": "string", "maxLength": 200}}])},
            "/reconciliation/vouchers/{voucher_id}": {"get": _op(
                "One voucher's redemptions, what each journey is owed, and its flags", ("finance",), params=vid)},
            "/fares": {"get": _op("The office's fare table", ("finance",)),
                       "put": {**_op("Replace or add prices (CSV as for `voucher fares import`); one bad row and nothing "
                                     "changes", ("admin",)),
                               "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}},
            "/invoices/match": {"post": {**_op(
                "Match the operator's invoice file against journeys and store it (the same file again: the stored "
                f"report with duplicate_of). At most {MAX_SIZE_IN_WORDS}; larger answers 413.", ("finance",), params=[
                    {"name": "operator", "in": "query", "schema": {"type": "string", "maxLength": 64}},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
                     "description": "First day of the invoice's period, when the file names none (with 'to')."},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}}, *csv_params],
                ok=INVOICE_REPORT, csv=True),
                "requestBody": {"required": True, "content": {
                    "text/csv": {"schema": binary}, "application/octet-stream": {"schema": binary}}}}},
            "/invoices": {"get": _op("Stored invoices, newest first", ("finance",), params=[
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
                ok={"$ref": "#/components/schemas/InvoiceListing"})},
            "/invoices/{invoice_id}": {"get": _op("A stored invoice's report", ("finance",), params=[
                {"name": "invoice_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}, *csv_params], ok=INVOICE_REPORT,
                csv=True)},
            "/me": {"get": _op("Role and name of the calling token (a verifier device checks a token before storing it)", clients.ROLES,
                                ok={"type": "object", "required": ["role", "name", "purpose"], "properties": {
                                    "role": {"enum": list(clients.ROLES)}, "name": {"type": "string"},
                                    "purpose": {"enum": [*purposes.PURPOSES, None],
                                                "description": "a verifier device's purpose; null for other roles"}}})},
            "/openapi.json": {"get": _op("This document")},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": (
                "An API token (`voucher tokens create` or the admin page /admin/tokens); a revoked or "
                "expired token gets 401 from the next request on.")}},
            "schemas": {
                **_component_schemas(IssueRequest, RevokeRequest, RedemptionBatch),
                **invoice_schema.COMPONENTS,
                "Voucher": {"type": "object",
                            "required": ["id", "short_code", "code", "valid_from", "valid_until", "status"],
                            "properties": {
                                **{k: {"type": "string"} for k in ("id", "short_code", "code", "valid_from", "valid_until", "status")},
                                "language": {"type": "string", "description": "the letter language asked for (BCP 47, canonical case)"},
                                "letter_language": {"type": "string", "description": (
                                    "the language the letter is written in: the longest prefix of `language` with letter "
                                    "texts (de-CH → de), else de")},
                                "notes": {"type": "array", "items": {"type": "string"}, "description": (
                                    "what the caller should know, e.g. that the letter falls back to German")},
                                "warnings": {"type": "array", "items": {"type": "string"}, "description": (
                                    "on issue: what a person should check, e.g. that the voucher replaced was already used")},
                                "replaced_by": {"type": ["string", "null"], "description": (
                                    "the id of the voucher that re-issued this one (`replaces`), once there is one")},
                                "redemptions": {"type": "array", "items": SCAN,
                                                "description": "GET only: journey devices' scans, oldest first"},
                                "attendances": {"type": "array", "items": SCAN,
                                                "description": "GET only: reception devices' scans, oldest first"},
                            }},
                "Scan": {"type": "object", "properties": {
                    **{k: {"type": "string"} for k in ("client_id", "device_id", "redeemed_at", "received_at", "outcome")},
                    "location": {"type": ["string", "null"]}, "flags": {"type": "array", "items": {"type": "string"}},
                    "purpose": {"enum": list(purposes.PURPOSES)}}},
                "IssueBatch": {"type": "object", "required": ["vouchers"], "additionalProperties": False, "properties": {
                    "vouchers": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/IssueRequest"}}}},
                "BatchResults": {"type": "object", "properties": {"results": {"type": "array", "items": {
                    "type": "object", "required": ["index", "status"], "properties": {
                        "index": {"type": "integer"}, "status": {"type": "integer"}, "voucher": VOUCHER, "problem": PROBLEM}}}}},
                "Problem": {"type": "object", "properties": {
                    "status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}},
            },
        },
    }


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/openapi.json", view_func=spec, endpoint="openapi")
