"""An invoice's report as finance reads it in German Excel ("Für Excel (deutsch)"): section and
column names in German, outcomes, statuses and reasons in the page's words, days as 03.11.2026
and instants in the office's local time; amounts in euros with a decimal comma (tables.py). The
machine-readable CSV (the default) keeps the API's names and values, for programs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..staff import catalogue
from . import invoices

# Section and column names as the page calls them.
GERMAN = catalogue.german()  # the staff pages' German words: the page and the CSV say the same
HEADERS_DE = {
    "invoice": "Rechnung", "totals": "Summen", "rejected_lines": "Abgelehnte Zeilen", "corrections": "Korrektur",
    "id": "Nr.", "operator": "Verkehrsunternehmen", "amounts": "Beträge", "period_from": "Zeitraum von",
    "period_to": "Zeitraum bis", "period_source": "Zeitraum laut", "sha256": "SHA-256", "size_bytes": "Größe (Bytes)",
    "encoding": "Zeichensatz", "delimiter": "Trennzeichen", "decimal": "Dezimalzeichen", "lines": "Zeilen gelesen",
    "status": "Stand", "uploaded_by": "Hochgeladen von", "uploaded_at": "Hochgeladen am", "number": "Rechnungsnummer",
    "corrects_id": "Korrigiert Rechnung", "superseded_by": "Ersetzt durch Rechnung", "duplicate_of": "Schon hochgeladen als",
    "billed_cents": "Berechnet (€)", "matched_cents": "Passt (€)", "credited_cents": "Gutschriften (€)",
    "excess_cents": "Mehr als geschuldet (€)", "payable_cents": "Zu zahlen (€)", "disputed_cents": "Strittig (€)",
    "rejected_cents": "Abgelehnt (€)", "lines_in_file": "Zeilen in der Datei", "sum_lines": "Summenzeilen",
    "stated_total_cents": "Summe laut Rechnung (€)", "total_difference_cents": "Abweichung der Summe (€)",
    "net_cents": "Netto (€)", "vat_cents": "MwSt (€)", "full_billed_cents": "Berechnet ganz (€)",
    "full_payable_cents": "Zu zahlen ganz (€)", "corrected_billed_cents": "Bisher berechnet (€)",
    "corrected_payable_cents": "Bisher zu zahlen (€)",
    "line": "Zeile", "voucher_id": "Fahrschein", "travel_date": "Reisedatum", "amount_cents": "Betrag (€)",
    "client_id": "Scan-Nr.", "redeemed_at": "Gefahren am", "location": "Ort", "owed_cents": "Geschuldet (€)",
    "fare_cents": "Tarif (€)", "max_fare_cents": "Höchstpreis (€)", "earlier_invoice_id": "Bezahlt mit Rechnung",
    "earlier_line": "Bezahlt mit Zeile", "revoked_at": "Storniert am", "reason": "Grund", "journey_dates": "Fahrten am",
    "reverses_invoice_id": "Nimmt zurück: Rechnung", "reverses_line": "Nimmt zurück: Zeile",
    "credits_invoice_id": "Mindert Rechnung", "credits_line": "Mindert Zeile", "kind": "Art", "error_de": "Grund",
    "column": "Spalte", "value": "Wert", "billed_before_cents": "Bisher berechnet (€)",
    "billed_after_cents": "Jetzt berechnet (€)", "payable_before_cents": "Bisher zu zahlen (€)",
    "payable_after_cents": "Jetzt zu zahlen (€)", "difference_cents": "Unterschied (€)", "direction": "Richtung",
    **{name.removeprefix("cat_"): word for name, word in GERMAN.items() if name.startswith("cat_")},
    **{f"{name.removeprefix('cat_')}_count": f"Anzahl {word}" for name, word in GERMAN.items() if name.startswith("cat_")},
}
_WORD_KEYS = {"status": "inv_status_", "period_source": "period_source_", "direction": "direction_",
              "decimal": "decimal_"}
_REASONS = {"unknown voucher": "note_unknown_voucher", "no journey recorded": "note_no_journey"}
_INSTANTS = ("redeemed_at", "revoked_at", "uploaded_at")
_DAYS = ("travel_date", "period_from", "period_to")
_ENGLISH_ONLY = ("error",)  # the German reason is in error_de


def export(report: Mapping, decimal_comma: bool, tz: ZoneInfo) -> tuple[dict[str, Iterable[dict]], dict[str, str] | None]:
    """The report's CSV tables and their names: German with the decimal comma, else as the API
    has them (the one choice the API, the page and the CLI make)."""
    data: dict[str, Iterable[dict]] = dict(invoices.tables(report))
    return (german(data, tz), HEADERS_DE) if decimal_comma else (data, None)


def german(tables: Mapping[str, Iterable[dict]], tz: ZoneInfo) -> dict[str, Iterable[dict]]:
    """The report's tables with their values as the German page shows them (names: HEADERS_DE)."""
    return {name: _German(rows, tz) for name, rows in tables.items()}


class _German:
    """A table's rows in German, made as they are read; like the table, it can be read again
    (tables.iter_csv reads it once for its columns, once for its rows)."""

    def __init__(self, rows: Iterable[dict], tz: ZoneInfo):
        self.rows, self.tz = rows, tz

    def __iter__(self) -> Iterator[dict]:
        return (_row(row, self.tz) for row in self.rows)


def _row(row: dict, tz: ZoneInfo) -> dict:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in _ENGLISH_ONLY:
            continue
        if value is None or isinstance(value, (int, float)):
            out[key] = value
        elif key in _DAYS:
            out[key] = f"{date.fromisoformat(value):%d.%m.%Y}"
        elif key in _INSTANTS:
            out[key] = f"{datetime.fromisoformat(value).astimezone(tz):%d.%m.%Y %H:%M}"
        elif key == "journey_dates":
            out[key] = [f"{date.fromisoformat(d):%d.%m.%Y}" for d in value]
        elif key in _WORD_KEYS and f"{_WORD_KEYS[key]}{value}" in GERMAN:
            out[key] = GERMAN[f"{_WORD_KEYS[key]}{value}"]
        elif key == "reason" and value in _REASONS:
            out[key] = GERMAN[_REASONS[value]]
        elif key == "amounts":
            out[key] = "brutto (mit MwSt.)" if value == "gross" else value
        else:
            out[key] = value
    return out
