"""Reports as CSV that LibreOffice and Excel open cleanly: UTF-8 with a byte-order mark, one
section per table, and optionally the German convention (`;` separators, euros with a decimal
comma instead of cents)."""

from __future__ import annotations

import csv
import io


def to_csv(tables: dict[str, list[dict]], decimal_comma: bool = False) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    for index, (name, rows) in enumerate(tables.items()):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([name])
        columns = list(dict.fromkeys(key for row in rows for key in row if not isinstance(row[key], (list, dict))))
        writer.writerow([_header(c, decimal_comma) for c in columns])
        for row in rows:
            writer.writerow([_cell(c, row.get(c), decimal_comma) for c in columns])
    return buffer.getvalue()


def _header(column: str, decimal_comma: bool) -> str:
    return column.removesuffix("_cents") + "_eur" if decimal_comma and column.endswith("_cents") else column


def _cell(column: str, value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if decimal_comma and column.endswith("_cents") and isinstance(value, int):
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 100},{abs(value) % 100:02d}"
    return str(value)
