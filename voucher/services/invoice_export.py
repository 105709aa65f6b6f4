"""An invoice's report as finance reads it in German Excel ("Für Excel (deutsch)"): its
vocabulary for services/german_csv.py (section and column names, outcomes, statuses and reasons
in the page's words, days and local instants). The machine-readable CSV (the default) keeps the
API's names and values, for programs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from . import invoice_matching, invoice_report, invoices
from .german_csv import Vocabulary, day, days, german, instant, word, words

GERMAN = german()  # the staff pages' words: the page and the CSV say the same

# Section and column names as the page calls them.
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
    "reference": "Bezug (Rechnung)", "reference_invoice_id": "Bezug: Rechnung Nr.",
    **{name.removeprefix("cat_"): text for name, text in GERMAN.items() if name.startswith("cat_")},
    **{f"{name.removeprefix('cat_')}_count": f"Anzahl {text}" for name, text in GERMAN.items() if name.startswith("cat_")},
}
GERMAN_REPORT = Vocabulary(HEADERS_DE, {
    "status": word("inv_status_"), "period_source": word("period_source_"), "direction": word("direction_"),
    "decimal": word("decimal_"), "reason": words(invoice_matching.REASONS),
    "amounts": lambda value, _tz: "brutto (mit MwSt.)" if value == invoice_report.AMOUNTS else value,
    "travel_date": day, "period_from": day, "period_to": day, "journey_dates": days,
    "redeemed_at": instant, "revoked_at": instant, "uploaded_at": instant,
}, dropped=frozenset({"error"}))  # the German reason is in error_de


def export(report: Mapping, decimal_comma: bool, tz: ZoneInfo) -> tuple[dict[str, Iterable[dict]], Mapping[str, str] | None]:
    """The report's CSV tables and their names (german_csv.Vocabulary.export)."""
    return GERMAN_REPORT.export(invoices.tables(report), decimal_comma, tz)
