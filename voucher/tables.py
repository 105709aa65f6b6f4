"""Reports as CSV that LibreOffice and Excel open cleanly and safely: UTF-8 with a byte-order
mark, one section per table, and optionally the German convention (`;` separators, euros with a
decimal comma instead of cents).

Text in these reports comes partly from outside (cost centres typed by issuers, locations and
client ids sent by any verifier device, operator names, refused invoice values). A spreadsheet
runs a cell that begins with `=`, `+`, `-`, `@`, tab or carriage return as a formula, so every
text cell that does is prefixed with a single quote, as OWASP recommends ("CSV Injection").
Numbers we write ourselves stay numbers (-480, -4,80)."""

from __future__ import annotations

import csv
import io

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(tables: dict[str, list[dict]], decimal_comma: bool = False) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    for index, (name, rows) in enumerate(tables.items()):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([name])
        columns = list(dict.fromkeys(key for row in rows for key in row if _flat(row[key])))
        writer.writerow([_header(c, decimal_comma) for c in columns])
        for row in rows:
            writer.writerow([_cell(c, row.get(c), decimal_comma) for c in columns])
    return buffer.getvalue()


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
