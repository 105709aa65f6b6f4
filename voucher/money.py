"""Amounts of money as people and spreadsheets write them, read once into integer cents.

Generous in format, strict in meaning. Accepted: a currency sign or code before or after
(`4,80 €`, `€ 4,80`, `EUR 4,80`), a sign in front, a trailing minus (`4,80-`) or parentheses
(`(4,80)`), digit groups of three separated by spaces (also no-break and narrow no-break spaces)
or by the other convention's mark (`1.234,50`, `1,234.50`), at most two decimals.

Whether `,` or `.` is the decimal mark is decided per file, not per value (file_convention):
most values show it (`4,80` can only be a decimal comma). A value is read only under its file's
convention; the two conventions never read one text as two different numbers, so what is not
refused is exactly what was written. Refused, with a sentence in English and German:
- a lone group of three after one mark (`1.234`): 1 234 € or 1,234 €?
- a value in the other convention than its file (`4.80` where the file writes `4,80`): a
  careless export, so no reading of it is safe;
- more than two decimals, other currencies, `Infinity`, `NaN`, empty.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

COMMA, POINT = "comma", "point"
DECIMAL_MARK = {COMMA: ",", POINT: "."}
# Spaces that separate digit groups: ordinary, no-break (Excel, LibreOffice), narrow no-break
# (CLDR's French and Swiss styles), thin.
GROUP_SPACES = " \u00a0\u202f\u2009"
MINUS_SIGNS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (Word and Excel autocorrect)
CURRENCY = ("EURO", "EUR", "€")  # longest first
MAX_CENTS = 100_000_000  # 1 000 000 €: a single journey is never near it; keeps sums in a 32-bit column
# Currencies met near German borders and in migrants' home countries: named when refused.
OTHER_CURRENCIES = {"$", "£", "¥", "₺", "₽", "₴", "zł", "USD", "GBP", "CHF", "PLN", "CZK", "DKK", "SEK",
                    "NOK", "HUF", "RON", "BGN", "TRY", "UAH", "RUB", "JPY"}
_LONE_GROUP = re.compile(r"^[1-9]\d{0,2}[.,]\d{3}$")
_GROUP_SPLIT = {mark: re.compile(f"[{re.escape(mark + GROUP_SPACES)}]") for mark in ",."}
_NUMBER_PARTS = re.compile(f"[\\d{re.escape(GROUP_SPACES)}.,]+")


def snippet(text: str, limit: int = 40) -> str:
    """Outside text as a report repeats it: printable, at most `limit` characters."""
    clean = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return clean if len(clean) <= limit else clean[:limit - 1] + "\u2026"


def quoted(text: str) -> str:
    return f'"{snippet(text)}"'


class Refused(ValueError):
    """A value we will not guess at. `kind` is for machines, `en` and `de` for the clerk."""

    def __init__(self, kind: str, en: str, de: str):
        super().__init__(en)
        self.kind, self.en, self.de = kind, en, de


@dataclass(frozen=True)
class Amount:
    """An amount as written, before its file's convention is known: the cents it reads as
    under each convention it is valid in (one or both; both read the same number)."""

    text: str
    cents: dict[str, int]

    @property
    def convention(self) -> str | None:
        """The convention this value shows, or None when it reads the same under both (`5`)."""
        return next(iter(self.cents)) if len(self.cents) == 1 else None

    def under(self, convention: str | None) -> int:
        """The cents under the file's convention (None: the file shows none consistently)."""
        if self.convention is None:
            return next(iter(self.cents.values()))
        if convention is None:
            raise Refused(
                "ambiguous_amount",
                f"{quoted(self.text)}: this file writes amounts with a decimal comma and with a decimal point "
                "equally often, so no amount with a decimal mark can be read safely.",
                f"{quoted(self.text)}: Diese Datei schreibt Beträge gleich oft mit Dezimalkomma und mit "
                "Dezimalpunkt; kein Betrag mit Dezimalzeichen lässt sich sicher lesen.")
        if self.convention != convention:
            ours, theirs = DECIMAL_MARK[convention], DECIMAL_MARK[self.convention]
            raise Refused(
                "ambiguous_amount",
                f"{quoted(self.text)} uses a decimal {self.convention}, but this file writes amounts with a "
                f"decimal {convention} (like 4{ours}80): the line cannot be read safely.",
                f"{quoted(self.text)} hat das Dezimalzeichen {theirs!r}, die Datei sonst {ours!r} "
                f"(wie 4{ours}80): die Zeile lässt sich nicht sicher lesen.")
        return self.cents[convention]


def file_convention(amounts: Iterable[Amount]) -> str | None:
    """The decimal convention most of a file's amounts show; None when none shows one or both
    are equally common (then every amount that shows one is refused)."""
    return convention_of(Counter(a.convention for a in amounts if a.convention is not None))


def convention_of(votes: Counter[str]) -> str | None:
    """file_convention from the votes counted while reading (a file read line by line keeps no amounts)."""
    ranked = votes.most_common()
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def read_euros(text: str) -> Amount:
    """An amount in euros, in any of the styles above; raises Refused."""
    negative, number, _ = _sign_and_currency(text)
    if not number:
        raise _unreadable(text)
    if _LONE_GROUP.match(number):
        whole = number.replace(",", "").replace(".", "")
        raise Refused(
            "ambiguous_amount",
            f"{quoted(text)} could be {whole} euros (a thousands separator) or {number.replace(',', '.')} euros "
            "(three decimals); write amounts with two decimals.",
            f"{quoted(text)} kann {whole} Euro (mit Tausendertrennzeichen) oder {number.replace('.', ',')} Euro (drei "
            "Nachkommastellen) heißen; bitte Beträge mit zwei Nachkommastellen schreiben.")
    cents = {}
    too_precise = False
    for convention, mark in DECIMAL_MARK.items():
        try:
            value = _digits(number, mark, group="." if mark == "," else ",")
        except _TooPrecise:
            too_precise = True
            continue
        if value is not None:
            cents[convention] = _bounded(text, -value if negative else value)
    if not cents:
        if too_precise:
            raise Refused("too_many_decimals", f"{quoted(text)} has more than two decimals; amounts are whole cents.",
                          f"{quoted(text)} hat mehr als zwei Nachkommastellen; Beträge sind ganze Cent.")
        raise _unreadable(text)
    return Amount(text, cents)


def read_typed_euros(text: str) -> int:
    """One amount a person typed into a form (`4,80`, `4.80`, `4`, `1.234,50 €`): with no file
    to decide the decimal mark, the value's own mark decides; what could be read two ways
    (`1.234`) is refused like anywhere else. Raises Refused."""
    amount = read_euros(text)
    return amount.under(amount.convention)


def read_cents(text: str) -> int:
    """A whole number of cents (`480`, `-480`, `480-`, `(480)`); raises Refused."""
    negative, number, currency = _sign_and_currency(text)
    if currency or not number.isascii() or not number.isdigit():
        raise Refused(
            "unreadable_amount",
            f"{quoted(text)} is not a whole number of cents (amount_cents holds 480 for 4,80 €).",
            f"{quoted(text)} ist keine ganze Zahl von Cent (amount_cents enthält 480 für 4,80 €).")
    return _bounded(text, -int(number) if negative else int(number))


class _TooPrecise(Exception):
    pass


def _digits(number: str, mark: str, group: str) -> int | None:
    """Cents if `number` is valid with `mark` as decimal mark and `group` (or spaces) between
    groups of three, else None; _TooPrecise when only the decimals are too many."""
    whole, sep, fraction = number.partition(mark)
    if sep and (mark in fraction or not (fraction.isascii() and fraction.isdigit())):
        return None
    if whole.isascii() and whole.isdigit():
        groups = [whole]
    else:
        groups = _GROUP_SPLIT[group].split(whole)
        if len({c for c in whole if not c.isdigit()}) > 1 or not all(g.isascii() and g.isdigit() for g in groups):
            return None
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or groups[0][0] == "0" or any(len(g) != 3 for g in groups[1:])):
        return None
    if len(fraction) > 2:
        raise _TooPrecise
    return int("".join(groups)) * 100 + int(fraction.ljust(2, "0") or 0)


def _sign_and_currency(text: str) -> tuple[bool, str, bool]:
    """(negative, the number without sign, currency and outer spaces, whether a currency was
    written); raises Refused when signs or currencies are doubled or it is not the euro."""
    rest = text.strip()
    signs = currencies = 0
    if rest.startswith("(") and rest.endswith(")"):
        rest, signs = rest[1:-1].strip(), 1
    negative = signs == 1
    while True:
        token = _edge_token(rest)
        if token is None:
            break
        kind, rest = token
        if kind == "currency":
            currencies += 1
        else:
            signs += 1
            negative = negative or kind == "minus"
    if signs > 1 or currencies > 1:
        raise Refused("unreadable_amount", f"{quoted(text)} has two signs or two currencies; which one is meant?",
                      f"{quoted(text)} hat zwei Vorzeichen oder zwei Währungen; welche ist gemeint?")
    words = _NUMBER_PARTS.split(rest) if not _NUMBER_PARTS.fullmatch(rest) else ()
    if any(word.strip().upper() in OTHER_CURRENCIES or word.strip() in OTHER_CURRENCIES for word in words):
        raise Refused("not_euros", f"{quoted(text)} is not in euros; only euro amounts are accepted.",
                      f"{quoted(text)} ist kein Euro-Betrag; nur Beträge in Euro werden angenommen.")
    return negative, rest, currencies == 1


def _edge_token(rest: str) -> tuple[str, str] | None:
    """One sign or currency taken off either end of `rest`, or None."""
    upper = rest.upper()
    for code in CURRENCY:
        if upper.startswith(code):
            return "currency", rest[len(code):].strip()
        if upper.endswith(code):
            return "currency", rest[: -len(code)].strip()
    if rest[:1] in MINUS_SIGNS and rest[1:]:
        return "minus", rest[1:].strip()
    if rest[:1] == "+" and rest[1:]:
        return "plus", rest[1:].strip()
    if rest[-1:] in MINUS_SIGNS and rest[:-1]:
        return "minus", rest[:-1].strip()
    return None


def _bounded(text: str, cents: int) -> int:
    if abs(cents) >= MAX_CENTS:
        raise Refused("implausible_amount", f"{quoted(text)} is more than a million euros for one line.",
                      f"{quoted(text)} ist mehr als eine Million Euro für eine Zeile.")
    return cents


def _unreadable(text: str) -> Refused:
    if not text.strip():
        return Refused("missing_amount", "The amount is empty.", "Der Betrag fehlt.")
    return Refused("unreadable_amount", f"{quoted(text)} is not an amount of money (like 4,80 or 4,80 €).",
                   f"{quoted(text)} ist kein Geldbetrag (wie 4,80 oder 4,80 €).")


# Whole euros without ",00" (a chart's scale), per locale.
_WHOLE_EUROS = {"de_DE": "#,##0\u00a0¤", "en_GB": "¤#,##0"}


def format_euros(cents: int, locale: str, symbol: bool = True, whole: bool = False) -> str:
    """Cents written for people, the one place money is formatted (pages, the demo's operator
    file): 1.234,50 € in de_DE, €1,234.50 in en_GB; without the symbol for a form field to edit
    (1.234,50); `whole` drops ",00" from whole euros (100 €). read_euros reads each back."""
    value = Decimal(cents).scaleb(-2)
    if not symbol:
        return format_decimal(value, format="#,##0.00", locale=locale)
    if whole and cents % 100 == 0 and locale in _WHOLE_EUROS:
        return format_currency(value, "EUR", format=_WHOLE_EUROS[locale], currency_digits=False, locale=locale)
    return format_currency(value, "EUR", locale=locale)
