"""The invoice report's shape for /api/v1/openapi.json: what POST /invoices/match and
GET /invoices/{id} answer (services/invoices.py renders it from what is stored) and what
GET /invoices lists. Every field the routes return is named here with its type; a test walks
real answers against it (tests/api/test_openapi.py), so a field added there without a line here
fails. Amounts are integer cents and gross (VAT included); instants are UTC (`...Z`), days ISO."""

from __future__ import annotations

from ..services import invoice_matching, invoice_report, invoices


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, description: str = "") -> dict:
    schema: dict = {"type": [kind, "null"]}
    return {**schema, "description": description} if description else schema


INTEGER, STRING = {"type": "integer"}, {"type": "string"}
CENTS = {"type": "integer", "description": "euro cents, gross"}
DAY = {"type": "string", "format": "date"}
INSTANT = {"type": "string", "format": "date-time", "description": "UTC"}

SUMMARY = {
    "id": {**INTEGER, "description": "our number for the stored invoice"},
    "operator": _nullable("string", "the transit operator (given, or from the file's letterhead)"),
    "amounts": {"enum": [invoice_report.AMOUNTS], "description": "every amount includes VAT, as the fare table's prices"},
    "period_from": {**DAY, "type": ["string", "null"]}, "period_to": {**DAY, "type": ["string", "null"]},
    "period_source": {"enum": ["file", "parameter", "majority_month", None],
                      "description": "where the period comes from: the file, the request, or the month of most journeys"},
    "sha256": STRING, "size_bytes": INTEGER, "encoding": STRING,
    "delimiter": {"enum": [",", ";", "tab"]}, "decimal": {"enum": ["comma", "point", None]},
    "lines": {**INTEGER, "description": "lines read and refused (not sum lines)"},
    "status": {"enum": ["ok", "review"], "description": "review: something needs a person before paying"},
    "uploaded_by": STRING, "uploaded_at": INSTANT,
    "number": _nullable("string", "the operator's invoice number"),
    "corrects_id": _nullable("integer", "the stored invoice with the same number that this one corrects"),
    "superseded_by": _nullable("integer", "the correction that replaced this invoice (it pays no more)"),
}

TOTALS = {
    "lines": {**INTEGER, "description": "lines read"},
    "billed_cents": {**CENTS, "description": "the lines' sum (credits negative); of a correction: the difference "
                                             "to the version it corrects"},
    "matched_cents": CENTS, "credited_cents": CENTS,
    "excess_cents": {**CENTS, "description": "billed above what journeys are owed (not payable)"},
    "payable_cents": {**CENTS, "description": "what to pay (of a correction: only the difference; negative: owed back)"},
    "disputed_cents": {**CENTS, "description": "billed_cents - payable_cents: what needs a person"},
    "rejected_lines": {**INTEGER, "description": "lines refused"},
    "rejected_cents": {**CENTS, "description": "the readable amounts of refused lines (not billed)"},
    **{f"{name}_count": INTEGER for name in invoices.LISTS},
    "lines_in_file": {**INTEGER, "description": "non-blank lines below the header: read + refused + sum lines"},
    "sum_lines": INTEGER,
    "stated_total_cents": _nullable("integer", "the operator's own total (sum line or letterhead)"),
    "total_difference_cents": _nullable("integer", "stated_total_cents - billed_cents; not 0: the invoice is flagged"),
    "net_cents": _nullable("integer", "with Netto/MwSt columns: the net sum"),
    "vat_cents": _nullable("integer", "with Netto/MwSt columns: the VAT (MwSt) sum"),
    "full_billed_cents": {**CENTS, "description": "a correction: what it bills in full"},
    "full_payable_cents": {**CENTS, "description": "a correction: what it would pay in full"},
    "corrected_billed_cents": {**CENTS, "description": "a correction: what the corrected version billed"},
    "corrected_payable_cents": {**CENTS, "description": "a correction: what the corrected version's lines still pay"},
}

LINE = {
    "line": {**INTEGER, "description": "the line's number in the file"},
    "voucher_id": STRING, "travel_date": DAY, "amount_cents": {**CENTS, "description": "as billed; a credit negative"},
    "client_id": {**STRING, "description": "the journey's scan"}, "redeemed_at": INSTANT,
    "owed_cents": _nullable("integer", "what the journey is owed: the lower of fare and maximum fare (null: no fare)"),
    "fare_cents": _nullable("integer", "the fare table's fare"), "max_fare_cents": _nullable("integer"),
    "excess_cents": {**CENTS, "description": "billed above what is owed (over_max_fare)"},
    "revoked_at": INSTANT,
    "earlier_invoice_id": _nullable("integer", "billed_twice: the invoice that pays the journey"),
    "earlier_line": _nullable("integer"),
    "journey_dates": {"type": "array", "items": DAY, "description": "date_mismatch: the days the voucher was used"},
    "reason": {"enum": list(invoice_matching.REASONS)},
    "reverses_invoice_id": {**INTEGER, "description": "credited: the invoice whose line this credit takes back"},
    "reverses_line": INTEGER,
    "credits_invoice_id": {**INTEGER, "description": "credited_partly: the invoice whose line this credit lowers"},
    "credits_line": INTEGER,
    "reference": {**STRING, "description": "a credit's original invoice number as the file names it"},
    "reference_invoice_id": _nullable("integer", "the stored invoice (latest version) it names; null: none stored"),
}

UNBILLED = {"voucher_id": _nullable("string"), "client_id": STRING, "redeemed_at": INSTANT, "location": _nullable("string")}

REJECTED = {
    "line": INTEGER, "voucher_id": _nullable("string"), "travel_date": {**DAY, "type": ["string", "null"]},
    "amount_cents": _nullable("integer"), "kind": {**STRING, "description": "why, as a code"}, "error": STRING,
    "error_de": STRING, "column": _nullable("string"),
    "value": _nullable("string", "the value refused, or the whole line as written"),
}

DIFFERENCE = {
    "voucher_id": STRING, "travel_date": DAY, "billed_before_cents": CENTS, "billed_after_cents": CENTS,
    "payable_before_cents": CENTS, "payable_after_cents": CENTS, "difference_cents": CENTS,
    "direction": {"enum": ["more_owed", "owed_back", "none"]},
}


def _object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required)}


def _list(item: str, description: str) -> dict:
    return {"type": "array", "items": _ref(item), "description": description}


REPORT = _object({
    "invoice": _ref("InvoiceSummary"), "totals": _ref("InvoiceTotals"),
    **{name: _list("InvoiceLine", f"the lines that are {name}") for name in invoices.LISTS},
    "over_max_fare": _list("InvoiceLine", "matched lines that bill more than the journey is owed (also in matched)"),
    "redeemed_not_billed": _list("UnbilledJourney", "journeys of the period that no invoice pays"),
    "rejected_lines": _list("RejectedLine", "lines refused, each with its reason"),
    "corrections": _list("CorrectionDifference", "a correction: each voucher and day whose billed or payable amount "
                                                 "changed"),
    "duplicate_of": {**INTEGER, "description": "the same file was uploaded before as this invoice; nothing changed"},
    "note": STRING,
}, ("invoice", "totals", *invoices.LISTS, "rejected_lines", "corrections"))

LISTING = _object({"invoices": {"type": "array", "items": _object(
    {**SUMMARY, "totals": _ref("InvoiceTotals")}, ("id", "status", "totals"))}}, ("invoices",))

COMPONENTS = {
    "InvoiceReport": REPORT, "InvoiceListing": LISTING,
    "InvoiceSummary": _object(SUMMARY, ("id", "status", "sha256", "uploaded_at")),
    "InvoiceTotals": _object(TOTALS, ("lines", "billed_cents", "payable_cents", "disputed_cents")),
    "InvoiceLine": _object(LINE, ("line", "voucher_id", "travel_date", "amount_cents")),
    "UnbilledJourney": _object(UNBILLED, ("voucher_id", "redeemed_at")),
    "RejectedLine": _object(REJECTED, ("line", "kind", "error", "error_de")),
    "CorrectionDifference": _object(DIFFERENCE, ("voucher_id", "travel_date", "difference_cents", "direction")),
}
