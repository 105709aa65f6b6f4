"""Reports as CSV that LibreOffice and Excel open cleanly and safely: UTF-8 with a byte-order
mark, one section per table, and optionally the German convention (`;` separators, euros with a
decimal comma instead of cents). Written a line at a time, so a long table is streamed, never held.

Text in these reports comes partly from outside (cost centres typed by issuers, locations and
client ids sent by any verifier device, operator names, refused invoice values). A spreadsheet
runs a cell that begins with `=`, `+`, `-`, `@`, tab or carriage return as a formula, so every
text cell that does is prefixed with a single quote, as OWASP recommends ("CSV Injection").
Numbers we write ourselves stay numbers (-480, -4,80)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Mapping

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(tables: Mapping[str, Iterable[dict]], decimal_comma: bool = False, words: Mapping[str, str] | None = None) -> str:
    return "".join(iter_csv(tables, decimal_comma, words))


def iter_csv(tables: Mapping[str, Iterable[dict]], decimal_comma: bool = False,
             words: Mapping[str, str] | None = None) -> Iterator[str]:
    """The CSV in pieces. A table that can be read again (a list; a report's list, read from the
    database) has the columns of all its rows (it is read twice); one given as an iterator
    (read once, as it is written) has those of its first row. `words`: the names people
    read for sections and columns (a German export), by the name in the data."""
    words = words or {}
    writer = csv.writer(_Line(), delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    yield "\ufeff"
    for index, (name, rows) in enumerate(tables.items()):
        if len(tables) > 1:
            if index:
                yield writer.writerow([])
            yield writer.writerow([words.get(name, name)])
        columns, rows = _columns(rows)
        yield writer.writerow([words.get(c) or _header(c, decimal_comma) for c in columns])
        for row in rows:
            yield writer.writerow([_cell(c, row.get(c), decimal_comma) for c in columns])


def _columns(rows: Iterable[dict]) -> tuple[list[str], Iterable[dict]]:
    """The columns to write (those one cell can show), and the rows still all there."""
    sample: Iterable[dict] = rows
    if isinstance(rows, Iterator):
        first = next(rows, None)
        sample, rows = ([], []) if first is None else ([first], itertools.chain([first], rows))
    return list(dict.fromkeys(key for row in sample for key in row if _flat(row[key]))), rows


class _Line:
    """A file for csv.writer that hands each written line back instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def _header(column: str, decimal_comma: bool) -> str:
    return column.removesuffix("_cents") + "_eur" if decimal_comma and column.endswith("_cents") else column


def _flat(value) -> bool:
    """A value one cell can show: a scalar, or a list of scalars (joined by spaces)."""
    if isinstance(value, list):
        return not any(isinstance(item, (list, dict)) for item in value)
    return not isinstance(value, dict)


def _cell(column: str, value, decimal_comma: bool) -> str:
    """The one formatter every CSV cell goes through."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        if decimal_comma and column.endswith("_cents"):
            sign = "-" if value < 0 else ""
            return f"{sign}{abs(value) // 100},{abs(value) % 100:02d}"
        return str(value)
    text = " ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
