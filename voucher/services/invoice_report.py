"""A stored invoice's report, as the API, the CLI and the page give it: always read from what is
stored, so the answer to the upload and `GET /invoices/{id}` are the same document.

The report is a mapping, as its JSON document is: "invoice" (the summary), every list of
invoices.LISTS, "rejected_lines", "corrections", "totals", and for a file seen before
"duplicate_of" and "note". Each list is read from the database only when it is iterated (one
query, in batches, in file order), so a report of a million lines is written out (json_text)
or shown a page at a time without ever being held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any, Literal, overload

from sqlalchemy import Row, RowMapping, String, Text, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..store import Invoice, InvoiceLine
from ..timefmt import format_instant
from .corrections import DIFFERENCE
from .invoice_matching import MATCHED

AMOUNTS = "gross"  # every amount includes VAT, like the fare table's prices (services/fares.py)
REJECTED = "rejected"
UNBILLED = "redeemed_not_billed"
OVER = "over_max_fare"  # matched lines that bill more than is owed: listed under matched too
_COLUMNS = [c for c in InvoiceLine.__table__.columns if c.name not in ("id", "invoice_id")]
# The same, with the day and the detail as the text the database holds (ISO day, JSON object).
_RAW = [*(c for c in _COLUMNS if c.name not in ("travel_date", "detail")),
        cast(InvoiceLine.travel_date, String).label("travel_date"), cast(InvoiceLine.detail, Text).label("detail")]
_RAW_AT = {column.name: at for at, column in enumerate(_RAW)}
_BATCH = 1000  # rows read at a time
_OUTCOMES = {"rejected_lines": REJECTED, "corrections": DIFFERENCE}  # else a list's outcome is its name


class Report(Mapping[str, Any]):
    def __init__(self, session: Session, invoice: Invoice, lists: Sequence[str], extra: Mapping[str, Any] | None = None):
        self.session, self.invoice = session, invoice
        totals = invoice.totals
        counts = {**{name: totals.get(f"{name}_count") for name in lists}, "rejected_lines": totals.get("rejected_lines")}
        self._items: dict[str, Any] = {
            "invoice": summary(invoice),
            **{name: Entries(session, invoice.id, name, counts.get(name)) for name in (*lists, "rejected_lines", "corrections")},
            "totals": totals, **(extra or {})}

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def billed(self) -> dict[str, tuple[int, int | None]]:
        """(lines, what they bill or None when no line has a readable amount) by outcome: one query."""
        rows = self.session.execute(select(InvoiceLine.outcome, func.count(), func.sum(InvoiceLine.amount_cents))
                                    .where(InvoiceLine.invoice_id == self.invoice.id).group_by(InvoiceLine.outcome))
        return {outcome: (count, None if cents is None else int(cents)) for outcome, count, cents in rows}


class Entries(Sequence[dict]):
    """One list of a report, read when it is iterated or sliced (the page shows the first lines),
    in file order. `count`: its length as the invoice's totals state it (None: not stated)."""

    def __init__(self, session: Session, invoice_id: int, name: str, count: int | None):
        self.session, self.name, self._count = session, name, count
        self.where = [InvoiceLine.invoice_id == invoice_id,
                      InvoiceLine.outcome == _OUTCOMES.get(name, MATCHED if name == OVER else name)]
        if name == OVER:
            self.where.append(InvoiceLine.detail["excess_cents"].as_integer().is_not(None))

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.session.execute(select(func.count()).where(*self.where)).scalar_one()
        return self._count

    def __iter__(self) -> Iterator[dict]:
        for row in self._rows(_COLUMNS):
            yield entry(self.name, row)

    def json_texts(self, ensure_ascii: bool) -> Iterator[str]:
        """Each entry as JSON text, as json.dumps writes it: its stored detail (JSON already)
        copied as it is, never decoded, and its head's few numbers and texts written here (the
        json module's encoder, made anew for every small object, took most of the time)."""
        string = encode_basestring_ascii if ensure_ascii else encode_basestring
        plain, reversing = _shown(self.name, False), _shown(self.name, True)
        keys = {shown: [(f"{string(key)}: ", _RAW_AT[key]) for key in shown] for shown in (plain, reversing)}
        reverses, detail = _RAW_AT["reverses_invoice_id"], _RAW_AT["detail"]
        for row in self._rows(_RAW, mapped=False):
            head = ", ".join([key + ("null" if (value := row[at]) is None else string(value) if value.__class__ is str
                                     else str(int(value)))
                              for key, at in keys[reversing if row[reverses] is not None else plain]])
            yield f"{{{head}}}" if row[detail] == "{}" else f"{{{head}, {row[detail][1:]}"

    @overload
    def _rows(self, columns: Sequence[ColumnElement]) -> Iterator[RowMapping]: ...

    @overload
    def _rows(self, columns: Sequence[ColumnElement], mapped: Literal[False]) -> Iterator[Row]: ...

    def _rows(self, columns: Sequence[ColumnElement], mapped: bool = True) -> Iterator[RowMapping] | Iterator[Row]:
        if self._count == 0:  # stated empty: not looked for
            return
        select_ = select(*columns).where(*self.where).order_by(InvoiceLine.id).execution_options(yield_per=_BATCH)
        result = self.session.connection().execute(select_)
        if mapped:
            yield from result.mappings()
        else:
            for rows in result.partitions():
                yield from rows

    @overload
    def __getitem__(self, index: int) -> dict: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict]: ...

    def __getitem__(self, index: int | slice) -> dict | list[dict]:
        if isinstance(index, int):
            found = self[index:index + 1] if index >= 0 else self[len(self) + index:len(self) + index + 1]
            if not found:
                raise IndexError("report list index out of range")
            return found[0]
        start, stop, step = index.indices(len(self))
        rows = self.session.connection().execute(
            select(*_COLUMNS).where(*self.where).order_by(InvoiceLine.id).offset(start).limit(max(0, stop - start)))
        return [entry(self.name, row) for row in rows.mappings()][::step]


def entry(name: str, row: RowMapping) -> dict:
    """A stored row as its list shows it."""
    day = row["travel_date"]
    head = {key: row[key] for key in _shown(name, row["reverses_invoice_id"] is not None)}
    if "travel_date" in head:
        head["travel_date"] = day.isoformat() if isinstance(day, date) else day
    return head | row["detail"]


def _shown(name: str, reverses: bool) -> tuple[str, ...]:
    """The columns an entry shows before its detail, in order (a credit's: the line it reverses)."""
    if name == "corrections":
        return "voucher_id", "travel_date"
    if name == UNBILLED:
        return ("voucher_id",)
    if name != "rejected_lines" and reverses:
        return "line", "voucher_id", "travel_date", "amount_cents", "reverses_invoice_id", "reverses_line"
    return "line", "voucher_id", "travel_date", "amount_cents"


def summary(invoice: Invoice) -> dict:
    return {
        "id": invoice.id, "operator": invoice.operator, "amounts": AMOUNTS,
        "period_from": invoice.period_from and invoice.period_from.isoformat(),
        "period_to": invoice.period_to and invoice.period_to.isoformat(), "period_source": invoice.period_source,
        "sha256": invoice.sha256, "size_bytes": invoice.size_bytes, "encoding": invoice.encoding,
        "delimiter": invoice.delimiter, "decimal": invoice.decimal, "lines": invoice.lines,
        "status": invoice.status, "uploaded_by": invoice.uploaded_by, "number": invoice.number,
        "corrects_id": invoice.corrects_id, "superseded_by": invoice.superseded_by,
        "uploaded_at": format_instant(invoice.uploaded_at),
    }


def json_text(report: Mapping[str, Any], ensure_ascii: bool = True) -> Iterator[str]:
    """The report as one JSON document, each list's entries a line each, in pieces of about
    64 KB as they are read."""
    pieces: list[str] = []
    size = 0
    for piece in _json_pieces(report, ensure_ascii):
        pieces.append(piece)
        size += len(piece)
        if size >= 1 << 16:
            yield "".join(pieces)
            pieces, size = [], 0
    yield "".join(pieces)


def _json_pieces(report: Mapping[str, Any], ensure_ascii: bool) -> Iterator[str]:
    dump = json.JSONEncoder(ensure_ascii=ensure_ascii).encode
    yield "{"
    for index, (key, value) in enumerate(report.items()):
        yield f'{"," if index else ""}\n  {dump(key)}: '
        if isinstance(value, Entries):
            separator = "[\n    "
            for item in value.json_texts(ensure_ascii):
                yield separator + item
                separator = ",\n    "
            yield "[]" if separator.startswith("[") else "\n  ]"
        else:
            yield dump(value)
    yield "\n}\n"
