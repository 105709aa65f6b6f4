"""The ticket: a dashed cut-out with the QR code, what the driver checks by eye, and the short
code to type when the QR is damaged.

Drivers and inspectors read German, so the labels and values they check stay German and the
block stays left-to-right; on a letter in another language, each label carries its translation
in small type under it, and the instructions addressed to the holder are in their language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .. import qr
from ..token import codes
from . import texts
from .typeset import PT, Typesetter, embed, is_rtl

if TYPE_CHECKING:
    from .render import Letter

TOP, HEIGHT = 213.0, 76.0  # below the fold at 210 mm
LEFT, RIGHT = 15.0, 195.0
QR_X, QR_SIZE = 19.0, 42.0  # mm including the quiet zone; ≥ 30 mm so cheap phone cameras read it at arm's length
COLUMN = QR_X + QR_SIZE + 5  # where the text beside the QR code starts
TEXT_RIGHT = 190.0
LABEL_WIDTH = 27.0
TRANSLATION = 8.0  # points, the translation under a German label, in black (Arabic script: 9, it runs smaller)


def draw(setter: Typesetter, letter: Letter, tz: ZoneInfo, lang: str) -> None:
    pdf = setter.pdf
    t, de = texts.catalog(lang), texts.catalog(texts.DEFAULT_LANGUAGE)
    rtl = texts.language(lang).rtl
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(LEFT, TOP, RIGHT - LEFT, HEIGHT)
    pdf.set_dash_pattern()
    setter.line(RIGHT - 60, TOP - 4, 60, 3.5, f"✂ {t['cut_here']}", 7, align="R", order_rtl=rtl)
    draw_qr(pdf, letter.code, QR_X, TOP + 4, QR_SIZE)
    y = _bilingual(setter, COLUMN, TOP + 4, TEXT_RIGHT - COLUMN, de["voucher_title"], t["voucher_title"], 13, 7)
    y += 1
    trip = "return_trip" if letter.return_trip else "single_trip"
    route_label = "label_zone" if letter.zone else "label_route"
    window = texts.window(letter.valid_from, letter.valid_until, tz, texts.DEFAULT_LANGUAGE)
    rows = [
        ("label_name", letter.holder_name, ""),
        ("label_valid", window, ""),
        (route_label, letter.route, ""),
        ("label_trip", de[trip], t[trip]),
    ]
    for key, value, translation in rows:
        y = _row(setter, y, de[key], t[key], value, translation)
    y = max(_pair(setter, y, COLUMN, (de["label_travellers"], t["label_travellers"], str(letter.travellers))),
            _pair(setter, y, COLUMN + 52, (de["label_class"], t["label_class"], f"{letter.fare_class}.")))
    _fallback(setter, de, t, letter)
    _instructions(setter, max(y + 1.5, TOP + QR_SIZE + 6), t["voucher_instructions"].format(
        window=embed(texts.window(letter.valid_from, letter.valid_until, tz, lang), rtl)), rtl)


def _bilingual(setter: Typesetter, x: float, y: float, width: float, german: str, translation: str,
               size: float, small: float, bold: bool = True) -> float:
    """German text, and under it in smaller type its translation when that differs."""
    small += 1 if is_rtl(translation) else 0
    smallest = min(size, max(7.0, size - 3))  # shrink a little, then wrap
    y = setter.paragraph(x, y, width, german, setter.fit(german, width, size, smallest, bold), bold, leading=1.2)
    if translation != german:
        y = setter.paragraph(x, y, width, translation, small, leading=1.2)
    return y


def _row(setter: Typesetter, y: float, label: str, label_translated: str, value: str, translated: str) -> float:
    """Label (German, translation under it) on the left, the value in bold beside it."""
    below_label = _bilingual(setter, COLUMN, y + 0.6, LABEL_WIDTH, label, label_translated, 8, TRANSLATION, bold=False)
    width = TEXT_RIGHT - COLUMN - LABEL_WIDTH
    below_value = _bilingual(setter, COLUMN + LABEL_WIDTH, y, width, value, translated or value, 10, TRANSLATION)
    return max(below_label, below_value) + 0.6


def _pair(setter: Typesetter, y: float, x: float, item: tuple[str, str, str]) -> float:
    label, translated, value = item
    below = _bilingual(setter, x, y + 0.6, LABEL_WIDTH, label, translated, 8, TRANSLATION, bold=False)
    setter.line(x + LABEL_WIDTH, y, 20, 10 * PT * 1.2, value, 10, bold=True)
    return below + 0.6


def _fallback(setter: Typesetter, de: dict, t: dict, letter: Letter) -> None:
    """Under the QR code: what to do when it does not scan, and the short code to type."""
    width = QR_SIZE + 2
    y = _bilingual(setter, QR_X, TOP + QR_SIZE + 5, width, de["fallback"], t["fallback"], 7.5, TRANSLATION, bold=False)
    code = codes.short_code(letter.voucher_id)
    setter.line(QR_X, y + 0.5, width, 6, code, setter.fit(code, width, 10, 8, bold=True), bold=True)


def _instructions(setter: Typesetter, y: float, text: str, rtl: bool) -> None:
    """The holder's instructions in their language, as large as the room left allows."""
    width, room = TEXT_RIGHT - COLUMN, TOP + HEIGHT - 2 - y
    size = 9.5
    leading = 1.45 if rtl else 1.25
    while size > 6 and setter.height(text, width, size, leading=leading) > room:
        size -= 0.5
    setter.paragraph(COLUMN, y, width, text, size, rtl=rtl, leading=leading)


def draw_qr(pdf, code: str, x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles: each horizontal run, grown downwards while the rows
    below repeat it. Crisp at any print resolution, and fewer shapes to write. The rectangles
    go into the page as one path (`re` operators, one fill): through fpdf2's rect() the QR code
    took a third of a letter's rendering time."""
    matrix = qr.modules(code)
    module = size / len(matrix)
    k, page_height = pdf.k, pdf.h
    rects = []
    open_runs: dict[tuple[int, int], int] = {}  # (first column, end column) -> first row
    for row, cells in enumerate([*matrix, [False] * len(matrix)]):  # a blank row closes every run
        runs, col = set(), 0
        while col < len(cells):
            if cells[col]:
                start = col
                while col < len(cells) and cells[col]:
                    col += 1
                runs.add((start, col))
            else:
                col += 1
        for run in [r for r in open_runs if r not in runs]:
            top = open_runs.pop(run)
            left, upper = x + run[0] * module, y + top * module
            width, height = (run[1] - run[0]) * module, (row - top) * module + module * 0.02
            rects.append(f"{left * k:.2f} {(page_height - upper) * k:.2f} {width * k:.2f} {-height * k:.2f} re")
        for run in runs:
            open_runs.setdefault(run, row)
    pdf.set_fill_color(0, 0, 0)
    pdf._out(" ".join(rects) + " f")  # noqa: SLF001 - fpdf2's own way to write page content
