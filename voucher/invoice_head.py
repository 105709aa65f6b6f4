"""What an operator's invoice says about itself: the letterhead above its table (operator,
invoice number, period, the stated total) and its sum lines ("Summe", "Gesamtbetrag", "Total").

Recognised per line of the letterhead: `Key: value` or `Key;value` (any of the separators), keys
in German or English, case and punctuation ignored. The first line that is no such pair names
the operator (a letterhead starts with the sender). A line without a voucher id that has a cell
starting with a sum word is a sum line: never a journey, never refused money; its amount is the stated total
("Zwischensumme" and "Übertrag" are running totals and state nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_KEYS = ("rechnungsnummer", "rechnungsnr", "rechnung_nr", "rechnungs_nr", "re_nr", "invoice_number",
               "invoice_no", "invoice_nr", "belegnummer")
OPERATOR_KEYS = ("verkehrsunternehmen", "unternehmen", "absender", "operator", "transit_operator", "firma")
PERIOD_KEYS = ("leistungszeitraum", "abrechnungszeitraum", "rechnungszeitraum", "zeitraum", "period",
               "billing_period", "invoice_period")
TOTAL_KEYS = ("rechnungsbetrag", "gesamtbetrag", "endbetrag", "summe", "gesamtsumme", "total", "invoice_total",
              "total_amount", "gesamt", "summe_brutto", "bruttobetrag")
SUM_WORDS = ("summe", "gesamt", "total", "endbetrag", "rechnungsbetrag", "zwischensumme", "übertrag", "subtotal")
RUNNING = ("zwischensumme", "übertrag", "subtotal")
_PERIOD = re.compile(r"^\s*(\S+)\s*(?:-|–|bis|to|until)\s*(\S+)\s*$", re.I)


def key(text: str) -> str:
    """A column or letterhead name compared as we spell it: lower case, words joined by `_`,
    brackets, dots, colons and the euro sign dropped (`Betrag (EUR)` -> `betrag_eur`)."""
    text = text.strip().strip("\ufeff").lower().replace("€", " eur ")
    text = re.sub(r"[()\[\].:]", " ", text)
    return re.sub(r"[\s\-]+", "_", text.strip()).strip("_")


@dataclass
class Letterhead:
    operator: str | None = None
    number: str | None = None
    period: tuple[str, str] | None = None  # as written; invoice_csv reads the days
    total: str | None = None  # as written; invoice_csv reads the amount in the file's convention


def letterhead(lines: list[str], split) -> Letterhead:
    """The letterhead's facts from the lines above the header (`split` cuts a line into cells)."""
    head = Letterhead()
    for line in lines:
        parts = split(line)
        cells = [c.strip() for c in (parts if isinstance(parts, list) else [line]) if c.strip()]
        if len(cells) == 1 and ":" in cells[0]:
            cells = [part.strip() for part in cells[0].split(":", 1)]
        if len(cells) < 2:
            if head.operator is None and cells:
                head.operator = cells[0][:64]
            continue
        name, value = key(cells[0]), " ".join(cells[1:]).strip()
        if name in NUMBER_KEYS:
            head.number = value[:64]
        elif name in OPERATOR_KEYS:
            head.operator = value[:64]
        elif name in PERIOD_KEYS and (span := _PERIOD.match(value)):
            head.period = (span.group(1), span.group(2))
        elif name in TOTAL_KEYS:
            head.total = value
        elif head.operator is None:
            head.operator = cells[0][:64]
    return head


def sum_word(cells: list[str]) -> str | None:
    """The sum word of a line without a voucher that makes it a sum line: a cell starting with one."""
    for cell in cells:
        name = key(cell)
        word = next((w for w in SUM_WORDS if name.startswith(w)), None)
        if word:
            return word
    return None


def states_total(word: str) -> bool:
    return word not in RUNNING
