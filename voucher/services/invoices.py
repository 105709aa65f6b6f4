"""Operator invoices: matched once, stored, and reported the same way ever after.

An uploaded invoice is stored with its period, its file's SHA-256, every line with its outcome
(voucher/services/invoice_matching.py) and its totals; the report is always rendered from what
is stored, so the answer to the upload and `GET /invoices/{id}` are the same document. The same
file again (same digest) returns the stored report with `duplicate_of` and changes nothing.

Totals: `billed_cents` is the sum of the lines read (credit notes negative), `payable_cents`
what the matched lines pay (less any excess over the maximum fare) minus what credit notes take
back, `disputed_cents = billed_cents - payable_cents` what needs a person. Refused lines are not
billed: they are counted in `rejected_lines`, and their amounts, where readable, in
`rejected_cents`.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from .. import metrics
from ..invoice_csv import InvoiceFile, Rejected
from ..store import Counter, Invoice, InvoiceLine
from ..timefmt import format_instant, format_local, parse_instant
from . import audit
from .errors import NotFound
from .invoice_matching import CREDITED, MATCHED, match, stored_row

COUNTER = "invoices"
# The report's lists: the first six are the original contract, the others were added.
LOCAL_TIMES = ("redeemed_at", "revoked_at")  # instants the CSV shows in the office's time
LISTS = ("matched", "billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare",
         "redeemed_not_billed", "date_mismatch", "credited", "credit_unmatched")
# Lines a person must look at before the invoice is paid.
DISPUTED = ("billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare", "date_mismatch",
            "credit_unmatched")
REJECTED = "rejected"
_LINE_FIELDS = ("line", "voucher_id", "travel_date", "amount_cents")


def submit(session: Session, upload: InvoiceFile, operator: str | None, actor: str, now: datetime,
           tz: ZoneInfo) -> dict:
    """Match and store the invoice (committed), or return the stored one if this file was seen."""
    invoice_id = _next_id(session)  # holds the counter's row lock: one invoice is matched at a time
    earlier = session.scalar(select(Invoice).where(Invoice.sha256 == upload.sha256))
    if earlier is not None:
        session.rollback()
        return {**report(session, earlier.id), "duplicate_of": earlier.id,
                "note": f"This file was uploaded before as invoice {earlier.id} on "
                        f"{format_instant(earlier.uploaded_at)}; nothing was changed."}
    rows = match(session, invoice_id, upload.lines, upload.period, tz) + [_rejected_row(r) for r in upload.rejected]
    rows.sort(key=lambda row: (row["line"] is None, row["line"] or 0))
    first, last = upload.period or (None, None)
    invoice = Invoice(
        id=invoice_id, operator=operator, period_from=first, period_to=last, period_source=upload.period_source,
        sha256=upload.sha256, size_bytes=upload.size, encoding=upload.encoding, decimal=upload.convention,
        delimiter="tab" if upload.delimiter == "\t" else upload.delimiter,
        lines=len(upload.lines) + len(upload.rejected), totals=_totals(rows), uploaded_by=actor, uploaded_at=now)
    needs_person = invoice.totals["rejected_lines"] or any(invoice.totals[f"{name}_count"] for name in DISPUTED)
    invoice.status = "review" if needs_person else "ok"
    session.add(invoice)
    session.flush()
    if rows:
        session.execute(insert(InvoiceLine), [{**row, "invoice_id": invoice_id} for row in rows])
    audit.record(session, actor, "invoice_match", now, invoice_id=invoice_id, operator=operator,
                 sha256=upload.sha256, lines=invoice.lines, rejected=len(upload.rejected),
                 billed_cents=invoice.totals["billed_cents"], payable_cents=invoice.totals["payable_cents"])
    metrics.on_commit(session, metrics.INVOICES)
    session.commit()
    return _render(invoice, rows)


def report(session: Session, invoice_id: int) -> dict:
    """The stored report of one invoice."""
    invoice = session.get(Invoice, invoice_id) if 0 < invoice_id < 2**31 else None
    if invoice is None:
        raise NotFound(f"no invoice with id {invoice_id}")
    columns = [c for c in InvoiceLine.__table__.columns if c.name not in ("id", "invoice_id")]
    rows = session.execute(select(*columns).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.id))
    return _render(invoice, [dict(row._mapping) for row in rows])


def listing(session: Session, limit: int) -> list[dict]:
    """The newest invoices first, without their lines."""
    invoices = session.scalars(select(Invoice).order_by(Invoice.uploaded_at.desc(), Invoice.id.desc()).limit(limit))
    return [{**_summary(invoice), "totals": invoice.totals} for invoice in invoices]


def _next_id(session: Session) -> int:
    return session.execute(update(Counter).where(Counter.name == COUNTER).values(value=Counter.value + 1)
                           .returning(Counter.value)).scalar_one()


def _rejected_row(rejected: Rejected) -> dict:
    return stored_row(REJECTED, rejected.line, rejected.voucher_id, rejected.travel_date, rejected.amount_cents,
                      {"kind": rejected.kind, "error": rejected.error, "error_de": rejected.error_de,
                       "column": rejected.column, "value": rejected.value})


def _totals(rows: list[dict]) -> dict:
    read = [row for row in rows if row["line"] is not None and row["outcome"] != REJECTED]
    rejected = [row for row in rows if row["outcome"] == REJECTED]
    counts = {name: sum(row["outcome"] == name for row in rows) for name in LISTS}
    counts["over_max_fare"] = sum("excess_cents" in row["detail"] for row in read)
    billed, payable = sum(row["amount_cents"] for row in read), sum(row["payable_cents"] for row in rows)
    return {
        "lines": len(read), "billed_cents": billed,
        "matched_cents": sum(row["amount_cents"] for row in read if row["outcome"] == MATCHED),
        "credited_cents": sum(row["amount_cents"] for row in read if row["outcome"] == CREDITED),
        "excess_cents": sum(row["detail"].get("excess_cents", 0) for row in read),
        "payable_cents": payable, "disputed_cents": billed - payable,
        "rejected_lines": len(rejected), "rejected_cents": sum(row["amount_cents"] or 0 for row in rejected),
        **{f"{name}_count": n for name, n in counts.items()},
    }


def _render(invoice: Invoice, rows: list[dict]) -> dict:
    out: dict[str, list] = {name: [] for name in LISTS}
    out["rejected_lines"] = []
    for row in rows:
        entry = {k: row[k] for k in _LINE_FIELDS}
        entry["travel_date"] = entry["travel_date"] and entry["travel_date"].isoformat()
        if row["outcome"] == REJECTED:
            out["rejected_lines"].append({**entry, **row["detail"]})
        elif row["outcome"] == "redeemed_not_billed":
            out["redeemed_not_billed"].append({"voucher_id": row["voucher_id"], **row["detail"]})
        else:
            if row["reverses_invoice_id"] is not None:
                entry.update(reverses_invoice_id=row["reverses_invoice_id"], reverses_line=row["reverses_line"])
            entry.update(row["detail"])
            out[row["outcome"]].append(entry)
            if "excess_cents" in row["detail"]:
                out["over_max_fare"].append(entry)
    return {"invoice": _summary(invoice), **out, "totals": invoice.totals}


def _summary(invoice: Invoice) -> dict:
    return {
        "id": invoice.id, "operator": invoice.operator,
        "period_from": invoice.period_from and invoice.period_from.isoformat(),
        "period_to": invoice.period_to and invoice.period_to.isoformat(), "period_source": invoice.period_source,
        "sha256": invoice.sha256, "size_bytes": invoice.size_bytes, "encoding": invoice.encoding,
        "delimiter": invoice.delimiter, "decimal": invoice.decimal, "lines": invoice.lines,
        "status": invoice.status, "uploaded_by": invoice.uploaded_by,
        "uploaded_at": format_instant(invoice.uploaded_at),
    }


def tables(report: dict, tz: tzinfo) -> dict[str, list[dict]]:
    """The report as CSV sections: the invoice, its totals, every list and the refused lines.
    Journey and cancellation times are the office's local time (with offset), as people read them."""
    invoice = dict(report["invoice"])
    if "duplicate_of" in report:
        invoice["duplicate_of"] = report["duplicate_of"]
    return {"invoice": [invoice], "totals": [report["totals"]],
            **{name: [_local(row, tz) for row in report[name]] for name in LISTS},
            "rejected_lines": report["rejected_lines"]}


def _local(row: dict, tz: tzinfo) -> dict:
    return {key: format_local(parse_instant(value), tz) if key in LOCAL_TIMES and isinstance(value, str) else value
            for key, value in row.items()}
