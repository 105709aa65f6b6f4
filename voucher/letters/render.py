"""Drawing letters with fpdf2: real text with embedded fonts, the QR code as vector squares.

Positions follow DIN 5008 form B (A4, millimetres from the top left): the return line and
address sit in the window of a DL/C6 window envelope (20 mm from the left, 45 mm from the top),
the information block at 125 mm, the subject at 98.5 mm, fold marks at 105 and 210 mm and the
punch mark at 148.5 mm. The voucher is a dashed cut-out at the bottom of the page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .. import qr
from ..token import codes
from . import texts

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
LEFT, RIGHT_EDGE = 25.0, 190.0
QR_SIZE = 42.0  # mm including the quiet zone; ≥ 30 mm so cheap phone cameras read it at arm's length
VOUCHER_TOP = 196.0
# Hebrew to Myanmar (right-to-left and Indic scripts), Khmer, and Arabic presentation forms.
COMPLEX_SCRIPTS = ((0x0590, 0x109F), (0x1780, 0x17FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


@dataclass(frozen=True)
class Letter:
    """Everything one letter shows; made from a stored voucher by `from_voucher`."""

    voucher_id: str
    code: str
    holder_name: str
    address: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime
    route: str
    zone: bool
    travellers: int
    fare_class: int
    return_trip: bool
    appointment_at: datetime | None
    appointment_place: str | None
    language: str
    date: datetime

    @classmethod
    def from_voucher(cls, voucher, date: datetime) -> Letter:
        route = voucher.zone if voucher.zone else f"{voucher.origin} – {voucher.destination}"
        return cls(
            voucher_id=voucher.id, code=voucher.code, holder_name=voucher.holder_name,
            address=tuple(voucher.recipient_address or ()), valid_from=voucher.valid_from,
            valid_until=voucher.valid_until, route=route, zone=bool(voucher.zone),
            travellers=voucher.travellers, fare_class=voucher.fare_class,
            return_trip=voucher.return_trip, appointment_at=voucher.appointment_at,
            appointment_place=voucher.appointment_place, language=voucher.language, date=date,
        )


def new_document() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_creator("voucher")
    return pdf


def render(letters: list[Letter], tz: ZoneInfo) -> bytes:
    pdf = new_document()
    for letter in letters:
        draw(pdf, letter, tz)
    return bytes(pdf.output())


def voucher_letter(voucher, date: datetime, tz: ZoneInfo) -> bytes:
    """One stored voucher's letter, in its holder's language, as the API and the counter serve it."""
    return render([Letter.from_voucher(voucher, date)], tz)


def draw(pdf: FPDF, letter: Letter, tz: ZoneInfo) -> None:
    t = texts.catalog(letter.language)
    office = texts.office()
    lang = letter.language if letter.language in texts.languages() else texts.DEFAULT_LANGUAGE
    window = texts.window(letter.valid_from, letter.valid_until, tz, lang)
    pdf.set_text_shaping(_needs_shaping(letter, t))
    pdf.add_page()
    _marks(pdf)
    _letterhead(pdf, office)
    _address(pdf, office, letter)
    _info_block(pdf, t, office, letter, tz, lang)
    y = _body(pdf, t, office, letter, window, tz, lang)
    if y > VOUCHER_TOP - 3:
        raise ValueError("the letter text is too long for one page: shorten the appointment place")
    _voucher(pdf, t, letter, window)


def _needs_shaping(letter: Letter, t: dict) -> bool:
    """Arabic, Hebrew and other complex scripts need HarfBuzz shaping and right-to-left runs;
    Latin letters do not, and shaping costs half the rendering time, so it is used only when
    some text on this letter needs it."""
    strings = [letter.holder_name, letter.route, letter.appointment_place or "", *letter.address,
               *(v for v in t.values() if isinstance(v, str))]
    return any(
        any(low <= ord(c) <= high for low, high in COMPLEX_SCRIPTS)
        or unicodedata.bidirectional(c) in ("R", "AL", "AN")
        for text in strings for c in text if ord(c) >= 0x0590
    )


def _lines(pdf: FPDF, width: float, height: float, text: str, new_x: XPos = XPos.LMARGIN) -> None:
    """Text in a column of `width`, wrapped at spaces. fpdf2's multi_cell re-measures the line
    for every character it adds; measuring each word once is what lets a batch reach 100
    letters a second."""
    room = width - 2 * pdf.c_margin
    space = pdf.get_string_width(" ")
    lines, current, used = [], [], 0.0
    for word in text.split(" "):
        size = pdf.get_string_width(word)
        if size > room:  # a single word wider than the column: let fpdf2 break it
            pdf.multi_cell(width, height, text, align="L", new_x=new_x, new_y=YPos.NEXT)
            return
        if current and used + space + size > room:
            lines.append(" ".join(current))
            current, used = [], 0.0
        used += (space if current else 0.0) + size
        current.append(word)
    lines.append(" ".join(current))
    for number, line in enumerate(lines, 1):
        pdf.cell(width, height, line, new_x=new_x if number == len(lines) else XPos.LEFT, new_y=YPos.NEXT)


def _text(pdf: FPDF, size: float, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)


def _marks(pdf: FPDF) -> None:
    pdf.set_line_width(0.2)
    for y, length in ((105.0, 5.0), (148.5, 8.0), (210.0, 5.0)):
        pdf.line(3, y, 3 + length, y)


def _letterhead(pdf: FPDF, office: texts.Office) -> None:
    if office.logo_path and office.logo_path.exists():
        pdf.image(str(office.logo_path), x=LEFT, y=12, h=15)
    _text(pdf, 14, bold=True)
    pdf.set_xy(125, 15)
    pdf.cell(65, 7, office.name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    _text(pdf, 9)
    for line in (office.unit, office.street, office.city):
        pdf.cell(65, 4.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _address(pdf: FPDF, office: texts.Office, letter: Letter) -> None:
    _text(pdf, 7)
    pdf.set_xy(LEFT, 58)
    pdf.cell(80, 3.5, office.return_line, border="B")
    _text(pdf, 11)
    pdf.set_xy(LEFT, 64)
    for line in (letter.holder_name, *letter.address):
        pdf.cell(80, 5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _info_block(pdf, t, office, letter: Letter, tz, lang) -> None:
    rows = [
        (t["date_label"], texts.short_date(letter.date, tz, lang)),
        (t["voucher_no"], codes.short_code(letter.voucher_id)),
        (t["phone_label"], office.phone),
    ]
    pdf.set_xy(125, 50)
    for label, value in rows:
        _text(pdf, 8)
        pdf.cell(25, 5, label)
        _text(pdf, 9)
        pdf.cell(40, 5, value, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_x(125)


def _body(pdf, t, office, letter: Letter, window: str, tz, lang) -> float:
    width = RIGHT_EDGE - LEFT
    pdf.set_xy(LEFT, 98.5)
    _text(pdf, 11, bold=True)
    _lines(pdf, width, 5.5, t["subject"])
    pdf.set_xy(LEFT, pdf.get_y() + 3)
    _text(pdf, 10)
    paragraph = lambda text, gap=1.6: (  # noqa: E731 - a local shorthand, used below only
        pdf.set_x(LEFT),
        _lines(pdf, width, 4.6, text),
        pdf.set_y(pdf.get_y() + gap),
    )
    paragraph(t["greeting"].format(name=letter.holder_name), 1)
    paragraph(t["intro"])
    when = letter.appointment_at or letter.valid_from
    when_text = texts.long_date(when, tz, lang)
    if letter.appointment_at:
        when_text += f", {texts.clock_time(when, tz, lang)} {t['time_suffix']}".rstrip()
    for label, value in ((t["when"], when_text), (t["where"], letter.appointment_place or office.default_place)):
        _text(pdf, 10, bold=True)
        pdf.set_x(LEFT)
        pdf.cell(18, 5.5, label)
        _lines(pdf, width - 18, 5.5, value)
    _text(pdf, 10)
    pdf.set_y(pdf.get_y() + 2)
    paragraph(t["ticket"])
    _text(pdf, 10, bold=True)
    paragraph(t["steps_title"], 0.5)
    _text(pdf, 10)
    for number, step in enumerate(t["steps"], 1):
        paragraph(f"{number}.  {step.format(window=window)}", 0.5)
    pdf.set_y(pdf.get_y() + 1.5)
    paragraph(t["cancel"].format(phone=office.phone))
    paragraph(t["closing"], 0)
    paragraph(office.signature, 0)
    return pdf.get_y()


def _voucher(pdf: FPDF, t: dict, letter: Letter, window: str) -> None:
    top, bottom = VOUCHER_TOP, VOUCHER_TOP + 72.0
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(15, top, 180, bottom - top)
    pdf.set_dash_pattern()
    _text(pdf, 7)
    pdf.set_xy(150, top - 4)
    pdf.cell(45, 3.5, f"✂ {t['cut_here']}", align="R")
    _draw_qr(pdf, letter.code, 19, top + 4, QR_SIZE)
    x = 19 + QR_SIZE + 5
    pdf.set_xy(x, top + 5)
    _text(pdf, 13, bold=True)
    pdf.cell(0, 7, t["voucher_title"], new_x=XPos.LEFT, new_y=YPos.NEXT)
    trip = t["return_trip"] if letter.return_trip else t["single_trip"]
    rows = [
        (t["label_name"], letter.holder_name),
        (t["label_valid"], window),
        (t["label_zone"] if letter.zone else t["label_route"], letter.route),
        (t["label_trip"], trip),
        (t["label_travellers"], str(letter.travellers)),
        (t["label_class"], f"{letter.fare_class}."),
    ]
    for label, value in rows:
        pdf.set_x(x)
        _text(pdf, 8)
        pdf.cell(22, 5.5, label)
        _text(pdf, 10, bold=True)
        _lines(pdf, RIGHT_EDGE - x - 22, 5.5, value)
    pdf.set_xy(19, top + QR_SIZE + 7)
    _text(pdf, 7.5)
    _lines(pdf, QR_SIZE + 2, 3.5, t["fallback"], new_x=XPos.LEFT)
    _text(pdf, 10, bold=True)
    pdf.cell(QR_SIZE + 2, 6, codes.short_code(letter.voucher_id), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(x, top + QR_SIZE + 8)
    _text(pdf, 9.5)
    _lines(pdf, RIGHT_EDGE - x, 4.6, t["voucher_instructions"].format(window=window))


def _draw_qr(pdf: FPDF, code: str, x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles: each horizontal run, grown downwards while the rows
    below repeat it. Crisp at any print resolution, and fewer shapes to write."""
    matrix = qr.modules(code)
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
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
            pdf.rect(x + run[0] * module, y + top * module, (run[1] - run[0]) * module,
                     (row - top) * module + module * 0.02, style="F")
        for run in runs:
            open_runs.setdefault(run, row)
