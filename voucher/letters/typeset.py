"""Setting text on a letter page: the font for each script, the direction of each paragraph,
wrapping into columns, and shrinking what would not fit.

Latin, Greek and Cyrillic (Romanian ș/ț included) are set in DejaVu Sans; a line with Arabic
script is set in Noto Sans Arabic, with DejaVu as the fallback for the Latin letters in it (a
name, a route). Right-to-left paragraphs are shaped with HarfBuzz and ordered by the Unicode
bidirectional algorithm (fpdf2's), one line at a time after wrapping, so embedded Latin text,
numbers, dates and codes keep their order. Shaping costs about half the rendering time, so a
letter uses it only when some text on it needs it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
LATIN = "DejaVu"
ARABIC = "NotoArabic"
# Hebrew to Myanmar (right-to-left and Indic scripts), Khmer, and Arabic presentation forms.
COMPLEX_SCRIPTS = ((0x0590, 0x109F), (0x1780, 0x17FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
ARABIC_SCRIPT = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
LRM = "\u200e"
PT = 25.4 / 72  # millimetres per point
_widths: dict[tuple, float] = {}  # (shaping, bold, size, text) -> mm; the texts repeat in every letter


def new_document() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(LATIN, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(LATIN, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_creator("voucher")
    return pdf


def needs_shaping(strings) -> bool:
    return any(
        any(low <= ord(c) <= high for low, high in COMPLEX_SCRIPTS)
        or unicodedata.bidirectional(c) in ("R", "AL", "AN")
        for text in strings for c in text if ord(c) >= 0x0590
    )


@lru_cache(maxsize=65536)
def _complex(text: str) -> bool:
    return needs_shaping((text,))


def is_rtl(text: str) -> bool:
    """The paragraph direction by the bidi algorithm's rule P2: its first strong character."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def embed(value: str, rtl: bool) -> str:
    """A value (name, phone number, place, time) inside right-to-left text. When it reads left
    to right, a left-to-right mark on each side makes it one run in its own order (bidi rules
    W7 and N1): without them "0123 456789-0" after Arabic words shows its groups swapped."""
    return f"{LRM}{value}{LRM}" if rtl and not is_rtl(value) else value


def _arabic(text: str) -> bool:
    return any(low <= ord(c) <= high for c in text if ord(c) >= 0x0600 for low, high in ARABIC_SCRIPT)


class Typesetter:
    """Text on one document. `rtl` is the direction of the language being set: right-to-left
    text is right-aligned in its column; a left-to-right column still orders an Arabic name
    in it right-to-left."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self.shaping = False

    def start_letter(self, shaping: bool) -> None:
        """Shaping (and the Arabic font, loaded on the first letter that needs it) or not."""
        self.shaping = shaping
        if shaping and ARABIC.lower() not in self.pdf.fonts:
            self.pdf.add_font(ARABIC, "", str(FONTS / "NotoSansArabic-Regular.ttf"))
            self.pdf.add_font(ARABIC, "B", str(FONTS / "NotoSansArabic-Bold.ttf"))
        self.pdf.set_text_shaping(shaping)
        self.pdf.set_fallback_fonts([LATIN] if shaping else [])

    def _setup(self, text: str, size: float, bold: bool, rtl_order: bool = False) -> bool:
        """Font, shaping and direction for `text`; whether it is shaped. Only text in a complex
        script or ordered right-to-left is: a German line on an Arabic letter costs no more
        than on a German one."""
        shaped = self.shaping and (rtl_order or _complex(text))
        if shaped:
            self.pdf.set_text_shaping(True, direction="rtl" if rtl_order else "ltr")
        elif self.shaping:
            self.pdf.set_text_shaping(False)
        self.pdf.set_font(ARABIC if shaped and _arabic(text) else LATIN, "B" if bold else "", size)
        return shaped

    def width(self, text: str, size: float, bold: bool = False) -> float:
        key = (self.shaping and _complex(text), bold, size, text)
        if key not in _widths:
            if len(_widths) > 100_000:
                _widths.clear()
            self._setup(text, size, bold)
            _widths[key] = self.pdf.get_string_width(text)
        return _widths[key]

    def room(self, width: float) -> float:
        return width - 2 * self.pdf.c_margin

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        """Lines of at most `width` (a column, cell margins included), broken at spaces and
        at "\\n"; a word wider than the column is broken between characters. Each word is
        measured once: fpdf2's multi_cell re-measures the line for every character it adds."""
        room, space = self.room(width), self.width(" ", size, bold)
        lines = []
        for paragraph in text.split("\n"):
            current: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                size_of = self.width(word, size, bold)
                pieces = [word] if size_of <= room else self._break(word, room, size, bold)
                for piece in pieces:
                    size_of = self.width(piece, size, bold)
                    if current and used + space + size_of > room:
                        lines.append(" ".join(current))
                        current, used = [], 0.0
                    used += (space if current else 0.0) + size_of
                    current.append(piece)
            lines.append(" ".join(current))
        return lines

    def _break(self, word: str, room: float, size: float, bold: bool) -> list[str]:
        pieces = []
        while word:
            low, high = 1, len(word)  # the longest prefix that fits, at least one character
            while low < high:
                middle = (low + high + 1) // 2
                if self.width(word[:middle], size, bold) <= room:
                    low = middle
                else:
                    high = middle - 1
            pieces.append(word[:low])
            word = word[low:]
        return pieces

    def fit(self, text: str, width: float, size: float, smallest: float, bold: bool = False) -> float:
        """The largest size from `size` down to `smallest` (in half points) at which `text`
        fits on one line; `smallest` if none does (it then wraps)."""
        room = self.room(width)
        while size > smallest and self.width(text, size, bold) > room:
            size -= 0.5
        return max(size, smallest)

    def line(self, x: float, y: float, width: float, height: float, text: str, size: float,
             bold: bool = False, rtl: bool = False, align: str | None = None,
             order_rtl: bool | None = None) -> None:
        """One line, already wrapped. `rtl`: right-aligned, ordered right-to-left;
        `order_rtl`: the paragraph's direction when the line is part of one."""
        ordered = rtl or (is_rtl(text) if order_rtl is None else order_rtl)
        self._setup(text, size, bold, ordered)
        self.pdf.set_xy(x, y)
        self.pdf.cell(width, height, text, align=align or ("R" if rtl else "L"))

    def paragraph(self, x: float, y: float, width: float, text: str, size: float,
                  bold: bool = False, rtl: bool = False, leading: float = 1.3) -> float:
        """The text wrapped into the column; returns the y below it."""
        height = size * PT * leading
        ordered = rtl or is_rtl(text)
        for line in self.wrap(text, width, size, bold):
            self.line(x, y, width, height, line, size, bold, rtl, order_rtl=ordered)
            y += height
        return y

    def height(self, text: str, width: float, size: float, bold: bool = False, leading: float = 1.3) -> float:
        return len(self.wrap(text, width, size, bold)) * size * PT * leading
