"""The transit operator's invoice file, read the one way the API, the CLI and the page share.

Bytes, encodings, separators and lines: voucher/tabular.py (the reader every upload shares). The
file is spooled to a temporary file while its SHA-256 is taken (the encoding is decided from all
its bytes there), then read from it twice, decoded and split as it is read: first for its
decimal convention, months and stated facts (counts only), then line by line into journeys. Its
text is never held whole: a line read is kept packed (Lines, about 30 bytes), a refused one on
disk (voucher/spill.py), so a 50 MB file of a million short lines costs tens of megabytes. The
same prices and days on line after line are read once per file (_Memo).

Columns, in any order, names in any case, German or English (COLUMN_NAMES): the voucher
(`voucher_id`, Ticketnummer, Fahrscheinnummer, ...), the travel date (`travel_date`,
Fahrtdatum, ...) and the amount: `amount_cents` (whole cents), `amount` (euros, see
voucher/money.py; Betrag, Brutto, ...), or Soll and Haben columns (an amount in Haben is a
credit), with an optional S/H column marking each amount as debit (S) or credit (H). Optional:
Netto and MwSt (summed as net and VAT; with Brutto all three must agree), the period
(`period_from`, `period_to`), the invoice number (Rechnungsnummer; the same on every line), and
on a credit note's lines the number of the invoice each credits (Bezug, Ursprungsrechnung, ...).
Anything else is ignored. A letterhead above the header and sum lines: voucher/invoice_head.py.

Every line below the header is read, refused with its number and a reason, or a sum line; the
three counts add up to the file's lines (`lines_in_file`, blank lines aside). A line is refused
whole when its fields cannot be trusted to be in their columns: quoting that does not pair up, a
field count that differs from the header's (trailing empty fields aside), or, in a
comma-separated file, a whole-euro amount followed by a one- or two-digit field (`2,90` written
without quotes). A file that cannot be read at all raises Unreadable, and nothing of it is kept.

The invoice's period: its period columns; else its letterhead's; else the one the caller gives;
else the calendar month most of its travel dates fall in. Charges outside the period, lines
dated in the future, with a two-digit year or an amount read ambiguously are refused; credit
notes may be for any earlier day (they are matched to the invoice that billed it).
"""

from __future__ import annotations

import re
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, BinaryIO, overload

from . import invoice_head, money, tabular
from .spill import Spill
from .tabular import TooLarge, Unreadable
from .token import codes

__all__ = ["read", "read_day", "InvoiceFile", "Line", "Rejected", "Unreadable", "TooLarge"]

MAX_BYTES = 50 * 1024 * 1024
MAX_SIZE_IN_WORDS = "50 MB (52,428,800 bytes)"
MAX_SIZE_IN_WORDS_DE = "50 MB (52.428.800 Bytes)"
MAX_PERIOD_DAYS = 366
COLUMN_NAMES = {
    "voucher_id": ("voucher_id", "voucher", "voucher_no", "voucher_number", "ticketnummer", "ticket_nr", "ticketnr",
                   "ticket_number", "ticket_no", "ticket_id", "fahrscheinnummer", "fahrschein_nr", "fahrscheinnr",
                   "fahrschein", "gutscheinnummer", "gutschein_nr", "gutschein"),
    "travel_date": ("travel_date", "fahrtdatum", "reisedatum", "datum", "date", "leistungsdatum", "fahrtag",
                    "journey_date", "travel_day"),
    "amount_cents": ("amount_cents", "betrag_cent", "betrag_in_cent", "cent"),
    "amount": ("amount", "amount_eur", "betrag", "betrag_eur", "betrag_in_eur", "preis", "fahrpreis", "price"),
    "gross": ("brutto", "bruttobetrag", "betrag_brutto", "gross", "gross_amount", "amount_gross"),
    "net": ("netto", "nettobetrag", "betrag_netto", "net", "net_amount", "amount_net"),
    "vat": ("mwst", "mwst_betrag", "ust", "umsatzsteuer", "vat", "vat_amount"),
    "debit": ("soll", "debit"),
    "credit": ("haben", "credit"),
    "debit_credit": ("s/h", "sh", "s_h", "soll/haben", "soll_haben", "d/c", "debit/credit"),
    "number": ("rechnungsnummer", "rechnungsnr", "rechnung_nr", "rechnungs_nr", "re_nr", "invoice_number",
               "invoice_no", "invoice_nr"),
    "period_from": ("period_from", "zeitraum_von", "leistungszeitraum_von", "abrechnungszeitraum_von"),
    "period_to": ("period_to", "zeitraum_bis", "leistungszeitraum_bis", "abrechnungszeitraum_bis"),
    # A credit note's line: the number of the invoice it credits.
    "reference": ("reference", "original_invoice", "original_invoice_number", "original_invoice_no",
                  "invoice_reference", "bezug", "rechnungsbezug", "ursprungsrechnung", "referenz",
                  "original_rechnungsnummer", "bezugsrechnung", "ursprungsrechnungsnummer"),
}
_CANONICAL = {alias: name for name, aliases in COLUMN_NAMES.items() for alias in aliases}
AMOUNTS = ("amount", "gross", "net", "vat", "debit", "credit")  # columns in euros
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_GERMAN_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d+)(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_DEBIT, _CREDIT = {"s", "soll", "d", "debit", "+"}, {"h", "haben", "c", "credit", "-"}
_AMOUNT_COLUMNS = ("amount_cents", "amount", "gross", "net", "vat", "debit", "credit", "debit_credit")
_WHOLE, _CENTS = re.compile(r"[-+]?\d+"), re.compile(r"\d{1,2}")  # `2,90` unquoted in a comma file: 2 and 90
_ID_CHARS = 13  # a voucher id as codes.normalize_id writes it
_CANONICAL_ID = re.compile(f"[{codes.ALPHABET[:16]}][{codes.ALPHABET}]{{{_ID_CHARS - 1}}}")  # 64 bits: 0-F first
_UNKNOWN = object()


@dataclass(frozen=True, slots=True)
class Line:
    line: int
    voucher_id: str
    travel_date: date
    amount_cents: int
    reference: str | None = None  # the invoice number a credit names (services/invoice_matching.py)


class Lines(Sequence[Line]):
    """The lines read, packed into arrays: about 30 bytes a line where Line objects and their
    strings take 150, so a million-line invoice is held in 30 MB. A field added to Line needs
    its column here (tests/test_invoice_csv.py checks that every field is kept)."""

    def __init__(self) -> None:
        self._number, self._day, self._amount = array("q"), array("l"), array("q")
        self._voucher = bytearray()  # ids of _ID_CHARS ASCII characters, one after another
        self._reference: dict[int, str] = {}  # by index: only credit notes name an invoice

    def append(self, line: Line) -> None:
        voucher = line.voucher_id.encode("ascii")
        if len(voucher) != _ID_CHARS:
            raise ValueError(f"{line.voucher_id!r} is not a voucher id as codes.normalize_id writes it")
        if line.reference is not None:
            self._reference[len(self._number)] = line.reference
        self._number.append(line.line)
        self._day.append(line.travel_date.toordinal())
        self._amount.append(line.amount_cents)
        self._voucher += voucher

    def __len__(self) -> int:
        return len(self._number)

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...

    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        number = self._number[index]  # IndexError when out of range
        at = (index % len(self)) * _ID_CHARS
        return Line(number, self._voucher[at:at + _ID_CHARS].decode("ascii"), date.fromordinal(self._day[index]),
                    self._amount[index], self._reference.get(index % len(self)))

    def __iter__(self) -> Iterator[Line]:
        return self.at(range(len(self)))

    def at(self, indexes: Iterable[int]) -> Iterator[Line]:
        """The lines at these indexes (0 to len - 1), as they are taken: each day is made once."""
        number, day, amount, voucher, reference = self._number, self._day, self._amount, self._voucher, self._reference
        days: dict[int, date] = {}
        return (Line(number[i], voucher[i * _ID_CHARS:(i + 1) * _ID_CHARS].decode("ascii"),
                     days.get(day[i]) or days.setdefault(day[i], date.fromordinal(day[i])), amount[i], reference.get(i))
                for i in indexes)

    def voucher_ids(self) -> Iterator[str]:
        """Each line's voucher id, in file order, without making the lines."""
        voucher = self._voucher
        return (voucher[at:at + _ID_CHARS].decode("ascii") for at in range(0, len(voucher), _ID_CHARS))


@dataclass(frozen=True, slots=True)
class Rejected:
    """A refused line, with what could be read of it (to count its amount in the totals)."""

    line: int
    kind: str
    error: str
    error_de: str
    column: str | None = None
    value: str | None = None
    voucher_id: str | None = None
    travel_date: date | None = None
    amount_cents: int | None = None


@dataclass
class InvoiceFile:
    sha256: str
    size: int
    encoding: str
    delimiter: str
    convention: str | None = None
    period: tuple[date, date] | None = None
    period_source: str | None = None
    number: str | None = None  # the operator's invoice number (letterhead or column)
    operator: str | None = None  # from the letterhead
    stated_total_cents: int | None = None  # the operator's own total (sum line or letterhead)
    net_cents: int | None = None  # with Netto / MwSt columns: their sums over the lines read
    vat_cents: int | None = None
    lines_in_file: int = 0  # non-blank lines below the header = read + refused + sum lines
    sum_lines: int = 0
    lines: Lines = field(default_factory=Lines)
    rejected: Spill[Rejected] = field(default_factory=Spill)


def read(source: BinaryIO, today: date, period: tuple[date, date] | None = None) -> InvoiceFile:
    """Read the invoice from a binary stream; `today` (the office's) bounds travel dates and
    `period` is the caller's, used when the file names none. Raises Unreadable or TooLarge."""
    with tempfile.TemporaryFile() as spool:
        spooled = tabular.spool(source, spool, MAX_BYTES, (
            f"An invoice may be at most {MAX_SIZE_IN_WORDS}; split it into several files.",
            f"Eine Rechnung darf höchstens {MAX_SIZE_IN_WORDS_DE} groß sein; bitte in mehrere Dateien teilen."))
        table = tabular.open_table(spooled, _column, _is_header, (
            "The invoice needs a header row naming its columns: voucher_id (Ticketnummer), travel_date (Fahrtdatum) "
            "and amount (Betrag, euros) or amount_cents, separated by ';', ',' or tabs.",
            "Die Rechnung braucht eine Kopfzeile mit den Spalten voucher_id (Ticketnummer), travel_date (Fahrtdatum) "
            "und amount (Betrag, Euro) oder amount_cents, getrennt durch ';', ',' oder Tabulator."))
        twice = sorted({n for n in table.names if n in COLUMN_NAMES and table.names.count(n) > 1})
        if twice:
            raise Unreadable(f"The column {twice[0]} appears twice in the header; which one is meant?",
                             f"Die Spalte {twice[0]} steht zweimal in der Kopfzeile; welche ist gemeint?")
        invoice = InvoiceFile(spooled.sha256, spooled.size, tabular.encoding_name(spooled.encoding), table.delimiter)
        head = invoice_head.letterhead(table.preamble, lambda line: tabular.split(line, table.delimiter))
        columns = _Columns(table)
        survey = _survey(table, columns)
        if not survey.lines:
            raise Unreadable("The invoice has no lines after its header row.",
                             "Die Rechnung hat unter der Kopfzeile keine Zeilen.")
        invoice.convention = money.convention_of(survey.conventions)
        invoice.number = _one(survey.numbers, head.number, "invoice number", "Rechnungsnummer")
        invoice.operator = head.operator
        invoice.period, invoice.period_source = _period(survey, head, period)
        _lines(invoice, table, columns, today)
        if head.total and invoice.stated_total_cents is None:
            try:
                invoice.stated_total_cents = money.read_euros(head.total).under(invoice.convention)
            except money.Refused as exc:
                raise Unreadable(f"The letterhead's total: {exc.en}", f"Rechnungsbetrag im Briefkopf: {exc.de}") from None
    return invoice


def _column(name: str) -> str:
    canonical = invoice_head.key(name)
    return _CANONICAL.get(canonical, canonical)


def _is_header(names: list[str]) -> bool:
    return ({"voucher_id", "travel_date"} <= set(names)
            and bool({"amount", "amount_cents", "gross", "debit", "credit"} & set(names)))


class _Columns:
    """Where the header puts the known columns, worked out once for the whole file."""

    def __init__(self, table: tabular.Table):
        self.names, self.delimiter, self.comma = table.names, table.delimiter, table.delimiter == ","
        self.known = [(name, i) for i, name in enumerate(table.names) if name in COLUMN_NAMES]
        self.voucher = table.names.index("voucher_id")
        self.travel_date = table.names.index("travel_date")
        self.reference = table.names.index("reference") if "reference" in table.names else None
        self.euros = [i for i, name in enumerate(table.names) if name in AMOUNTS]
        self.amounts = [name for name in table.names if name in _AMOUNT_COLUMNS]  # what _amount reads
        self.amounts_at = [table.names.index(name) for name in self.amounts]
        self.more = bool({"period_from", "period_to", "number"} & set(table.names))
        # Comma files: an amount column followed by another, where `2,90` unquoted splits in two.
        self.splittable = [i for i, name in enumerate(table.names[:-1]) if name in AMOUNTS] if self.comma else []

    def fit(self, fields: list[str] | tabular.BadLine) -> bool:
        """Whether the line's fields are where the header says (trailing empty fields aside)."""
        if isinstance(fields, tabular.BadLine) or len(fields) < len(self.names):
            return False
        return len(fields) == len(self.names) or not any(f.strip() for f in fields[len(self.names):])

    def named(self, fields: list[str]) -> dict[str, str]:
        """The known columns of a line that fits."""
        return {name: fields[i].strip() for name, i in self.known}


class _Memo:
    """What `read` made of a short text (or tuple of texts), or the Refused it raised,
    remembered for one file: an invoice writes the same prices and days on line after line.
    At most LIMIT keys of up to 64 characters are kept."""

    LIMIT = 4096

    def __init__(self, read: Callable[[Any], Any]):
        self.read, self.known = read, dict[Any, Any]()

    def __call__(self, key: str | tuple[str, ...]) -> Any:
        value = self.known.get(key, _UNKNOWN)
        if value is _UNKNOWN:
            value = _attempt(self.read, key)
            if len(key if isinstance(key, str) else "".join(key)) <= 64:
                if len(self.known) >= self.LIMIT:
                    self.known.clear()
                self.known[key] = value
        return value


@dataclass
class _Survey:
    """What the first reading finds: the votes for a decimal convention, travel months, the
    period and invoice number columns' values."""

    lines: int = 0
    conventions: Counter[str] = field(default_factory=Counter)
    months: Counter[tuple[int, int]] = field(default_factory=Counter)
    periods: set[tuple[str, str]] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)


def _survey(table: tabular.Table, columns: _Columns) -> _Survey:
    """The first reading: what the second needs to know before it reads any line (the decimal
    convention, the majority month). It keeps counts only, so it costs time, not memory."""
    survey = _Survey()
    shows, month = _Memo(lambda text: money.read_euros(text).convention), _Memo(lambda text: read_day(text).timetuple()[:2])
    for _, fields in table.rows():
        survey.lines += 1
        if not columns.fit(fields):
            continue
        assert isinstance(fields, list)  # it fits
        for i in columns.euros:
            if (text := fields[i].strip()) and isinstance(convention := shows(text), str):
                survey.conventions[convention] += 1
        if isinstance(travelled := month(fields[columns.travel_date].strip()), tuple):
            survey.months[travelled] += 1
        if columns.more:
            row = columns.named(fields)
            if row.get("period_from") or row.get("period_to"):
                survey.periods.add((row.get("period_from") or "", row.get("period_to") or ""))
            if row.get("number"):
                survey.numbers.add(row["number"][:64])
    return survey


def _lines(invoice: InvoiceFile, table: tabular.Table, columns: _Columns, today: date) -> None:
    """The second reading: each line read, refused or taken as a sum line."""
    net = vat = 0
    day = _Memo(read_day)
    amount_of = _Memo(lambda texts: _amount(dict(zip(columns.amounts, texts, strict=True)), invoice.convention))
    for number, fields in table.rows():
        invoice.lines_in_file += 1
        shape = _shape(columns, fields)
        at = columns.voucher
        voucher_id = _attempt(_voucher_id, fields[at].strip()) if isinstance(fields, list) and at < len(fields) else None
        # A line with a voucher id is never a sum line.
        if isinstance(fields, list) and not isinstance(voucher_id, str) and (word := invoice_head.sum_word(fields)):
            invoice.sum_lines += 1
            total = _attempt(_amount, columns.named(fields), invoice.convention) if shape is None else None
            if invoice_head.states_total(word) and isinstance(total, int):
                invoice.stated_total_cents = total
            continue
        if shape is not None:  # refused whole: the line as written, for a person to compare
            written = shape.text or (table.delimiter.join(fields) if isinstance(fields, list) else "")
            invoice.rejected.append(Rejected(number, shape.kind, shape.en, shape.de, value=money.snippet(written, 120)))
            continue
        assert isinstance(fields, list)  # its shape is right
        travel_date = day(fields[columns.travel_date].strip())
        amount = amount_of(tuple([fields[i].strip() for i in columns.amounts_at]))
        if isinstance(travel_date, date) and isinstance(amount, int):
            travel_date = _attempt(_within, travel_date, None if amount < 0 else invoice.period, today)
        if isinstance(voucher_id, str) and isinstance(travel_date, date) and isinstance(amount, int):
            reference = (fields[columns.reference].strip()[:64] or None) if columns.reference is not None else None
            invoice.lines.append(Line(number, voucher_id, travel_date, amount, reference))
            row = columns.named(fields) if "net" in columns.amounts else {}
            if row.get("net") and row.get("vat"):
                net_part, vat_part = _attempt(money.read_euros, row["net"]), _attempt(money.read_euros, row["vat"])
                if isinstance(net_part, money.Amount) and isinstance(vat_part, money.Amount):
                    net += net_part.under(invoice.convention)
                    vat += vat_part.under(invoice.convention)
                    invoice.net_cents, invoice.vat_cents = net, vat
            continue
        row = columns.named(fields)
        parsed = {"voucher_id": voucher_id, "travel_date": travel_date, "amount": amount}
        column, refused = next((column, value) for column, value in parsed.items() if isinstance(value, money.Refused))
        value = row.get(column) if column != "amount" else _amount_text(row)
        invoice.rejected.append(Rejected(
            number, refused.kind, refused.en, refused.de, column, value and money.snippet(value),
            *(v if not isinstance(v, money.Refused) else None for v in parsed.values())))


def _shape(columns: _Columns, fields: list[str] | tabular.BadLine) -> tabular.BadLine | None:
    """Why the line's fields cannot be trusted to be in their columns, if so."""
    if isinstance(fields, tabular.BadLine):
        return fields
    width = len(columns.names)
    if len(fields) > width and any(f.strip() for f in fields[width:]):
        comma = columns.comma
        hint = ' (a decimal comma in a comma-separated file must be in quotes: "4,80")' if comma else ""
        hint_de = ' (ein Dezimalkomma in einer kommagetrennten Datei gehört in Anführungszeichen: "4,80")' if comma else ""
        return tabular.BadLine("extra_fields", f"This line has more fields than the header{hint}.",
                               f"Diese Zeile hat mehr Felder als die Kopfzeile{hint_de}.")
    if len(fields) < width:
        return tabular.BadLine("missing_fields", "This line has fewer fields than the header.",
                               "Diese Zeile hat weniger Felder als die Kopfzeile.")
    for i in columns.splittable:
        if _WHOLE.fullmatch(fields[i].strip()) and _CENTS.fullmatch(fields[i + 1].strip()):
            text = f"{fields[i].strip()},{fields[i + 1].strip()}"
            return tabular.BadLine(
                "ambiguous_amount", f'"{text}": an amount with a decimal comma not in quotes, or a whole-euro '
                f'amount and another column? Write "{text}" in quotes.',
                f'"{text}": ein Betrag mit Dezimalkomma ohne Anführungszeichen oder ganze Euro und eine weitere '
                f'Spalte? Bitte "{text}" in Anführungszeichen schreiben.')
    return None


def _amount(row: dict[str, str], convention: str | None) -> int:
    """The line's amount in cents, credits negative, from whichever amount columns it has."""
    def euros(name: str) -> int | None:
        return money.read_euros(row[name]).under(convention) if row.get(name) else None

    cents = money.read_cents(row["amount_cents"]) if row.get("amount_cents") else None
    amount = euros("amount") if row.get("amount") else euros("gross")
    if row.get("amount") and row.get("gross") and amount != euros("gross"):
        raise money.Refused("amounts_differ", "amount and gross (Brutto) differ on this line.",
                            "Betrag und Brutto stimmen in dieser Zeile nicht überein.")
    if cents is not None and amount is not None and cents != amount:
        raise money.Refused("amounts_differ", "amount and amount_cents differ on this line.",
                            "amount und amount_cents stimmen in dieser Zeile nicht überein.")
    value = cents if cents is not None else amount
    debit, credit = euros("debit"), euros("credit")
    if value is None and debit is not None and credit is None:
        value = debit
    elif value is None and credit is not None and debit is None:
        value = -credit
    elif value is None:
        if debit is not None:
            raise money.Refused("debit_and_credit", "The line has an amount in both Soll and Haben.",
                                "Die Zeile hat einen Betrag in Soll und in Haben.")
        raise money.Refused("missing_amount", "The amount is empty.", "Der Betrag fehlt.")
    if row.get("net") and row.get("vat") and (row.get("amount") or row.get("gross")):
        net, vat = euros("net"), euros("vat")  # both given, so neither is None
        if net is not None and vat is not None and net + vat != value:
            raise money.Refused("net_vat_gross_differ", "Netto plus MwSt is not the gross amount on this line.",
                                "Netto plus MwSt ergibt in dieser Zeile nicht den Bruttobetrag.")
    marker = (row.get("debit_credit") or "").strip().lower()
    if marker in _CREDIT:
        if value < 0:
            raise money.Refused("credit_marked_twice", "A negative amount marked H (Haben): a credit or not?",
                                "Ein negativer Betrag mit H (Haben): Gutschrift oder nicht?")
        return -value
    if marker and marker not in _DEBIT:
        raise money.Refused("unreadable_debit_credit", f"{money.quoted(marker)} is neither S (Soll) nor H (Haben).",
                            f"{money.quoted(marker)} ist weder S (Soll) noch H (Haben).")
    return value


def _amount_text(row: dict[str, str]) -> str | None:
    return next((row[name] for name in ("amount_cents", "amount", "gross", "debit", "credit") if row.get(name)), None)


def read_day(text: str) -> date:
    """A travel date: 2026-12-03, 03.12.2026 or 3.12.2026 (a time after it is ignored);
    raises money.Refused for two-digit years and anything that could be read two ways."""
    text = text.strip()
    iso, german = _ISO_DAY.match(text), _GERMAN_DAY.match(text)
    if german and len(german.group(3)) != 4:
        raise money.Refused("two_digit_year", f"{money.quoted(text)}: write the year with four digits (03.12.2026).",
                            f"{money.quoted(text)}: bitte das Jahr vierstellig schreiben (03.12.2026).")
    if not (iso or german):
        if not text:
            raise money.Refused("missing_date", "The travel date is empty.", "Das Reisedatum fehlt.")
        raise money.Refused("unreadable_date", f"{money.quoted(text)} is not a date like 03.12.2026 or 2026-12-03.",
                            f"{money.quoted(text)} ist kein Datum wie 03.12.2026 oder 2026-12-03.")
    if iso:
        year, month, day = (int(x) for x in iso.groups())
    else:
        assert german is not None  # refused above when neither matched
        year, month, day = (int(x) for x in reversed(german.groups()))
    try:
        value = date(year, month, day)
    except ValueError:
        raise money.Refused("unreadable_date", f"{money.quoted(text)} is not a day of the calendar.",
                            f"{money.quoted(text)} ist kein Kalendertag.") from None
    if not 2000 <= value.year <= 2999:
        raise money.Refused("unreadable_date", f"{money.quoted(text)}: the year must be between 2000 and 2999.",
                            f"{money.quoted(text)}: das Jahr muss zwischen 2000 und 2999 liegen.")
    return value


def _voucher_id(text: str) -> str:
    if _CANONICAL_ID.fullmatch(text):  # as normalize_id writes it: most lines, read without decoding
        return text
    try:
        return codes.normalize_id(text)
    except ValueError:
        if not text.strip():
            raise money.Refused("missing_voucher", "The voucher id is empty.", "Die Fahrschein-Nummer fehlt.") from None
        raise money.Refused("unreadable_voucher", f"{money.quoted(text)} is not a voucher id (13 or 14 letters and digits).",
                            f"{money.quoted(text)} ist keine Fahrschein-Nummer (13 oder 14 Buchstaben und Ziffern).") from None


def _within(day: date, period: tuple[date, date] | None, today: date) -> date:
    """A charge's day: not in the future, inside the period (None for a credit: any earlier day)."""
    if day > today:
        raise money.Refused("future_date", f"{day:%d.%m.%Y} is in the future.", f"{day:%d.%m.%Y} liegt in der Zukunft.")
    if period and not period[0] <= day <= period[1]:
        first, last = (f"{d:%d.%m.%Y}" for d in period)
        raise money.Refused("outside_period", f"{day:%d.%m.%Y} is outside the invoice's period {first} to {last}.",
                            f"{day:%d.%m.%Y} liegt außerhalb des Rechnungszeitraums {first} bis {last}.")
    return day


def _one(values: set[str], head: str | None, en: str, de: str) -> str | None:
    """The one value a column holds on every line (and the letterhead, if it says)."""
    found = values | ({head} if head else set())
    if len(found) > 1:
        raise Unreadable(f"The {en} differs between lines or from the letterhead; an invoice has one.",
                         f"Die {de} ist nicht in allen Zeilen (und im Briefkopf) gleich; eine Rechnung hat eine.")
    return found.pop() if found else None


def _period(survey: _Survey, head: invoice_head.Letterhead,
            given: tuple[date, date] | None) -> tuple[tuple[date, date] | None, str | None]:
    """(first, last) and where it came from: 'file', 'parameter' or 'majority_month'."""
    stated = set(survey.periods) | ({head.period} if head.period else set())
    if len(stated) > 1:
        raise Unreadable("The period columns differ between lines; an invoice covers one period.",
                         "Die Zeitraum-Spalten sind nicht in allen Zeilen gleich; eine Rechnung gilt für einen Zeitraum.")
    if stated:
        try:
            first, last = (read_day(text) for text in stated.pop())
            period = (first, last)
        except money.Refused as exc:
            raise Unreadable(f"The invoice's period column: {exc.en}", f"Zeitraum-Spalte der Rechnung: {exc.de}") from None
        if given and given != period:
            raise Unreadable(f"The file states the period {period[0]} to {period[1]}, the request {given[0]} to {given[1]}.",
                             f"Die Datei nennt den Zeitraum {period[0]:%d.%m.%Y} bis {period[1]:%d.%m.%Y}, die Eingabe "
                             f"{given[0]:%d.%m.%Y} bis {given[1]:%d.%m.%Y}.")
        source = "file"
    elif given:
        period, source = given, "parameter"
    else:
        ranked = survey.months.most_common(2)
        if not ranked:
            return None, None
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            raise Unreadable("The travel dates fall equally into two months; give the invoice's period (from and to).",
                             "Die Reisedaten verteilen sich gleich auf zwei Monate; bitte den Rechnungszeitraum angeben "
                             "(von und bis).")
        (year, month), _ = ranked[0]
        following = date(year + month // 12, month % 12 + 1, 1)
        period, source = (date(year, month, 1), following - timedelta(days=1)), "majority_month"
    if period[1] < period[0] or (period[1] - period[0]).days >= MAX_PERIOD_DAYS:
        raise Unreadable(f"The invoice's period must run forwards and cover at most {MAX_PERIOD_DAYS} days.",
                         f"Der Rechnungszeitraum muss vorwärts laufen und darf höchstens {MAX_PERIOD_DAYS} Tage umfassen.")
    return period, source


def _attempt(function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except money.Refused as exc:
        return exc
