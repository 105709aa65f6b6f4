"""Letters in Leichte Sprache (easy-to-read German, `de-x-ls`): a layout of their own.

The rules of the Netzwerk Leichte Sprache ask for type of at least 14 pt, 1.5 line spacing and
one statement per line. At that size the letter text and the ticket do not fit on one page, so:

- Page 1 has letterhead, window address and information block where every letter has them
  (render.head), then the letter text from the subject down in 14 pt. A long place or name
  runs on to another page rather than shrink the type.
- The ticket has a page of its own: the QR code (60 mm) with the name and the number to say
  when it does not scan above the first fold, the validity in words and digits, the route,
  the way back and the photo ID below it. Nothing to cut off, no crease through the code.
  Its last line names the next page.
- The next page says what every other letter says in a short paragraph: that the holder must
  come (and what may follow if they do not), what the code holds, who sees it, what is stored
  and when it is erased. A page of its own, so the ticket page keeps its place.
- The binding German text follows, as after every letter that is not in German; it names the
  ticket's page.

No line of text sits on the second fold (210 mm), where the crease wears the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..token import codes
from . import render, texts, ticket
from .typeset import PT, Typesetter

if TYPE_CHECKING:
    from .render import Letter

LANGUAGE = "de-x-ls"
SIZE = 14.0  # points: the rules' least size for anything the reader reads
LEADING = 1.5  # line spacing, as the rules ask
NO_BREAK = "\u00a0"
LEFT, RIGHT = 25.0, 190.0  # the margins of every letter (render.py; imported from there would be circular)
TOP, BOTTOM = 20.0, 285.0  # of a page after the first
CREASE = (208.5, 210.5)  # around the second fold: no line of text here
GROUP = 3.0  # mm between groups of statements
TITLE_TOP, TITLE_SIZE = 12.0, 20.0  # the heading of the ticket page and of the notice page
QR_TOP, QR_SIZE = 30.0, 60.0  # the ticket's code, between the letter's top and its first fold (105 mm)
BOX_LEFT, BOX_RIGHT = 15.0, 195.0
LABELS = 38.0  # mm: the ticket's label column


@dataclass(frozen=True)
class Line:
    text: str  # one statement, or several each after a "\n"
    size: float = SIZE
    bold: bool = False


class Flow:
    """Lines down the page, one statement a line (wrapped only when longer than the column);
    a new page when the next line would run past the bottom. With `draw` false it only counts
    pages, so the letter can say on which page the ticket is before it is drawn."""

    def __init__(self, setter: Typesetter, y: float, draw: bool = True):
        self.setter, self.y, self.draw, self.pages = setter, y, draw, 1

    def space(self, mm: float) -> None:
        self.y += mm

    def text(self, text: str, size: float = SIZE, bold: bool = False, x: float = LEFT,
             width: float = RIGHT - LEFT) -> float:
        """Each "\\n"-separated statement on a line of its own; returns the y below."""
        height = size * PT * LEADING
        for line in self.setter.wrap(text, width, size, bold):
            self._make_room(height)
            if self.draw:
                self.setter.line(x, self.y, width, height, line, size, bold)
            self.y += height
        return self.y

    def group(self, lines: list[Line]) -> None:
        """Statements that belong together: on the next page unless all fit on this one."""
        height = sum(len(self.setter.wrap(line.text, RIGHT - LEFT, line.size, line.bold)) * line.size * PT * LEADING
                     for line in lines)
        if self.y + height > BOTTOM and self.y > TOP:
            self._new_page()
        for line in lines:
            self.text(line.text, line.size, line.bold)

    def row(self, label: str, value: str) -> None:
        """A label, and the value in bold beside it."""
        top = self.y
        below_label = self.text(f"{label}:")
        self.y = top
        self.text(value, bold=True, x=LEFT + LABELS, width=RIGHT - LEFT - LABELS)
        self.y = max(self.y, below_label)

    def _make_room(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self._new_page()
        if self.y < CREASE[1] and self.y + height > CREASE[0]:
            self.y = CREASE[1]

    def _new_page(self) -> None:
        self.pages += 1
        if self.draw:
            render.new_page(self.setter.pdf)
        self.y = TOP


def draw(setter: Typesetter, letter: Letter, tz: ZoneInfo) -> None:
    render.head(setter, letter, tz, LANGUAGE)
    pages = _letter_text(Flow(setter, render.BODY_TOP, draw=False), letter, tz, ticket_page=2)
    ticket_page = pages + 1
    _letter_text(Flow(setter, render.BODY_TOP), letter, tz, ticket_page)
    render.new_page(setter.pdf)
    _ticket(setter, letter, tz, notice_page=ticket_page + 1)
    render.new_page(setter.pdf)
    _notice(setter, letter)
    render.binding_page(setter, letter, tz, ticket_page)


def _letter_text(flow: Flow, letter: Letter, tz: ZoneInfo, ticket_page: int) -> int:
    """Page 1 from the subject down, in groups of statements; returns how many pages it took."""
    t, office = texts.catalog(LANGUAGE), texts.office(LANGUAGE)
    trip = t["layout"]["return_trip" if letter.return_trip else "single_trip"]
    groups = [
        [Line(t["subject"], 16, bold=True)],
        *([[Line(t["replaces_note"].format(voucher=codes.short_code(letter.replaces)), bold=True)]] if letter.replaces else []),
        [Line(t["greeting"].format(name=letter.holder_name)), Line(t["intro"])],
        [Line(t["when"]), Line(_appointment(letter, tz), bold=True),
         Line(t["where"]), Line(letter.appointment_place or office.default_place, bold=True)],
        [Line(t["ticket"].format(page=ticket_page)), Line(trip)],
        [Line(t["steps_title"]), *(Line(f"{number}. {step}") for number, step in enumerate(t["steps"], 1))],
        [Line(t["cancel"].format(phone=office.phone))],
        [Line(t["closing"]), Line(office.signature)],
    ]
    for number, group in enumerate(groups):
        flow.space(GROUP if number else 0)
        flow.group(group)
    return flow.pages


def _appointment(letter: Letter, tz: ZoneInfo) -> str:
    if letter.appointment_at is None:
        return _day(letter.valid_from, tz)
    return _moment(letter.appointment_at, tz)


def _moment(moment: datetime, tz: ZoneInfo) -> str:
    """'Donnerstag, 3. Dezember 2026, um 9 Uhr 30'."""
    return texts.catalog(LANGUAGE)["appointment"].format(date=_day(moment, tz), time=_clock(moment, tz))


def _day(moment: datetime, tz: ZoneInfo) -> str:
    """'Donnerstag, 3. Dezember 2026', never broken across lines (no-break spaces)."""
    return texts.long_date(moment, tz, LANGUAGE).replace(" ", NO_BREAK)


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    """'9 Uhr 30', never broken across lines."""
    return texts.clock_time(moment, tz, LANGUAGE).replace(" ", NO_BREAK)


def validity(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """The ticket's validity in words and digits, the first and the last day on lines of their
    own: 'am Donnerstag, 3. Dezember 2026', 'vom … bis zum …', with the times where the window
    has them. A window of whole days ends at midnight after its last day."""
    t = texts.catalog(LANGUAGE)
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.time() == time(0) and last.time() == time(0):
        last -= timedelta(days=1)
        if last.date() == first.date():
            return t["window_day"].format(date=_day(first, tz))
        return t["window_days"].format(start=_day(first, tz), end=_day(last, tz))
    if first.date() == last.date():
        return t["window_times"].format(date=_day(first, tz), start=_clock(start, tz), end=_clock(end, tz))
    return t["window_span"].format(start=_moment(start, tz), end=_moment(end, tz))


def _ticket(setter: Typesetter, letter: Letter, tz: ZoneInfo, notice_page: int) -> None:
    """The ticket page: what the driver checks, in a box, and under it what the holder does."""
    t = texts.catalog(LANGUAGE)
    flow = Flow(setter, TITLE_TOP)
    flow.text(t["voucher_title"], TITLE_SIZE, bold=True)
    ticket.draw_qr(setter.pdf, letter.code, LEFT - 4, QR_TOP, QR_SIZE)
    column = LEFT + QR_SIZE + 2
    side = Flow(setter, QR_TOP + 2)
    side.text(f"{t['label_name']}:", x=column, width=RIGHT - column)
    side.text(letter.holder_name, bold=True, x=column, width=RIGHT - column)
    side.space(GROUP)
    side.text(t["fallback"], x=column, width=RIGHT - column)
    side.text(codes.short_code(letter.voucher_id), 18, bold=True, x=column, width=RIGHT - column)
    flow.y = max(QR_TOP + QR_SIZE, side.y) + 4
    valid = f"{t['label_valid']} {validity(letter.valid_from, letter.valid_until, tz)}"
    flow.text(valid, min(setter.fit(line, RIGHT - LEFT, 16, SIZE, bold=True) for line in valid.split("\n")),
              bold=True)
    flow.space(1)
    flow.row(t["label_zone" if letter.zone else "label_route"], letter.route)
    flow.row(t["label_trip"], t["return_trip" if letter.return_trip else "single_trip"])
    flow.row(t["label_travellers"], str(letter.travellers))
    flow.row(t["label_class"], str(letter.fare_class))
    setter.pdf.set_line_width(0.5)
    setter.pdf.rect(BOX_LEFT, QR_TOP - 4, BOX_RIGHT - BOX_LEFT, flow.y + 3 - (QR_TOP - 4))
    flow.space(3 + 2 * GROUP)
    flow.text(t["voucher_instructions"])
    flow.space(GROUP)
    flow.text(t["layout"]["more"].format(page=notice_page))


def _notice(setter: Typesetter, letter: Letter) -> None:
    """The duty to come and data protection, the `notice` of every letter: groups of statements
    (an empty line between them in the catalogue), each under its first line as a heading."""
    t = texts.catalog(LANGUAGE)
    flow = Flow(setter, TITLE_TOP)
    flow.text(t["layout"]["notice_title"], TITLE_SIZE, bold=True)
    for group in t["notice"].format(days=letter.retention_days).split("\n\n"):
        heading, *statements = group.split("\n")
        flow.space(GROUP)
        flow.group([Line(heading, bold=True), Line("\n".join(statements))])
