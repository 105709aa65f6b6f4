"""Tables exported from spreadsheets and accounting software, read one way for every upload: the
operator's invoice (invoice_csv.py), the letters batch and the fare table.

Bytes to text: UTF-8 with or without byte-order mark; UTF-16 with byte-order mark (Excel's
"Unicode text"), or without one when its NUL bytes say which order; otherwise Windows-1252
(German Excel's "CSV"), or ISO-8859-15 when the file has that code's € (byte A4) and none of the
bytes 80-9F that only Windows-1252 uses as letters. Excel workbooks (.xlsx, .xls) are refused
with "save it as CSV" (README: why they are not read).

Separator: a `sep=;` first line (Excel) names it; else the first of tab, `;` and `,` that makes
one of the first lines a header (the caller says what a header is). Lines above the header are
the preamble (a letterhead: operator, invoice number, period), handed to the caller as text.

One physical line is one row, read whole or refused whole: a quotation mark left open at the end
of its line, a quote inside an unquoted field, or a line over MAX_LINE characters refuses that
line and no other, so a broken remark never swallows the lines after it and the file's line
count is always known. (A field with a line break inside quotes is therefore refused, line by
line; the exports we know never write one.)
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO

MAX_LINE = 1 << 16  # characters: an invoice line is under 200
PREAMBLE_LINES = 30  # a letterhead longer than this is not a letterhead
DELIMITERS = ("\t", ";", ",")
_CHUNK = 1 << 16
_C1 = re.compile(rb"[\x80-\x9f]")
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip), .xls (OLE)


class Unreadable(ValueError):
    """The file as a whole cannot be read; the message (English, and `de` for the pages) says
    what to do about it."""

    def __init__(self, en: str, de: str):
        super().__init__(en)
        self.en, self.de = en, de


class TooLarge(Unreadable):
    pass


class BadLine(ValueError):
    """One line refused whole; `kind` for machines, `en` and `de` for people, `text` the line."""

    def __init__(self, kind: str, en: str, de: str, text: str = ""):
        super().__init__(en)
        self.kind, self.en, self.de, self.text = kind, en, de, text


@dataclass
class Spooled:
    """The upload copied to a temporary file, with its digest and what its bytes say."""

    file: IO[bytes]
    sha256: str
    size: int
    encoding: str


def spool(source: BinaryIO, target: IO[bytes], max_bytes: int, too_large: tuple[str, str]) -> Spooled:
    """Copy `source` to `target` in chunks (never whole in memory), hashing it and noting the
    byte classes the encoding is decided by. Raises TooLarge (with `too_large`) or Unreadable."""
    digest, size = hashlib.sha256(), 0
    utf8, valid, nul, c1, a4 = codecs.getincrementaldecoder("utf-8")(), True, False, False, False
    head = b""
    while chunk := source.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(*too_large)
        if len(head) < 4:
            head += chunk[:4]
        digest.update(chunk)
        nul = nul or b"\0" in chunk
        c1 = c1 or _C1.search(chunk) is not None
        a4 = a4 or b"\xa4" in chunk
        if valid:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                valid = False
        target.write(chunk)
    if valid:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    if size == 0:
        raise Unreadable("The file is empty.", "Die Datei ist leer.")
    target.seek(0)
    return Spooled(target, digest.hexdigest(), size, _encoding(head, valid, nul, c1, a4))


def _encoding(head: bytes, utf8: bool, nul: bool, c1: bool, a4: bool) -> str:
    if head.startswith(_WORKBOOKS):
        raise Unreadable("This is an Excel workbook, not a CSV file: please save it as CSV (File, Save as, "
                         "'CSV UTF-8' or 'CSV (Trennzeichen-getrennt)') and upload that.",
                         "Das ist eine Excel-Arbeitsmappe, keine CSV-Datei: bitte als CSV speichern (Datei, Speichern "
                         "unter, „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“) und diese hochladen.")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if nul:
        if len(head) >= 2 and head[0] and not head[1]:
            return "utf-16-le"
        if len(head) >= 2 and not head[0] and head[1]:
            return "utf-16-be"
        raise Unreadable("The file is not text (it contains NUL bytes); export it as CSV again.",
                         "Die Datei ist kein Text (sie enthält NUL-Bytes); bitte noch einmal als CSV exportieren.")
    if utf8:
        return "utf-8"
    return "iso-8859-15" if a4 and not c1 else "cp1252"


def encoding_name(encoding: str) -> str:
    """The encoding as reports name it: utf-8, utf-16, cp1252, iso-8859-15."""
    return encoding.removesuffix("-sig").removesuffix("-le").removesuffix("-be")


@dataclass
class Table:
    """A table's layout: separator, header (its names as the caller's `column` made them) and
    the preamble above it; rows() reads the lines below, as often as needed."""

    spooled: Spooled
    delimiter: str
    names: list[str]
    header_line: int
    preamble: list[str]
    _offset: int

    def rows(self) -> Iterator[tuple[int, list[str] | BadLine]]:
        """(line number, fields or why the line is refused) for every non-blank line below the
        header, decoded and split as they are read: one csv.reader over the text stream, which
        is given one physical line at a time (_Lines), so a row never spans two."""
        text = _text(self.spooled)
        try:
            text.seek(self._offset)
            lines = _Lines(text, self.header_line)
            reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
            while True:
                lines.fresh = True
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except (_OpenQuote, _TooLong, csv.Error) as exc:
                    reader = csv.reader(lines, delimiter=self.delimiter, strict=True)  # that one is mid-row
                    yield lines.number, _TOO_LONG if isinstance(exc, _TooLong) else _malformed(lines.line)
                    continue
                if lines.line.strip():
                    yield lines.number, fields
        except UnicodeDecodeError:
            raise _undecodable(self.spooled.encoding) from None
        finally:
            text.detach()


class _OpenQuote(Exception):
    """csv.reader wanted the next line to finish a row: a quotation mark was left open."""


class _TooLong(Exception):
    pass


_TOO_LONG = BadLine("line_too_long", f"The line is longer than {MAX_LINE:,} characters.",
                    f"Die Zeile ist länger als {MAX_LINE:,} Zeichen.".replace(",", "."))


class _Lines:
    """The physical lines below the header, handed to csv.reader one per row: asked for a
    second line before the reader has given back its row (`fresh` is reset before each row),
    it raises _OpenQuote instead of letting a quoted field swallow the lines after it. A line
    over MAX_LINE characters is skipped to its end and raises _TooLong, so no line is ever held
    longer than that."""

    def __init__(self, text: io.TextIOWrapper, number: int):
        self.text, self.number, self.line, self.fresh = text, number, "", True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if not self.fresh:
            raise _OpenQuote
        line = self.text.readline(MAX_LINE)
        if not line:
            raise StopIteration
        self.number += 1
        self.fresh = False
        if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
            while (rest := self.text.readline(MAX_LINE)) and not rest.endswith(("\n", "\r")):
                pass
            self.line = ""
            raise _TooLong
        self.line = line
        return line


def open_table(spooled: Spooled, column: Callable[[str], str], is_header: Callable[[list[str]], bool],
               missing: tuple[str, str]) -> Table:
    """Find the header (the first line that `is_header` accepts, after `column` named its cells)
    within the first PREAMBLE_LINES lines; raises Unreadable with `missing` when there is none."""
    text = _text(spooled)
    try:
        preamble: list[str] = []
        named, number = None, 0
        while number < PREAMBLE_LINES:
            line = text.readline(MAX_LINE)
            if not line:
                break
            number += 1
            if number == 1 and (sep := re.fullmatch(r'\ufeff?"?sep=(.)"?\s*', line, re.I)):
                named = sep.group(1)
                continue
            for delimiter in [named] if named else DELIMITERS:
                cells = split(line, delimiter)
                if isinstance(cells, list):
                    names = [column(c) for c in cells]
                    if is_header(names):
                        return Table(spooled, delimiter, names, number, preamble, text.tell())
            if line.strip():
                preamble.append(line.strip().lstrip("\ufeff"))
        raise Unreadable(*missing)
    except UnicodeDecodeError:
        raise _undecodable(spooled.encoding) from None
    finally:
        text.detach()


def split(line: str, delimiter: str) -> list[str] | BadLine:
    """One physical line's fields, or why its quoting cannot be read."""
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        if "field larger" in str(exc):
            return BadLine("line_too_long", "A field of this line is too long.", "Ein Feld dieser Zeile ist zu lang.",
                           line.rstrip("\r\n"))
        return _malformed(line)


def _malformed(line: str) -> BadLine:
    return BadLine("malformed_quoting", "The quotation marks of this line do not pair up; "
                   "a quotation mark not closed on its line refuses that line only.",
                   "Die Anführungszeichen dieser Zeile passen nicht zusammen; ein nicht geschlossenes "
                   "Anführungszeichen lehnt nur diese Zeile ab.", line.rstrip("\r\n"))


def read_text(data: bytes) -> str:
    """A small upload (letters batch, fare table) as text, decoded as the invoice is; raises Unreadable."""
    spooled = spool(io.BytesIO(data), io.BytesIO(), len(data) + 1, ("", ""))
    try:
        return data.decode(spooled.encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise _undecodable(spooled.encoding) from None


def dict_rows(text: str, required: set[str], missing: str) -> tuple[list[str], Iterator[tuple[int, dict | BadLine]]]:
    """A small table's header (names in lower case) and its rows by column name, with line
    numbers: `sep=` line, separator and quoting as for invoices; a line whose quoting cannot be
    read is a BadLine. Extra cells are under the key None, as csv.DictReader puts them. Raises
    ValueError(`missing`) without a header naming `required`."""
    spooled = Spooled(io.BytesIO(text.encode("utf-8")), "", 0, "utf-8")
    try:
        table = open_table(spooled, lambda name: name.strip().lower(), lambda names: required <= set(names), ("", ""))
    except Unreadable:
        raise ValueError(missing) from None

    def rows() -> Iterator[tuple[int, dict | BadLine]]:
        for number, fields in table.rows():
            if isinstance(fields, BadLine):
                yield number, fields
                continue
            row: dict = dict(zip(table.names, fields, strict=False))  # extra fields follow, missing ones are absent
            if len(fields) > len(table.names):
                row[None] = fields[len(table.names):]
            yield number, row

    return table.names, rows()


def _text(spooled: Spooled) -> io.TextIOWrapper:
    spooled.file.seek(0)
    return io.TextIOWrapper(spooled.file, encoding=spooled.encoding, newline="")


def _undecodable(encoding: str) -> Unreadable:
    return Unreadable(f"The file is not text in {encoding_name(encoding)} (nor UTF-8 or UTF-16); export it as "
                      "CSV again.", f"Die Datei ist kein Text in {encoding_name(encoding)} (auch nicht UTF-8 oder "
                      "UTF-16); bitte noch einmal als CSV exportieren.")
