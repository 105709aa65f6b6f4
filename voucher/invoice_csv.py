"""The transit operator's invoice file, read the one way the API, the CLI and the page share.

The file arrives as bytes, up to MAX_BYTES, and is spooled to a temporary file while its
SHA-256 is taken, so a 50 MB month is never held in memory as a whole (nor twice).

Text: UTF-8 with or without byte-order mark, UTF-16 with byte-order mark (Excel's "Unicode
text"), otherwise Windows-1252 (German Excel's "CSV"). Separator: a `sep=;` first line (Excel)
names it; else the one of tab, `;` and `,` that splits the header into the needed columns.

Columns, in any order, names in any case: `voucher_id`, `travel_date`, and `amount_cents`
(whole cents) or `amount` (euros, see voucher/money.py); optional `period_from` and `period_to`;
anything else is ignored. Every line is either read or refused with its number and a reason;
a file that cannot be read at all raises Unreadable, and nothing of it is kept.

The invoice's period: from its period columns; else the one the caller gives; else the calendar
month most of its travel dates fall in. Lines outside the period, dated in the future, with a
two-digit year or an amount read ambiguously are refused.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import BinaryIO

from . import money
from .token import codes

MAX_BYTES = 50 * 1024 * 1024
MAX_SIZE_IN_WORDS = "50 MB (52,428,800 bytes)"
MAX_SIZE_IN_WORDS_DE = "50 MB (52.428.800 Bytes)"
MAX_PERIOD_DAYS = 366
COLUMNS = ("voucher_id", "travel_date", "amount_cents", "amount", "period_from", "period_to")
ALIASES = {"amount_eur": "amount"}  # the name our own decimal-comma exports use
_CHUNK = 1 << 16
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_GERMAN_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d+)(?: \d{1,2}:\d{2}(?::\d{2})?)?$")


class Unreadable(ValueError):
    """The file as a whole cannot be read; the message (English, and `de` for the finance page)
    says what to do about it."""

    def __init__(self, en: str, de: str):
        super().__init__(en)
        self.en, self.de = en, de


class TooLarge(Unreadable):
    pass


@dataclass(frozen=True, slots=True)
class Line:
    line: int
    voucher_id: str
    travel_date: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Rejected:
    """A refused line, with what could be read of it (to count its amount in the totals)."""

    line: int
    kind: str
    error: str
    error_de: str
    column: str | None = None
    value: str | None = None
    voucher_id: str | None = None
    travel_date: date | None = None
    amount_cents: int | None = None


@dataclass
class InvoiceFile:
    sha256: str
    size: int
    encoding: str
    delimiter: str
    convention: str | None = None
    period: tuple[date, date] | None = None
    period_source: str | None = None
    lines: list[Line] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def read(source: BinaryIO, today: date, period: tuple[date, date] | None = None) -> InvoiceFile:
    """Read the invoice from a binary stream; `today` (the office's) bounds travel dates and
    `period` is the caller's, used when the file names none. Raises Unreadable or TooLarge."""
    with tempfile.TemporaryFile() as spool:
        digest, size, utf8, nul = _spool(source, spool)
        if size == 0:
            raise Unreadable("The invoice is empty.", "Die Rechnung ist leer.")
        spool.seek(0)
        encoding = _encoding(spool.read(4), utf8, nul)
        spool.seek(0)
        text = io.TextIOWrapper(spool, encoding=encoding, newline="")
        try:
            invoice = InvoiceFile(digest, size, encoding.removesuffix("-sig"), "")
            rows = _rows(text, invoice)
            if not rows:
                raise Unreadable("The invoice has no lines after its header row.",
                                 "Die Rechnung hat unter der Kopfzeile keine Zeilen.")
            _resolve(invoice, rows, today, period)
        except UnicodeDecodeError:
            raise Unreadable("The invoice is not text in UTF-8, UTF-16 or Windows-1252; export it as CSV again.",
                             "Die Rechnung ist kein Text in UTF-8, UTF-16 oder Windows-1252; bitte noch einmal als CSV "
                             "exportieren.") from None
        finally:
            text.detach()
    return invoice


def read_day(text: str) -> date:
    """A travel date: 2026-12-03, 03.12.2026 or 3.12.2026 (a time after it is ignored);
    raises money.Refused for two-digit years and anything that could be read two ways."""
    text = text.strip()
    iso, german = _ISO_DAY.match(text), _GERMAN_DAY.match(text)
    if german and len(german.group(3)) != 4:
        raise money.Refused("two_digit_year", f"{money.quoted(text)}: write the year with four digits (03.12.2026).",
                            f"{money.quoted(text)}: bitte das Jahr vierstellig schreiben (03.12.2026).")
    if not (iso or german):
        if not text:
            raise money.Refused("missing_date", "The travel date is empty.", "Das Reisedatum fehlt.")
        raise money.Refused("unreadable_date", f"{money.quoted(text)} is not a date like 03.12.2026 or 2026-12-03.",
                            f"{money.quoted(text)} ist kein Datum wie 03.12.2026 oder 2026-12-03.")
    year, month, day = (int(x) for x in iso.groups()) if iso else (int(x) for x in reversed(german.groups()))
    try:
        value = date(year, month, day)
    except ValueError:
        raise money.Refused("unreadable_date", f"{money.quoted(text)} is not a day of the calendar.",
                            f"{money.quoted(text)} ist kein Kalendertag.") from None
    if not 2000 <= value.year <= 2999:
        raise money.Refused("unreadable_date", f"{money.quoted(text)}: the year must be between 2000 and 2999.",
                            f"{money.quoted(text)}: das Jahr muss zwischen 2000 und 2999 liegen.")
    return value


def _spool(source: BinaryIO, spool: BinaryIO) -> tuple[str, int, bool, bool]:
    """Copy to `spool`: (SHA-256, size, valid UTF-8, contains NUL bytes)."""
    digest, size = hashlib.sha256(), 0
    utf8, checking, nul = codecs.getincrementaldecoder("utf-8")(), True, False
    while chunk := source.read(_CHUNK):
        size += len(chunk)
        if size > MAX_BYTES:
            raise TooLarge(f"An invoice may be at most {MAX_SIZE_IN_WORDS}; split it into several files.",
                           f"Eine Rechnung darf höchstens {MAX_SIZE_IN_WORDS_DE} groß sein; bitte in mehrere Dateien teilen.")
        digest.update(chunk)
        nul = nul or b"\0" in chunk
        if checking:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                checking = False
        spool.write(chunk)
    if checking:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            checking = False
    return digest.hexdigest(), size, checking, nul


def _encoding(head: bytes, utf8: bool, nul: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if nul:
        raise Unreadable("The invoice looks like UTF-16 without a byte-order mark; export it as CSV (UTF-8) again.",
                         "Die Rechnung sieht nach UTF-16 ohne Byte-Order-Mark aus; bitte noch einmal als CSV (UTF-8) "
                         "exportieren.")
    return "utf-8" if utf8 else "cp1252"


@dataclass(slots=True)
class _Row:
    line: int
    last_line: int
    fields: dict[str, str | None]  # None: the line has fewer fields than the header
    extra: bool  # more non-empty fields than the header names


def _rows(text: io.TextIOWrapper, invoice: InvoiceFile) -> list[_Row]:
    """The data rows by column name; sets the invoice's delimiter."""
    first = text.readline()
    offset = 1
    sep = re.fullmatch(r'"?sep=(.)"?\s*', first, re.I)
    header = text.readline() if sep else first
    offset += 1 if sep else 0
    invoice.delimiter, names = _header(header, sep.group(1) if sep else None)
    index = {name: i for i, name in enumerate(names) if name in COLUMNS}
    reader = csv.reader(text, delimiter=invoice.delimiter)
    rows = []
    while True:
        start = offset + reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field limit" in str(exc):
                limit = f"{csv.field_size_limit():,}"
                raise Unreadable(f"Line {start} has a field longer than {limit} characters, "
                                 "probably from a quotation mark that is never closed. Nothing was stored.",
                                 f"Zeile {start} hat ein Feld mit mehr als {limit.replace(',', '.')} Zeichen, "
                                 "wohl weil ein Anführungszeichen nie geschlossen wird. Nichts wurde gespeichert.") from None
            raise Unreadable(f"Line {start} cannot be read as CSV ({exc}). Nothing was stored.",
                             f"Zeile {start} lässt sich nicht als CSV lesen ({exc}). Nichts wurde gespeichert.") from None
        if not any(v.strip() for v in values):
            continue
        fields = {name: values[i].strip() if i < len(values) else None for name, i in index.items()}
        extra = any(v.strip() for v in values[len(names):])
        rows.append(_Row(start, offset + reader.line_num, fields, extra))
    return rows


def _header(line: str, named: str | None) -> tuple[str, list[str]]:
    """The separator and the header's column names."""
    for delimiter in [named] if named else ["\t", ";", ","]:
        try:
            names = [_column(n) for n in next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])]
        except csv.Error as exc:
            raise Unreadable(f"The header row cannot be read as CSV ({exc}).",
                             f"Die Kopfzeile lässt sich nicht als CSV lesen ({exc}).") from None
        if {"voucher_id", "travel_date"} <= set(names) and {"amount", "amount_cents"} & set(names):
            twice = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
            if twice:
                raise Unreadable(f"The column {twice[0]} appears twice in the header; which one is meant?",
                                 f"Die Spalte {twice[0]} steht zweimal in der Kopfzeile; welche ist gemeint?")
            return delimiter, names
    raise Unreadable("The invoice needs a header row naming its columns: voucher_id, travel_date and "
                     "amount_cents (whole cents) or amount (euros), separated by ';', ',' or tabs.",
                     "Die Rechnung braucht eine Kopfzeile mit den Spalten voucher_id, travel_date und "
                     "amount_cents (ganze Cent) oder amount (Euro), getrennt durch ';', ',' oder Tabulator.")


def _column(name: str) -> str:
    name = re.sub(r"[\s\-]+", "_", name.strip().strip("\ufeff").lower())
    return ALIASES.get(name, name)


@dataclass(slots=True)
class _Parsed:
    """One row read field by field; each value is what it reads as, or why it cannot be read."""

    row: _Row
    shape: money.Refused | None
    voucher_id: str | money.Refused
    travel_date: date | money.Refused
    cents: int | money.Refused | None
    euros: money.Amount | money.Refused | None


def _resolve(invoice: InvoiceFile, rows: list[_Row], today: date, given: tuple[date, date] | None) -> None:
    """Decide the file's decimal convention and period from all its lines, then read or refuse each."""
    parsed = [_parse(row, invoice.delimiter) for row in rows]
    invoice.convention = money.file_convention(p.euros for p in parsed if isinstance(p.euros, money.Amount))
    invoice.period, invoice.period_source = _period(rows, parsed, given)
    for p in parsed:
        # Fields out of their columns are not counted, not even as a refused amount.
        cents = p.shape or _attempt(_cents, p, invoice.convention)
        day = p.travel_date
        if isinstance(day, date):
            day = _attempt(_within, day, invoice.period, today)
        problems = [(c, v) for c, v in (("", p.shape), ("voucher_id", p.voucher_id), ("travel_date", day),
                                         ("amount", cents)) if isinstance(v, money.Refused)]
        if not problems:
            invoice.lines.append(Line(p.row.line, p.voucher_id, day, cents))
            continue
        column, refused = problems[0]
        value = p.row.fields.get(column) if column != "amount" else _amount_text(p.row.fields)
        invoice.rejected.append(Rejected(
            p.row.line, refused.kind, refused.en, refused.de, column or None, value and money.snippet(value),
            *(v if not isinstance(v, money.Refused) else None for v in (p.voucher_id, p.travel_date, cents))))


def _parse(row: _Row, delimiter: str) -> _Parsed:
    f = row.fields
    return _Parsed(
        row, _shape(row, delimiter),
        _attempt(_voucher_id, f["voucher_id"] or ""),
        _attempt(read_day, f["travel_date"] or ""),
        _attempt(money.read_cents, f["amount_cents"]) if f.get("amount_cents") else None,
        _attempt(money.read_euros, f.get("amount") or "") if f.get("amount") or not f.get("amount_cents") else None,
    )


def _shape(row: _Row, delimiter: str) -> money.Refused | None:
    """Why the line's fields cannot be trusted to be in their columns, if so."""
    if row.extra:
        hint = ' (a decimal comma in a comma-separated file must be in quotes: "4,80")' if delimiter == "," else ""
        hint_de = ' (ein Dezimalkomma in einer kommagetrennten Datei gehört in Anführungszeichen: "4,80")' if delimiter == "," else ""
        return money.Refused("extra_fields", f"This line has more fields than the header{hint}.",
                             f"Diese Zeile hat mehr Felder als die Kopfzeile{hint_de}.")
    if None in row.fields.values():
        return money.Refused("missing_fields", "This line has fewer fields than the header.",
                             "Diese Zeile hat weniger Felder als die Kopfzeile.")
    if row.last_line > row.line and any("\n" in v or "\r" in v for v in row.fields.values()):
        return money.Refused(
            "unclosed_quote", f"Lines {row.line} to {row.last_line} were read as one: a quotation mark is not closed.",
            f"Die Zeilen {row.line} bis {row.last_line} wurden als eine gelesen: ein Anführungszeichen ist nicht geschlossen.")
    return None


def _voucher_id(text: str) -> str:
    try:
        return codes.normalize_id(text)
    except ValueError:
        if not text.strip():
            raise money.Refused("missing_voucher", "The voucher id is empty.", "Die Fahrschein-Nummer fehlt.") from None
        raise money.Refused("unreadable_voucher", f"{money.quoted(text)} is not a voucher id (13 or 14 letters and digits).",
                            f"{money.quoted(text)} ist keine Fahrschein-Nummer (13 oder 14 Buchstaben und Ziffern).") from None


def _cents(p: _Parsed, convention: str | None) -> int:
    for value in (p.cents, p.euros):
        if isinstance(value, money.Refused):
            raise value
    euros = p.euros.under(convention) if p.euros is not None else None
    if p.cents is not None and euros is not None and euros != p.cents:
        raise money.Refused("amounts_differ", "amount and amount_cents differ on this line.",
                            "amount und amount_cents stimmen in dieser Zeile nicht überein.")
    return p.cents if p.cents is not None else euros


def _within(day: date, period: tuple[date, date] | None, today: date) -> date:
    if day > today:
        raise money.Refused("future_date", f"{day:%d.%m.%Y} is in the future.", f"{day:%d.%m.%Y} liegt in der Zukunft.")
    if period and not period[0] <= day <= period[1]:
        first, last = (f"{d:%d.%m.%Y}" for d in period)
        raise money.Refused("outside_period", f"{day:%d.%m.%Y} is outside the invoice's period {first} to {last}.",
                            f"{day:%d.%m.%Y} liegt außerhalb des Rechnungszeitraums {first} bis {last}.")
    return day


def _period(rows: list[_Row], parsed: list[_Parsed], given: tuple[date, date] | None):
    """(first, last) and where it came from: 'file', 'parameter' or 'majority_month'."""
    stated = {(r.fields.get("period_from") or "", r.fields.get("period_to") or "") for r in rows} - {("", "")}
    if len(stated) > 1:
        raise Unreadable("The period columns differ between lines; an invoice covers one period.",
                         "Die Zeitraum-Spalten sind nicht in allen Zeilen gleich; eine Rechnung gilt für einen Zeitraum.")
    if stated:
        try:
            period = tuple(read_day(text) for text in stated.pop())
        except money.Refused as exc:
            raise Unreadable(f"The invoice's period column: {exc.en}", f"Zeitraum-Spalte der Rechnung: {exc.de}") from None
        if given and given != period:
            raise Unreadable(f"The file states the period {period[0]} to {period[1]}, the request {given[0]} to {given[1]}.",
                             f"Die Datei nennt den Zeitraum {period[0]:%d.%m.%Y} bis {period[1]:%d.%m.%Y}, die Eingabe "
                             f"{given[0]:%d.%m.%Y} bis {given[1]:%d.%m.%Y}.")
        source = "file"
    elif given:
        period, source = given, "parameter"
    else:
        months = Counter((p.travel_date.year, p.travel_date.month) for p in parsed if isinstance(p.travel_date, date))
        ranked = months.most_common(2)
        if not ranked:
            return None, None
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            raise Unreadable("The travel dates fall equally into two months; give the invoice's period (from and to).",
                             "Die Reisedaten verteilen sich gleich auf zwei Monate; bitte den Rechnungszeitraum angeben "
                             "(von und bis).")
        (year, month), _ = ranked[0]
        following = date(year + month // 12, month % 12 + 1, 1)
        period, source = (date(year, month, 1), following - timedelta(days=1)), "majority_month"
    if period[1] < period[0] or (period[1] - period[0]).days >= MAX_PERIOD_DAYS:
        raise Unreadable(f"The invoice's period must run forwards and cover at most {MAX_PERIOD_DAYS} days.",
                         f"Der Rechnungszeitraum muss vorwärts laufen und darf höchstens {MAX_PERIOD_DAYS} Tage umfassen.")
    return period, source


def _attempt(function, *args):
    try:
        return function(*args)
    except money.Refused as exc:
        return exc


def _amount_text(fields: dict) -> str | None:
    return fields.get("amount_cents") or fields.get("amount")
