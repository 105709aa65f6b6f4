"""Reports as CSV that LibreOffice and Excel open cleanly: UTF-8 with a byte-order mark, one
section per table, and optionally the German convention (`;` separators, euros with a decimal
comma instead of cents). Written a line at a time, so a long table is streamed, never held."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator


def to_csv(tables: dict[str, list[dict]], decimal_comma: bool = False) -> str:
    return "".join(iter_csv(tables, decimal_comma))


def iter_csv(tables: dict[str, Iterable[dict]], decimal_comma: bool = False) -> Iterator[str]:
    """The CSV in pieces. A table given as a list has the columns of all its rows; one given as
    an iterator (read as it is written) has those of its first row."""
    writer = csv.writer(_Line(), delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    yield "\ufeff"
    for index, (name, rows) in enumerate(tables.items()):
        if len(tables) > 1:
            if index:
                yield writer.writerow([])
            yield writer.writerow([name])
        columns, rows = _columns(rows)
        yield writer.writerow([_header(c, decimal_comma) for c in columns])
        for row in rows:
            yield writer.writerow([_cell(c, row.get(c), decimal_comma) for c in columns])


def _columns(rows: Iterable[dict]) -> tuple[list[str], Iterable[dict]]:
    """The columns to write (lists and dicts left out), and the rows still all there."""
    if not isinstance(rows, list):
        rows = iter(rows)
        first = next(rows, None)
        sample, rows = ([], []) if first is None else ([first], itertools.chain([first], rows))
    else:
        sample = rows
    return list(dict.fromkeys(key for row in sample for key in row if not isinstance(row[key], (list, dict)))), rows


class _Line:
    """A file for csv.writer that hands each written line back instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def _header(column: str, decimal_comma: bool) -> str:
    return column.removesuffix("_cents") + "_eur" if decimal_comma and column.endswith("_cents") else column


def _cell(column: str, value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if decimal_comma and column.endswith("_cents") and isinstance(value, int):
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 100},{abs(value) % 100:02d}"
    return str(value)
