"""A report's CSV as finance reads it in German Excel ("Für Excel (deutsch)"): section and column
names in German, codes in the staff pages' words (the catalogues, so the page and the CSV say
the same), days as 03.11.2026 and instants in the office's local time; amounts are written in
euros with a decimal comma by tables.py. The machine-readable CSV keeps the API's names and
values, for programs: a German export only changes how a table reads, never what it holds.

Each report describes itself once as a `Vocabulary` (its names and how each column's values
read); services/invoice_export.py and services/finance.py (the reconciliation) do."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo


@cache
def german() -> dict[str, str]:
    """The staff pages' German words, read when first wanted: the staff package (which imports
    the API) is not imported with the services that describe their reports here."""
    from ..staff import catalogue

    return catalogue.german()

# How one column's value reads in German (None stays empty and never reaches a Format).
Format = Callable[[Any, ZoneInfo], Any]


def day(value: str, _tz: ZoneInfo) -> str:
    """2026-11-03 -> 03.11.2026."""
    return f"{date.fromisoformat(value):%d.%m.%Y}"


def instant(value: str, tz: ZoneInfo) -> str:
    """An instant (UTC in the API) as the office's clock showed it: 03.11.2026 09:00."""
    return f"{datetime.fromisoformat(value).astimezone(tz):%d.%m.%Y %H:%M}"


def days(values: list[str], tz: ZoneInfo) -> list[str]:
    return [day(value, tz) for value in values]


def word(prefix: str) -> Format:
    """A code as the catalogue's word `prefix + code` (a code without one stays as it is)."""
    return lambda value, _tz: german().get(f"{prefix}{value}", value)


def words(keys: Mapping[str, str]) -> Format:
    """Values (fixed English phrases) as the catalogue's words for them, by key."""
    return lambda value, _tz: german()[keys[value]] if value in keys else value


def phrase(key: str, name: str) -> Format:
    """The value put into a catalogue phrase: 2 -> "2. Klasse" (class_n, n)."""
    return lambda value, _tz: german()[key].format(**{name: value})


@dataclass(frozen=True)
class Vocabulary:
    """How one report's tables read in German: `names` for sections and columns (or `keys`: the
    catalogue's keys for them), `values` for the columns whose values read otherwise, `empty`
    the catalogue's key for what an empty cell of a column means on the page, `dropped` the
    columns only programs need (an English sentence whose German one is in another column)."""

    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Format] = field(default_factory=dict)
    dropped: frozenset[str] = frozenset()
    keys: Mapping[str, str] = field(default_factory=dict)
    empty: Mapping[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        return {**self.names, **{name: german()[key] for name, key in self.keys.items()}}

    def export(self, tables: Mapping[str, Iterable[dict]], decimal_comma: bool,
               tz: ZoneInfo) -> tuple[dict[str, Iterable[dict]], Mapping[str, str] | None]:
        """The tables and the names to write them under (tables.iter_csv): German with the
        decimal comma, else as they are. The one choice the API, the pages and the CLI make."""
        if not decimal_comma:
            return dict(tables), None
        return self.tables(tables, tz), self.headers()

    def tables(self, tables: Mapping[str, Iterable[dict]], tz: ZoneInfo) -> dict[str, Iterable[dict]]:
        """Every row in German, read as the CSV is written; a table that can be read again (its
        columns are those of all its rows: tables.iter_csv) still can, a stream stays a stream."""
        out: dict[str, Iterable[dict]] = {}
        for name, rows in tables.items():
            out[name] = (self.row(r, tz) for r in rows) if isinstance(rows, Iterator) else _Rows(self, rows, tz)
        return out

    def row(self, row: Mapping[str, Any], tz: ZoneInfo) -> dict:
        return {key: self._cell(key, value, tz) for key, value in row.items() if key not in self.dropped}

    def _cell(self, key: str, value: Any, tz: ZoneInfo) -> Any:
        if value is None:
            return german()[self.empty[key]] if key in self.empty else None
        return self.values[key](value, tz) if key in self.values else value


class _Rows:
    """A table's rows in German, made each time it is read (tables.iter_csv reads a table that
    can be read again twice: once for its columns, once for its rows)."""

    def __init__(self, vocabulary: Vocabulary, rows: Iterable[dict], tz: ZoneInfo):
        self.vocabulary, self.rows, self.tz = vocabulary, rows, tz

    def __iter__(self) -> Iterator[dict]:
        return (self.vocabulary.row(row, self.tz) for row in self.rows)
