"""The probe's bad values (NUL bytes, line breaks, extreme dates, overlong text) on every page and
API field that takes them: a 4xx with a message, never a 500 and never a database error, and
PostgreSQL's server log never carries a row's personal data."""

from __future__ import annotations

import glob
import io
import os

import pytest
from sqlalchemy import event

from tests.conftest import voucher_request
from tests.staff.conftest import post_form, sign_in

NUL, BREAK, LONG = "a\x00b", "a\r\nb", "x" * 5000
DAYS = ["0001-01-01", "9999-12-31", "1999-12-31", "3000-01-01", NUL]
SENTINEL = f"Zora Probe{os.getpid()}"  # the holder's name, looked for in the server log


def probes(voucher_id: str) -> list[tuple[str, str, dict]]:
    """(method, path, arguments for the test client): the bad values of the probe, per field."""
    cases = [("GET", "/counter/", {"query_string": {"q": q}}) for q in (NUL, "\x00", BREAK)]
    for day in DAYS:
        cases += [
            ("GET", "/counter/", {"query_string": {"q": "Zora", "day": day}}),
            ("GET", "/counter/", {"query_string": {"day": day}}),
            ("GET", "/finance/", {"query_string": {"from": day, "to": "2026-12-31"}}),
            ("GET", "/finance/", {"query_string": {"from": "2026-12-01", "to": day}}),
            ("GET", "/finance/report.csv", {"query_string": {"from": day, "to": day}}),
            ("GET", "/finance/flags", {"query_string": {"from": day, "to": day}}),
            ("GET", f"/finance/vouchers/{voucher_id}", {"query_string": {"from": day, "to": day}}),
            ("API", "/api/v1/reconciliation", {"query_string": {"from": day, "to": day}}),
            ("API", "/api/v1/reconciliation/flags", {"query_string": {"from": day, "to": day}}),
            ("API", "/api/v1/vouchers", {"json": voucher_request(valid_from=day, valid_until=day)}),
        ]
    for field in ("holder_name", "origin", "destination", "cost_center", "customer_ref", "external_ref"):
        cases += [("API", "/api/v1/vouchers", {"json": voucher_request(**{field: value})}) for value in (NUL, LONG)]
    cases += [
        ("GET", f"/counter/vouchers/{NUL}", {}), ("GET", f"/counter/vouchers/{LONG}", {}),
        ("GET", f"/finance/vouchers/{NUL}", {}),
        ("API", "/api/v1/vouchers/a%00b", {}), ("API", f"/api/v1/vouchers/{LONG}", {}),
        ("API", f"/api/v1/vouchers/{voucher_id}/revoke", {"json": {"reason": NUL}}),
        ("API", "/api/v1/redemptions", {"json": {"device_id": NUL, "redemptions": [
            {"client_id": NUL, "code": NUL, "redeemed_at": "2026-12-03T08:00:00Z", "location": NUL}]}}),
        ("API", "/api/v1/redemptions", {"json": {"device_id": "bus-1", "redemptions": [
            {"client_id": "c1", "code": "x", "redeemed_at": "9999-12-31T23:59:59Z"}]}}),
    ]
    issue_form = {"holder_name": "Zora", "valid_from": "2026-12-03", "valid_until": "2026-12-03", "origin": "A",
                  "destination": "B", "cost_center": "KST-1", "route": "stations", "language": "de"}
    for field, value in [("holder_name", NUL), ("holder_name", LONG), ("origin", NUL), ("cost_center", BREAK),
                         ("customer_ref", NUL), ("address_1", NUL), ("appointment_place", LONG),
                         ("valid_from", "0001-01-01"), ("valid_until", "9999-12-31"), ("appointment_at", "9999-12-31T23:59"),
                         ("max_fare", "99999999999999999999"), ("language", NUL)]:
        cases.append(("FORM", "/counter/new", {"data": {**issue_form, field: value}}))
    for field, value in [("operator", NUL), ("operator", LONG), ("from", "0001-01-01"), ("to", "9999-12-31"), ("from", NUL)]:
        values = {"operator": "Stadtbus", "from": "2026-12-01", "to": "2026-12-31", field: value}
        cases.append(("FORM", "/finance/invoices", {"data": {**values, "invoice": (io.BytesIO(b"x"), "invoice.csv")}}))
        cases.append(("API", "/api/v1/invoices/match", {"query_string": values, "data": b"x"}))
    cases.append(("FORM", "/language", {"data": {"lang": NUL, "next": NUL}, "page": "/"}))
    return cases


class ServerLog:
    """The new lines of PostgreSQL's server log since the last look (None when not readable, as in
    a CI without access to it: then the database errors counted below still decide)."""

    def __init__(self):
        paths = sorted(glob.glob("/var/log/postgresql/*.log"), key=os.path.getmtime)
        self.path = paths[-1] if paths and os.access(paths[-1], os.R_OK) else None
        self.at = os.path.getsize(self.path) if self.path else 0

    def new(self) -> str | None:
        if self.path is None:
            return None
        with open(self.path, "rb") as log:
            log.seek(self.at)
            text = log.read().decode("utf-8", "replace")
        self.at += len(text.encode("utf-8", "replace"))
        return text


def test_bad_values_get_a_4xx_and_reach_no_database(app, client, person, issue, auth):
    voucher = issue(holder_name=SENTINEL, customer_ref="PSN-PROBE-1")
    person("root", "admin")
    sign_in(client, "root")
    failed: list[str] = []
    event.listen(app.extensions["voucher"].db.engine, "handle_error", lambda ctx: failed.append(str(ctx.original_exception)))
    log = ServerLog()
    wrong = []
    for method, path, arguments in probes(voucher["id"]):
        if method == "API":
            verb = "post" if "json" in arguments or "data" in arguments else "get"
            role = "verifier" if "redemptions" in path else "finance" if "reconciliation" in path or "invoices" in path else "issuer"
            response = getattr(client, verb)(path, headers=auth(role), **arguments)
        elif method == "FORM":
            response = post_form(client, path, arguments["data"], page=arguments.get("page"))
        else:
            response = client.get(path, **arguments)
        written = log.new() or ""
        if response.status_code >= 500 or failed or SENTINEL in written or "PSN-PROBE-1" in written:
            wrong.append((path, arguments, response.status_code, failed[:]))
        failed.clear()
    assert wrong == []


@pytest.mark.parametrize("reason", [NUL, LONG * 3])
def test_a_bad_cancellation_reason_is_a_4xx_on_the_counter(app, client, person, issue, reason):
    voucher = issue()
    person("anna")
    sign_in(client, "anna")
    response = post_form(client, f"/counter/vouchers/{voucher['id']}/cancel", {"reason": reason})
    assert 400 <= response.status_code < 500
