"""Operator invoices: matched once, stored, and reported the same way ever after.

An uploaded invoice is stored with its period, its file's SHA-256, every line with its outcome
(voucher/services/invoice_matching.py) and its totals; the report is always rendered from what
is stored, so the answer to the upload and `GET /invoices/{id}` are the same document. The same
file again (same digest) returns the stored report with `duplicate_of` and changes nothing.

A large invoice is never held: its lines are matched a bucket of vouchers at a time
(invoice_matching.match), the rows wait in temporary files, are summed up as they are made
and inserted STORE_BATCH at a time, and the report is read back list by list as it is written
out (services/invoice_report.py).

Totals: `billed_cents` is the sum of the lines read (credit notes negative), `payable_cents`
what the matched lines pay (at most what each journey is owed: the lower of the fare table's
fare and the voucher's maximum fare, services/fares.py) minus what credit notes take back,
`disputed_cents = billed_cents - payable_cents` what needs a person. Every amount is gross, as
the operator bills it and as the fare table holds it (VAT included). Refused lines are not
billed: they are counted in `rejected_lines`, and their amounts, where readable, in
`rejected_cents`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from .. import metrics
from ..db import READ_ONLY, insert_rows
from ..invoice_csv import InvoiceFile, Rejected
from ..store import Counter, Invoice, InvoiceLine
from ..timefmt import format_instant
from . import audit, corrections
from .errors import NotFound
from .invoice_matching import CREDITED, CREDITED_PARTLY, MATCHED, Matched, match, paying, stored_row
from .invoice_report import REJECTED, Report, summary

COUNTER = "invoices"
MATCH_ATTEMPTS = 3  # snapshots tried before matching under the counter's lock
# The report's lists: the first six are the original contract, the others were added.
LISTS = ("matched", "billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare",
         "redeemed_not_billed", "date_mismatch", "credited", "credit_unmatched", "no_fare", "credited_partly")
# Lines a person must look at before the invoice is paid.
DISPUTED = ("billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare", "date_mismatch",
            "credit_unmatched", "no_fare")
STORE_BATCH = 100_000  # rows per INSERT (or COPY)
COLLECT_AFTER = 100_000  # new objects between two runs of the cycle collector while an invoice is matched
_LINES = cast(Table, InvoiceLine.__table__)
# _fewer_collections' state: the threshold it found, and how many invoices are being matched now.
_collections = SimpleNamespace(lock=threading.Lock(), before=gc.get_threshold(), matching=0)


def submit(session: Session, upload: InvoiceFile, operator: str | None, actor: str, now: datetime,
           tz: ZoneInfo) -> Report:
    """Match and store the invoice (committed), or return the stored one if this file was seen;
    the session must hold nothing uncommitted (what it read is let go). The report is read from
    the session when it is written out.
    An invoice with the number of a stored one (same operator) is its correction: matched as if
    the stored one had never paid, and only the difference is payable.

    Matching only reads, so it runs on a read-only snapshot (on SQLite: without the write lock,
    so issuing and the counter carry on during a large upload); the write transaction then takes
    the next invoice number only if no invoice was stored meanwhile (the counter still holds the
    value read), else matches again. The last attempt holds the counter's row lock throughout.
    The rows wait in temporary files (Spill) between the two, so a large invoice is never held."""
    with _fewer_collections():
        return _submit(session, upload, operator, actor, now, tz)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Matching a large invoice makes millions of objects that live until they are stored;
    Python's cycle collector, run after every 700 new objects, walks them again and again (a
    sixth of the time of a million lines). Matching makes no cycles worth collecting sooner.
    The threshold is the process's: the first of several invoices matched at once (threads)
    raises it, the last one done puts it back."""
    with _collections.lock:
        if not _collections.matching:
            _collections.before = gc.get_threshold()
            gc.set_threshold(COLLECT_AFTER, *_collections.before[1:])
        _collections.matching += 1
    try:
        yield
    finally:
        with _collections.lock:
            _collections.matching -= 1
            if not _collections.matching:
                gc.set_threshold(*_collections.before)


def _submit(session: Session, upload: InvoiceFile, operator: str | None, actor: str, now: datetime,
            tz: ZoneInfo) -> Report:
    matched = None
    try:
        for attempt in range(MATCH_ATTEMPTS):
            last = attempt == MATCH_ATTEMPTS - 1
            if last:
                invoice_id = _next_id(session)  # the counter's row lock: nothing else is stored meanwhile
            else:
                if session.in_transaction():  # the caller's (a sign-in check's) reads: nothing to keep
                    session.rollback()
                session.connection(execution_options=READ_ONLY)
                invoice_id = session.execute(select(Counter.value).where(Counter.name == COUNTER)).scalar_one() + 1
            earlier = session.scalar(select(Invoice).where(Invoice.sha256 == upload.sha256))
            if earlier is not None:
                session.rollback()
                return report(session, earlier.id, {
                    "duplicate_of": earlier.id, "note": f"This file was uploaded before as invoice {earlier.id} on "
                                                        f"{format_instant(earlier.uploaded_at)}; nothing was changed."})
            if matched is not None:
                matched.close()
            invoice, matched, differences, corrected = _matched(session, upload, operator or upload.operator, actor, now,
                                                                tz, invoice_id)
            if last:
                break
            session.rollback()  # the snapshot ends; take the number if nobody stored an invoice meanwhile
            if session.execute(update(Counter).where(Counter.name == COUNTER, Counter.value == invoice_id - 1)
                               .values(value=invoice_id).returning(Counter.value)).scalar_one_or_none() is not None:
                break
            session.rollback()
        if corrected is not None:
            session.execute(update(Invoice).where(Invoice.id == corrected).values(superseded_by=invoice_id))
        session.add(invoice)
        session.flush()
        assert matched is not None  # the loop ran at least once
        _store(session, invoice_id, _all_rows(matched, upload, differences))
    finally:
        if matched is not None:
            matched.close()
    audit.record(session, actor, "invoice_match", now, invoice_id=invoice_id, operator=invoice.operator,
                 sha256=upload.sha256, lines=invoice.lines, rejected=len(upload.rejected),
                 billed_cents=invoice.totals["billed_cents"], payable_cents=invoice.totals["payable_cents"],
                 corrects=invoice.corrects_id)
    metrics.on_commit(session, metrics.INVOICES)
    session.commit()
    return report(session, invoice_id)


def _matched(session: Session, upload: InvoiceFile, operator: str | None, actor: str, now: datetime, tz: ZoneInfo,
             invoice_id: int) -> tuple[Invoice, Matched, list[dict], int | None]:
    """The invoice as it will be stored, its lines' and unbilled journeys' rows, a correction's
    differences and the id of the invoice it corrects: reads only."""
    corrected = corrections.latest(session, upload.number, operator)
    corrects = corrected.id if corrected is not None else None
    totals = _Totals()
    matched = match(session, invoice_id, upload.lines, upload.period, tz, corrects, seen=totals.add,
                    references=_references(session, upload, operator))
    for rejected in upload.rejected:
        totals.add(_rejected_row(rejected))
    first, last = upload.period or (None, None)
    invoice = Invoice(
        id=invoice_id, operator=operator, period_from=first, period_to=last, period_source=upload.period_source,
        sha256=upload.sha256, size_bytes=upload.size, encoding=upload.encoding, decimal=upload.convention,
        delimiter="tab" if upload.delimiter == "\t" else upload.delimiter, number=upload.number,
        corrects_id=corrects, lines=len(upload.lines) + len(upload.rejected),
        totals=totals.of(upload), uploaded_by=actor, uploaded_at=now)
    differences = []
    if corrected is not None:
        paid = paying(session, corrected.id)
        differences = corrections.difference(_rows(session, corrected.id), paid, _all_rows(matched, upload))
        corrections.settle(invoice.totals, corrected.totals, paid)
    invoice.status = _status(invoice.totals)
    return invoice, matched, differences, corrects


def _all_rows(matched: Matched, upload: InvoiceFile, differences: Iterable[dict] = ()) -> Iterator[dict]:
    """The rows in the order they are stored: the file's lines read and refused, by line number;
    the journeys nobody billed; a correction's differences."""
    yield from matched.rows(_rejected_row(r) for r in upload.rejected)
    yield from differences


def _store(session: Session, invoice_id: int, rows: Iterator[dict]) -> None:
    """STORE_BATCH rows per statement: each well inside PostgreSQL's statement timeout."""
    while insert_rows(session, _LINES, islice(rows, STORE_BATCH), {"invoice_id": invoice_id}) == STORE_BATCH:
        pass


def _references(session: Session, upload: InvoiceFile, operator: str | None) -> dict[str, int | None]:
    """The stored invoice (latest version, same operator) each invoice number its credit lines
    name; None for a number not stored."""
    named = {line.reference for line in upload.lines if line.reference and line.amount_cents < 0}
    stored = {number: corrections.latest(session, number, operator) for number in sorted(named)}
    return {number: invoice.id if invoice is not None else None for number, invoice in stored.items()}


def _status(totals: dict) -> str:
    """'review' when anything needs a person: a refused line, a disputed kind, or a stated total
    that differs from the lines'."""
    needs_person = (totals["rejected_lines"] or any(totals[f"{name}_count"] for name in DISPUTED)
                    or totals.get("total_difference_cents"))
    return "review" if needs_person else "ok"


def report(session: Session, invoice_id: int, extra: dict | None = None) -> Report:
    """The stored report of one invoice, read on a snapshot when it is written out (services/invoice_report.py)."""
    if not session.in_transaction():  # a snapshot: viewing never takes SQLite's write lock
        session.connection(execution_options=READ_ONLY)
    invoice = session.get(Invoice, invoice_id) if 0 < invoice_id < 2**31 else None
    if invoice is None:
        raise NotFound(f"no invoice with id {invoice_id}")
    return Report(session, invoice, LISTS, extra or {})


def _rows(session: Session, invoice_id: int) -> Iterator[dict]:
    columns = [c for c in InvoiceLine.__table__.columns if c.name not in ("id", "invoice_id")]
    rows = session.execute(select(*columns).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.id)
                           .execution_options(yield_per=STORE_BATCH))
    return (dict(row._mapping) for row in rows)


def listing(session: Session, limit: int) -> list[dict]:
    """The newest invoices first, without their lines."""
    if not session.in_transaction():
        session.connection(execution_options=READ_ONLY)
    invoices = session.scalars(select(Invoice).order_by(Invoice.uploaded_at.desc(), Invoice.id.desc()).limit(limit))
    return [{**summary(invoice), "totals": invoice.totals} for invoice in invoices]


def _next_id(session: Session) -> int:
    return session.execute(update(Counter).where(Counter.name == COUNTER).values(value=Counter.value + 1)
                           .returning(Counter.value)).scalar_one()


def _rejected_row(rejected: Rejected) -> dict:
    return stored_row(REJECTED, rejected.line, rejected.voucher_id, rejected.travel_date, rejected.amount_cents,
                      {"kind": rejected.kind, "error": rejected.error, "error_de": rejected.error_de,
                       "column": rejected.column, "value": rejected.value})


class _Totals:
    """The invoice's totals, summed up row by row as matching makes them."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(LISTS, 0)
        self.read = self.billed = self.matched = self.credited = self.excess = self.over = self.payable = 0
        self.rejected = self.rejected_cents = 0

    def add(self, row: dict) -> None:
        outcome, amount = row["outcome"], row["amount_cents"]
        if outcome in self.counts:
            self.counts[outcome] += 1
        self.payable += row["payable_cents"]
        if outcome == REJECTED:
            self.rejected += 1
            self.rejected_cents += amount or 0
        elif row["line"] is not None:
            self.read += 1
            self.billed += amount
            self.matched += amount if outcome == MATCHED else 0
            self.credited += amount if outcome in (CREDITED, CREDITED_PARTLY) else 0
            if "excess_cents" in row["detail"]:
                self.over += 1
                self.excess += row["detail"]["excess_cents"]

    def of(self, upload: InvoiceFile) -> dict:
        billed = self.billed
        return {
            "lines": self.read, "billed_cents": billed, "matched_cents": self.matched, "credited_cents": self.credited,
            "excess_cents": self.excess, "payable_cents": self.payable, "disputed_cents": billed - self.payable,
            "rejected_lines": self.rejected, "rejected_cents": self.rejected_cents,
            **{f"{name}_count": n for name, n in (self.counts | {"over_max_fare": self.over}).items()},
            # The file's own account: its lines (read + refused + sum lines), its stated total, VAT.
            "lines_in_file": upload.lines_in_file, "sum_lines": upload.sum_lines,
            "stated_total_cents": upload.stated_total_cents,
            "total_difference_cents": None if upload.stated_total_cents is None else upload.stated_total_cents - billed,
            "net_cents": upload.net_cents, "vat_cents": upload.vat_cents,
        }


def tables(report: Mapping) -> dict[str, Sequence[dict]]:
    """The report as CSV sections: the invoice, its totals, every list and the refused lines
    (machine-readable: instants in UTC; services/invoice_export.py makes the German one)."""
    invoice = dict(report["invoice"])
    if "duplicate_of" in report:
        invoice["duplicate_of"] = report["duplicate_of"]
    return {"invoice": [invoice], "totals": [report["totals"]], **{name: report[name] for name in LISTS},
            "rejected_lines": report["rejected_lines"], "corrections": report.get("corrections", [])}
