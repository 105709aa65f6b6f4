"""Operator invoices: upload one for matching (it is stored), list them, read a stored report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from flask import Blueprint, Response, request
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from .. import context, invoice_csv
from ..access import log_download
from ..schemas import InvoiceOptions
from ..services import invoice_export, invoice_report, invoices
from ..services.invoice_report import Report
from .auth import actor, requires
from .finance import csv_response


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "csv"] = "json"
    decimal: Literal["point", "comma"] = "point"


class MatchQuery(ReportQuery, InvoiceOptions):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(100, ge=1, le=1000)


@requires("finance")
def match_invoice():
    """The body is the invoice file's bytes as they are (any of the accepted encodings)."""
    query = MatchQuery.model_validate(request.args.to_dict())
    services, now = context.services(), context.now()
    context.session().rollback()  # the token check's reads: on SQLite, no write lock held while the body is read
    request.max_content_length = invoice_csv.MAX_BYTES  # this route only; the app's limit stays small
    try:
        upload = invoice_csv.read(request.stream, now.astimezone(services.settings.timezone).date(), query.period)
    except (invoice_csv.TooLarge, RequestEntityTooLarge):
        raise RequestEntityTooLarge(f"An invoice may be at most {invoice_csv.MAX_SIZE_IN_WORDS}; this one is larger "
                                    "and was not read. Split it into several files (a week each, say).") from None
    except invoice_csv.Unreadable as exc:
        raise BadRequest(str(exc)) from None
    report = invoices.submit(context.session(), upload, query.operator, actor(), now, services.settings.timezone)
    return _answer(report, query)


@requires("finance")
def list_invoices():
    query = ListQuery.model_validate(request.args.to_dict())
    return {"invoices": invoices.listing(context.session(), query.limit)}


@requires("finance")
def get_invoice(invoice_id: int):
    query = ReportQuery.model_validate(request.args.to_dict())
    context.session().rollback()  # the token check's reads: the report is read on a snapshot
    return _answer(invoices.report(context.session(), invoice_id), query)


def _answer(report: Report, query: ReportQuery) -> Response:
    """The report as JSON or CSV, streamed: its lists are read from the request's session as
    they are sent, and the session is closed when the answer ends."""
    if query.format == "csv":
        return report_csv(report, query.decimal)
    session = context.keep_session()

    def pieces() -> Iterator[str]:
        try:
            yield from invoice_report.json_text(report)
        finally:
            session.close()

    response = Response(pieces(), mimetype="application/json")
    response.call_on_close(session.close)
    return response


def report_csv(report: Report, decimal: str) -> Response:
    """An invoice's report as a CSV download (the finance page's too): with the decimal comma,
    German Excel's, in German (services/invoice_export.py); else the machine-readable one.
    Streamed, as _answer's JSON."""
    log_download("csv_export", report="invoice_match", invoice_id=report["invoice"]["id"])
    data, words = invoice_export.export(report, decimal == "comma", context.services().settings.timezone)
    # a copy typed as the tables csv_response takes (dict is invariant in its values)
    return csv_response(dict(data), decimal, f"invoice-{report['invoice']['id']}-match.csv", context.keep_session(),
                        words=words)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/invoices", view_func=list_invoices)
    bp.add_url_rule("/invoices/<int:invoice_id>", view_func=get_invoice)
    bp.add_url_rule("/invoices/match", view_func=match_invoice, methods=["POST"])
