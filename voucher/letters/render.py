"""Drawing letters with fpdf2: real text with embedded fonts, the QR code as vector squares.

Positions follow DIN 5008 form B (A4, millimetres from the top left): the return line and
address sit in the window of a DL/C6 window envelope (20 mm from the left, 45 mm from the top),
the information block at 125 mm, the subject at 98.5 mm, fold marks at 105 and 210 mm and the
punch mark at 148.5 mm. The ticket is a dashed cut-out in the bottom third, below the second
fold, so no crease runs through the QR code.

A letter in German is one page. A letter in any other language is two: page 1, the page the
person keeps and carries, is in their language and holds the ticket (whose labels stay German
for the driver, the translation in small type under them); page 2 is the German text, which is
the binding one (page 1 says so in German and in the letter's language). Leichte Sprache has a
layout of its own (easy.py): the same page 1 head, its text in large type, the ticket on a page
of its own, the duty to come and data protection on another, then the German page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from fpdf import FPDF

from ..config import Settings
from ..token import codes
from . import easy, texts, ticket
from .typeset import PT, Typesetter, embed, needs_shaping, new_document

LEFT, RIGHT_EDGE = 25.0, 190.0
INFO_X = 125.0
ADDRESS_TOP, ADDRESS_BOTTOM, ADDRESS_WIDTH = 63.0, 90.0, 80.0  # the window's address zone
BODY_TOP, BODY_BOTTOM = 98.5, ticket.TOP - 5.0
SMALLEST = 7.0  # points: the least any text shrinks to so that a long value fits
GREY = (90, 90, 90)


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
    language: str  # the tag asked for; the letter is in texts.resolve(language)
    date: datetime
    replaces: str | None = None  # the voucher this one re-issues: the letter says so
    # The data-protection paragraph says when the name is erased: VOUCHER_RETENTION_DAYS.
    retention_days: int = Settings().retention.days

    @classmethod
    def from_voucher(cls, voucher, date: datetime, retention_days: int) -> Letter:
        route = voucher.zone if voucher.zone else f"{voucher.origin} – {voucher.destination}"
        return cls(
            voucher_id=voucher.id, code=voucher.code, holder_name=voucher.holder_name,
            address=tuple(voucher.recipient_address or ()), valid_from=voucher.valid_from,
            valid_until=voucher.valid_until, route=route, zone=bool(voucher.zone),
            travellers=voucher.travellers, fare_class=voucher.fare_class,
            return_trip=voucher.return_trip, appointment_at=voucher.appointment_at,
            appointment_place=voucher.appointment_place, language=voucher.language, date=date,
            replaces=voucher.replaces,
            retention_days=retention_days,
        )


def render(letters: list[Letter], tz: ZoneInfo) -> bytes:
    pdf = new_document()
    setter = Typesetter(pdf)
    for letter in letters:
        draw(setter, letter, tz)
    return bytes(pdf.output())


def voucher_letter(voucher, date: datetime, settings: Settings) -> bytes:
    """One stored voucher's letter, in its holder's language, as the API and the counter serve it."""
    return render([Letter.from_voucher(voucher, date, settings.retention.days)], settings.timezone)


def draw(setter: Typesetter, letter: Letter, tz: ZoneInfo) -> None:
    lang = texts.resolve(letter.language)
    if lang == easy.LANGUAGE:  # Leichte Sprache has a layout of its own
        easy.draw(setter, letter, tz)
        return
    translated = lang != texts.DEFAULT_LANGUAGE
    head(setter, letter, tz, lang)
    _body(setter, letter, tz, lang, notes=translated)
    ticket.draw(setter, letter, tz, lang)
    if translated:
        binding_page(setter, letter, tz)


def head(setter: Typesetter, letter: Letter, tz: ZoneInfo, lang: str) -> None:
    """Page 1 down to the letter text, the same in every layout: marks, letterhead, the address
    in the envelope's window and the information block."""
    data = [letter.holder_name, letter.route, letter.appointment_place or "", *letter.address]
    setter.start_letter(_texts_need_shaping(lang) or needs_shaping(data))
    new_page(setter.pdf)
    _letterhead(setter)
    _address(setter, letter)
    _info_block(setter, letter, tz, lang)


def binding_page(setter: Typesetter, letter: Letter, tz: ZoneInfo, ticket_page: int | None = None) -> None:
    """The complete German text, the binding one, after a letter in another language.
    `ticket_page`: the page the ticket has to itself (Leichte Sprache), which the text names."""
    new_page(setter.pdf)
    _letterhead(setter)
    _official_heading(setter, letter)
    _info_block(setter, letter, tz, texts.DEFAULT_LANGUAGE)
    _body(setter, letter, tz, texts.DEFAULT_LANGUAGE, notes=False, ticket_page=ticket_page)


def new_page(pdf: FPDF) -> None:
    """A page with the fold and punch marks, as every page of a letter has them."""
    pdf.add_page()
    _marks(pdf)


@cache
def _texts_need_shaping(lang: str) -> bool:
    t = texts.catalog(lang)
    return needs_shaping([*(v for v in t.values() if isinstance(v, str)), *t["steps"], texts.office(lang).signature])


def _marks(pdf) -> None:
    pdf.set_line_width(0.2)
    for y, length in ((105.0, 5.0), (148.5, 8.0), (210.0, 5.0)):
        pdf.line(3, y, 3 + length, y)


def _letterhead(setter: Typesetter) -> None:
    office = texts.office()
    pdf = setter.pdf
    if office.logo_path and office.logo_path.exists():
        pdf.image(str(office.logo_path), x=LEFT, y=12, h=15)
    width = RIGHT_EDGE - INFO_X
    setter.line(INFO_X, 15, width, 7, office.name, setter.fit(office.name, width, 14, 9, bold=True), bold=True)
    for number, text in enumerate((office.unit, office.street, office.city)):
        setter.line(INFO_X, 22 + 4.5 * number, width, 4.5, text, setter.fit(text, width, 9, SMALLEST))


def _address(setter: Typesetter, letter: Letter) -> None:
    """Return line and recipient in the envelope's window: each line as large as fits (10.5 pt
    down to 7 pt), wrapped only when even that is too wide, and smaller still only when the
    wrapped lines would run out of the window at the bottom."""
    office = texts.office()
    size = setter.fit(office.return_line, ADDRESS_WIDTH, 7, 5)
    setter.line(LEFT, 58, ADDRESS_WIDTH, 3.5, office.return_line, size)
    setter.pdf.line(LEFT, 61.5, LEFT + ADDRESS_WIDTH, 61.5)
    lines = (letter.holder_name, *letter.address)
    size = 10.5
    while True:
        sizes = [setter.fit(line, ADDRESS_WIDTH, size, min(size, SMALLEST)) for line in lines]
        wrapped = [(part, s) for line, s in zip(lines, sizes, strict=True) for part in setter.wrap(line, ADDRESS_WIDTH, s)]
        if sum(s * PT * 1.25 for _, s in wrapped) <= ADDRESS_BOTTOM - ADDRESS_TOP or size <= 5:
            break
        size -= 0.5
    y = ADDRESS_TOP
    for part, s in wrapped:
        setter.line(LEFT, y, ADDRESS_WIDTH, s * PT * 1.25, part, s)
        y += s * PT * 1.25


def _info_block(setter: Typesetter, letter: Letter, tz: ZoneInfo, lang: str) -> None:
    """Date, ticket number and phone at 125 mm; mirrored (label on the right) right-to-left."""
    t, rtl = texts.catalog(lang), texts.language(lang).rtl
    rows = [
        (t["date_label"], texts.short_date(letter.date, tz, lang)),
        (t["voucher_no"], codes.short_code(letter.voucher_id)),
        (t["phone_label"], texts.office(lang).phone),
    ]
    label_width = min(32.0, 2 + max(setter.width(label, 8) for label, _ in rows))
    value_width = RIGHT_EDGE - INFO_X - label_width
    label_x, value_x = (INFO_X + value_width, INFO_X) if rtl else (INFO_X, INFO_X + label_width)
    y = 50.0
    for label, value in rows:
        setter.line(label_x, y, label_width, 5, label, setter.fit(label, label_width, 8, 6), rtl=rtl)
        size = setter.fit(value, value_width, 9, 7.5)
        for line in setter.wrap(value, value_width, size):
            setter.line(value_x, y, value_width, 5, line, size, align="R" if rtl else "L")
            y += 4.2
        y += 0.8


def _official_heading(setter: Typesetter, letter: Letter) -> None:
    setter.line(LEFT, 58, ADDRESS_WIDTH, 6, texts.office().official_heading, 11, bold=True)
    name = letter.holder_name
    setter.line(LEFT, 64, ADDRESS_WIDTH, 5, name, setter.fit(name, ADDRESS_WIDTH, 10, SMALLEST))


@dataclass(frozen=True)
class Block:
    text: str
    scale: float = 1.0  # of the body's text size
    bold: bool = False
    gap: float = 1.6  # mm below
    label: str = ""  # a bold label in a column of its own (Wann:, Wo:)
    grey: bool = False
    rtl: bool | None = None  # the language's direction unless set (the German note is left-to-right)


def _where_the_ticket_is(t: dict, ticket_page: int | None) -> str:
    """The letter's sentence on where the ticket is: at the foot of page 1 (`ticket`), or on a
    page of its own, which it names. Only a German page names one (after Leichte Sprache), so
    that sentence is in a table of de.toml (`binding`) that no catalogue translates."""
    return t["ticket"] if ticket_page is None else t["binding"]["ticket_on_page"].format(page=ticket_page)


def _blocks(letter: Letter, tz: ZoneInfo, lang: str, notes: bool, ticket_page: int | None) -> list[Block]:
    t, office, rtl = texts.catalog(lang), texts.office(lang), texts.language(lang).rtl
    data = lambda value: embed(value, rtl)  # noqa: E731 - a value inside this language's sentences
    window = data(texts.window(letter.valid_from, letter.valid_until, tz, lang))
    when = letter.appointment_at or letter.valid_from
    when_text = texts.long_date(when, tz, lang)
    if letter.appointment_at:
        when_text = t["appointment"].format(date=when_text, time=data(texts.clock_time(when, tz, lang)))
    blocks = []
    if notes:
        blocks += [Block(texts.catalog(texts.DEFAULT_LANGUAGE)["translation_note"], 0.75, gap=0.5, grey=True, rtl=False),
                   Block(t["translation_note"], 0.75, gap=3, grey=True)]
    steps = [step.format(window=window) for step in t["steps"]]
    blocks += [
        Block(t["subject"], 1.1, bold=True, gap=3),
        *([Block(t["replaces_note"].format(voucher=data(codes.short_code(letter.replaces))), bold=True, gap=2)]
          if letter.replaces else []),
        Block(t["greeting"].format(name=data(letter.holder_name)), gap=1),
        Block(t["intro"]),
        Block(when_text, bold=True, gap=0.4, label=t["when"]),
        Block(data(letter.appointment_place or office.default_place), bold=True, gap=2.4, label=t["where"]),
        Block(_where_the_ticket_is(t, ticket_page)),
        Block(t["steps_title"], bold=True, gap=0.5),
        *(Block(f"{n}.  {step}", gap=1.5 if n == len(steps) else 0.5) for n, step in enumerate(steps, 1)),
        Block(t["covers_return" if letter.return_trip else "covers_single"], gap=2),
        Block(t["cancel"].format(phone=data(office.phone)), gap=2),
        Block(t["notice"].format(days=letter.retention_days), 0.85, gap=3),
        Block(t["closing"], gap=0),
        Block(office.signature, gap=0),
    ]
    return blocks


def _body(setter: Typesetter, letter: Letter, tz: ZoneInfo, lang: str, notes: bool,
          ticket_page: int | None = None) -> None:
    """The letter text from the subject down, at the language's text size, or smaller (by half
    points, down to 7 pt) when a long place, name or translation would not leave room."""
    blocks = _blocks(letter, tz, lang, notes, ticket_page)
    rtl = texts.language(lang).rtl
    leading = 1.55 if rtl else 1.3  # Arabic script reaches further above and below the line
    width = RIGHT_EDGE - LEFT
    labels = [b.label for b in blocks if b.label]
    size = float(texts.catalog(lang)["text_size"])

    def label_width(size: float) -> float:
        return 3 + max(setter.width(label, size, bold=True) for label in labels)

    def height(size: float) -> float:
        column = width - label_width(size)
        return sum(
            setter.height(b.text, column if b.label else width, size * b.scale, b.bold, leading) + b.gap
            for b in blocks)

    while size > SMALLEST and height(size) > BODY_BOTTOM - BODY_TOP:
        size -= 0.5
    column = width - label_width(size)
    y = BODY_TOP
    for block in blocks:
        setter.pdf.set_text_color(*(GREY if block.grey else (0, 0, 0)))
        text_size = size * block.scale
        if block.label:
            label_x, text_x = (RIGHT_EDGE - (width - column), LEFT) if rtl else (LEFT, LEFT + width - column)
            setter.line(label_x, y, width - column, text_size * PT * leading, block.label, text_size,
                        bold=True, rtl=rtl)
            y = setter.paragraph(text_x, y, column, block.text, text_size, block.bold, rtl, leading)
        else:
            own = rtl if block.rtl is None else block.rtl
            y = setter.paragraph(LEFT, y, width, block.text, text_size, block.bold, own, leading)
        y += block.gap
    setter.pdf.set_text_color(0, 0, 0)
