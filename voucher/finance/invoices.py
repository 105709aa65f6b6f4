"""Operator invoices on the finance page: upload one (the file's bytes go to the one reader,
voucher/invoice_csv.py, and the same service as POST /api/v1/invoices/match), the past ones
with their status, each one's report by kind with counts and sums, and its CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from .. import context, invoice_csv
from ..api.invoices import report_csv
from ..schemas import InvoiceOptions
from ..services import invoices
from ..services.invoice_matching import REASONS
from ..services.invoice_report import Report
from ..staff import accepts_upload
from ..staff.auth import page_for
from ..staff.i18n import day, either, euros, moment, t
from . import bp, period

PAST = 100  # invoices listed
SHOWN = 200  # lines shown per kind; the CSV has every one
# The report's kinds in the order a clerk works through them: what is paid, then what needs a
# person, then what the operator did not bill and what could not be read.
KINDS = ("matched", "over_max_fare", "credited", "credited_partly", "no_fare", "billed_twice", "billed_after_revocation",
         "billed_not_redeemed", "date_mismatch", "credit_unmatched", "redeemed_not_billed", "rejected_lines")
# The lines shown below the summary: what needs a person first, what is paid last.
SECTIONS = ("no_fare", "billed_twice", "billed_after_revocation", "billed_not_redeemed", "date_mismatch", "over_max_fare",
            "credit_unmatched", "rejected_lines", "redeemed_not_billed", "credited", "credited_partly", "matched")
_OUTCOMES = {"rejected_lines": "rejected"}  # else a kind's outcome is its name
ENCODINGS = {"cp1252": "Windows-1252", "utf-8": "UTF-8", "utf-16": "UTF-16"}


@dataclass(frozen=True)
class Kind:
    key: str
    count: int
    cents: int | None  # what its lines bill (None: lines that bill nothing)
    entries: Sequence[dict]


def kinds(report: Report) -> list[Kind]:
    """Every kind of the report with its count and the sum its lines bill. A line above what is
    owed is counted once: its excess under over_max_fare, the rest under matched, so the kinds'
    sums (refused lines aside, which are not billed) add up to the billed total. Counted and
    summed by the database: a report may have a million lines, of which the page shows a few."""
    billed = report.billed()
    excess = report["totals"]["excess_cents"]
    out = []
    for key in KINDS:
        entries = report[key]
        count, cents = billed.get(_OUTCOMES.get(key, key), (0, None))
        if key == "over_max_fare":
            count, cents = len(entries), excess
        elif key == "matched":
            cents = (cents or 0) - excess
        elif key != "rejected_lines":  # refused lines may have no readable amount at all
            cents = None if key == "redeemed_not_billed" else cents or 0  # unbilled journeys bill nothing
        out.append(Kind(key, count, cents, entries))
    return out


def _euros_or_none(cents: int | None) -> str:
    return t("none_short") if cents is None else euros(cents)


def _instant(text: str | None) -> str:
    return moment(datetime.fromisoformat(text)) if text else ""


def note(key: str, entry: dict) -> str:
    """What a clerk needs to know about one line of a kind, in words; a credit that names the
    invoice it credits says which."""
    text = _note(key, entry)
    return f"{text} · {t('note_reference', reference=entry['reference'])}" if entry.get("reference") else text


def _reason(entry: dict) -> str:
    reason = entry.get("reason", "")
    return t(REASONS[reason]) if reason in REASONS else reason


def _note(key: str, entry: dict) -> str:
    if key == "matched":
        return t("note_journey", when=_instant(entry.get("redeemed_at")))
    if key == "over_max_fare":
        return t("note_excess", owed=_euros_or_none(entry.get("owed_cents")), fare=_euros_or_none(entry.get("fare_cents")),
                 max=_euros_or_none(entry.get("max_fare_cents")), excess=euros(entry["excess_cents"]))
    if key == "no_fare":
        return t("note_no_fare", when=_instant(entry.get("redeemed_at")))
    if key == "credited_partly":
        return t("note_credits_partly", invoice=entry["credits_invoice_id"], line=entry["credits_line"])
    if key == "billed_twice":
        return t("note_billed_twice", invoice=entry["earlier_invoice_id"], line=entry["earlier_line"])
    if key == "billed_after_revocation":
        if entry.get("redeemed_at"):
            return t("note_revoked_journey", when=_instant(entry["revoked_at"]), journey=_instant(entry["redeemed_at"]))
        return t("note_revoked", when=_instant(entry.get("revoked_at")))
    if key == "billed_not_redeemed":
        return _reason(entry)
    if key == "date_mismatch":
        return t("note_other_dates", dates=", ".join(day(date.fromisoformat(d)) for d in entry["journey_dates"]))
    if key == "credited":
        return t("note_reverses", invoice=entry["reverses_invoice_id"], line=entry["reverses_line"])
    if key == "credit_unmatched":
        return _reason(entry)
    if key == "redeemed_not_billed":
        where = entry.get("location") or ""
        when = _instant(entry.get("redeemed_at"))
        return t("note_journey_at", when=when, where=where) if where else t("note_journey", when=when)
    error = either(entry.get("error_de", ""), entry.get("error", ""))
    whole = entry.get("value") and not entry.get("column")  # a line refused whole: show it as written
    return f"{error} {t('note_line_as_written', text=entry['value'])}" if whole else error


def _listing(problem: str | None = None, values: dict | None = None, status: int = 200):
    return render_template("finance/invoices.html", invoices=invoices.listing(context.session(), PAST),
                           problem=problem, values=values or {}), status


@bp.get("/invoices")
@page_for("finance")
def invoice_list():
    return _listing()


@bp.post("/invoices")
@page_for("finance")
@accepts_upload(invoice_csv.MAX_BYTES)
def upload():
    values = {name: request.form.get(name, "").strip() for name in ("operator", "from", "to")}
    file = request.files.get("invoice")
    if file is None or not file.filename:
        return _listing(t("err_invoice_missing"), values, 400)
    problem = period.chosen(values).problem if values["from"] or values["to"] else None
    if problem:
        return _listing(problem, values, 400)
    try:
        options = InvoiceOptions.model_validate({k: v for k, v in values.items() if v})
    except ValidationError:  # the period is fine (above): the operator's name is too long
        return _listing(t("err_operator"), values, 400)
    services, now = context.services(), context.now()
    tz = services.settings.timezone
    context.session().rollback()  # the sign-in check's reads: on SQLite, no write lock held while the file is read
    try:
        upload = invoice_csv.read(file.stream, now.astimezone(tz).date(), options.period)
    except invoice_csv.Unreadable as exc:
        return _listing(either(exc.de, exc.en), values, 413 if isinstance(exc, invoice_csv.TooLarge) else 400)
    report = invoices.submit(context.session(), upload, options.operator, current_user.actor, now, tz)
    flash("invoice_duplicate" if "duplicate_of" in report else "invoice_checked")
    return redirect(url_for("finance.invoice", invoice_id=report["invoice"]["id"]))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    return _listing(t("err_invoice_too_large"), status=413)


@bp.get("/invoices/<int:invoice_id>")
@page_for("finance")
def invoice(invoice_id: int):
    context.session().rollback()  # the sign-in check's reads: the report is read on a snapshot
    report = invoices.report(context.session(), invoice_id)
    found = kinds(report)
    by_key = {kind.key: kind for kind in found}
    return render_template("finance/invoice.html", report=report, summary=report["invoice"], totals=report["totals"],
                           kinds=found, sections=[by_key[key] for key in SECTIONS if by_key[key].count], note=note,
                           shown=SHOWN, encoding=ENCODINGS.get(report["invoice"]["encoding"], report["invoice"]["encoding"]))


@bp.get("/invoices/<int:invoice_id>/report.csv")
@page_for("finance")
def invoice_csv_download(invoice_id: int):
    report = invoices.report(context.session(), invoice_id)
    return report_csv(report, "comma" if request.args.get("decimal") == "comma" else "point")
