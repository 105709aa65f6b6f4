"""Every language, every shape of validity window (the contact sheets' letters,
docs/letters/contact_sheet.py): read back from the PDF with pdfium, line by line from the text
positions, no date or time is split across two lines and no placeholder is left unfilled."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from voucher.letters import texts
from voucher.letters.render import render

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "letters"))
from contact_sheet import SHAPES, TZ, letter  # noqa: E402 - the letters the contact sheets show

LANGUAGES = sorted(texts.languages())


def lines(page: pdfium.PdfPage) -> list[str]:
    """The page's text lines from top to bottom: characters grouped by where pdfium puts them,
    each line read back with get_text_bounded (so the test sees the lines a reader sees)."""
    textpage = page.get_textpage()
    width = page.get_size()[0]
    bands: list[list[float]] = []  # [bottom, top] of each line
    for index in range(textpage.count_chars()):
        if textpage.get_text_range(index, 1).isspace():
            continue
        _, bottom, _, top = textpage.get_charbox(index)
        middle = (bottom + top) / 2
        for band in bands:
            if band[0] <= middle <= band[1]:
                band[0], band[1] = min(band[0], bottom), max(band[1], top)
                break
        else:
            bands.append([bottom, top])
    bands.sort(key=lambda band: -band[1])
    return [flat(textpage.get_text_bounded(0, b, width, t)) for b, t in bands]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub("[\u200c\u200e\ufffe]", "", text)).strip()


def printed(tag: str, shape: str) -> list[list[str]]:
    """Each date and time of more than one word the letter prints for this window, as its
    parts ("3", "December", "2026"), in the letter's language and in German."""
    valid = letter(tag, *SHAPES[shape])
    first, until = valid.valid_from, valid.valid_until
    whole_days = first.astimezone(TZ).hour == until.astimezone(TZ).hour == 0
    last = until - timedelta(days=1) if whole_days else until
    values = [texts.long_date(valid.appointment_at, TZ, lang) for lang in (tag, "de")]
    for lang in (texts.resolve(tag), "de"):
        values += [texts.short_date(first, TZ, lang), texts.short_date(last, TZ, lang)]
        if not whole_days:
            values += [texts.clock_time(first, TZ, lang), texts.clock_time(until, TZ, lang)]
    return [parts for parts in (flat(value).split(" ") for value in values) if len(parts) > 1]


def broken(parts: list[str], above: str, below: str) -> bool:
    """Whether a line ends with the first parts of a date and the next line starts with the rest."""
    return any(above.endswith(" ".join(parts[:cut])) and below.startswith(" ".join(parts[cut:]))
               for cut in range(1, len(parts)))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("tag", LANGUAGES)
def test_no_date_or_time_breaks_across_lines_and_every_placeholder_is_filled(tag, shape):
    start, end, zone, return_trip = SHAPES[shape]
    pdf = render([letter(tag, start, end, zone, return_trip)], TZ)
    dates = printed(tag, shape)
    for number, page in enumerate(pdfium.PdfDocument(pdf)):
        text = lines(page)
        assert text, f"page {number + 1} has no text"
        for line in text:
            assert not re.search(r"\{\w*\}|\{|\}", line), f"unfilled placeholder on page {number + 1}: {line!r}"
        for above, below in zip(text, text[1:]):
            for parts in dates:
                assert not broken(parts, above, below), f"{' '.join(parts)!r} broken: {above!r} / {below!r}"


@pytest.mark.parametrize("tag", [tag for tag in LANGUAGES
                                 if not texts.language(tag).rtl and "layout" not in texts.catalog(tag)])
def test_window_is_printed_whole_in_the_letter_text(tag):
    """The validity as the language words it appears in the text read back, in one piece
    (right-to-left lines are left out: pdfium reads numbers in them out of order; a layout of
    its own, Leichte Sprache, words the window itself and is tested with it)."""
    start, end, zone, return_trip = SHAPES["several days with times"]
    item = letter(tag, start, end, zone, return_trip)
    window = flat(texts.window(item.valid_from, item.valid_until, TZ, tag))
    page = pdfium.PdfDocument(render([item], TZ))[0]
    assert window in " ".join(lines(page))
