"""Leichte Sprache letters checked against the rules on the PDF a person gets: type size read
from the PDF, one statement a line, short sentences, no abbreviations, every placeholder filled,
the validity written out on the ticket page, a QR code that scans and verifies, and the page on
the duty to come and data protection after it; for each shape of validity window."""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp

from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore, TrustList
from voucher.letters import batch, texts
from voucher.timefmt import parse_instant
from voucher.token import format as fmt

BODY_TOP = 98.0  # mm: page 1's letter text starts at the subject (98.5 mm); above it, the head
LEAST_SIZE = 14.0
LONGEST_SENTENCE = 15  # words
ABBREVIATIONS = [r"\bz\.\s*B\.", r"\bbzw\.", r"\busw\.", r"\bggf\.", r"\bNr\.", r"\bca\.", r"\bd\.\s*h\.",
                 r"\bu\.\s*a\.", r"\betc\.", r"\bevtl\.", r"\binkl\.", r"\bvgl\.", r"\bTel\.", r"\bStr\.", r"\bHbf\b"]
PLACE = "Jobcenter Nord, Raum 214"  # data written out too: an abbreviation in it would not be the letter's
RETENTION_DAYS = 45  # not the default (180): the notice must print the configured figure
LONG_PLACE = ("Jobcenter Musterstadt, Geschäftsstelle Nord, Musterstraße 1, Eingang B, 2. Obergeschoss, Raum 214, "
              "melden Sie sich zuerst am Empfang im Erdgeschoss")

# window shape: (valid_from, valid_until, a moment inside it (the appointment), the ticket's validity lines)
WINDOWS = {
    "one day": ("2026-12-03", "2026-12-03", "2026-12-03T09:00:00+01:00",
                ["Gültig am Donnerstag, 3. Dezember 2026"]),
    "several days": ("2026-12-03", "2026-12-05", "2026-12-05T20:00:00+01:00",
                     ["Gültig vom Donnerstag, 3. Dezember 2026", "bis zum Samstag, 5. Dezember 2026"]),
    "one day with times": ("2026-12-03T08:00:00+01:00", "2026-12-03T18:00:00+01:00", "2026-12-03T17:59:00+01:00",
                           ["Gültig am Donnerstag, 3. Dezember 2026", "von 8 Uhr bis 18 Uhr"]),
    "several days with times": ("2026-12-03T08:30:00+01:00", "2026-12-05T18:00:00+01:00", "2026-12-04T12:00:00+01:00",
                                ["Gültig vom Donnerstag, 3. Dezember 2026, um 8 Uhr 30",
                                 "bis zum Samstag, 5. Dezember 2026, um 18 Uhr"]),
    "across a month end": ("2026-12-31", "2027-01-02", "2027-01-01T12:00:00+01:00",
                           ["Gültig vom Donnerstag, 31. Dezember 2026", "bis zum Samstag, 2. Januar 2027"]),
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(retention=timedelta(days=RETENTION_DAYS))


@dataclass
class TextLine:
    page: int
    top: float  # mm from the top of the page to the highest glyph
    baseline: float  # mm from the top of the page
    text: str
    regular: str  # its characters in regular type, without the bold ones
    sizes: list[float]


def mm(points: float) -> float:
    return points / 72 * 25.4


def spaced(chars) -> str:
    """No-break spaces (which keep a date on one line) read as spaces."""
    return "".join(chars).replace("\xa0", " ").strip()


def text_lines(pdf: bytes) -> list[TextLine]:
    """Every line of text on every page, as pdfium reads it back: its characters' font sizes
    (FPDFText_GetFontSize) and whether its font is bold."""
    lines = []
    for number, page in enumerate(pdfium.PdfDocument(pdf)):
        height, textpage = page.get_size()[1], page.get_textpage()
        chars: list[tuple[str, float, bool, float, float]] = []  # char, size, bold, top, baseline
        count = textpage.count_chars()
        for index in range(count + 1):  # one past the end: the last line ends there
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index)) if index < count else "\n"
            if char == "\n":
                if chars:
                    visible = [c for c in chars if not c[0].isspace()]
                    lines.append(TextLine(number, min(c[3] for c in visible), visible[0][4], spaced(c for c, *_ in chars),
                                          spaced(c for c, _, bold, *_ in chars if not bold), [c[1] for c in visible]))
                chars = []
                continue
            if char == "\r":
                continue
            buffer = (pdfium_c.c_char * 256)()
            pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, 256, None)
            top = mm(height - textpage.get_charbox(index)[3])
            x, y = ctypes.c_double(), ctypes.c_double()
            pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y)
            baseline = mm(height - y.value)
            chars.append((char, pdfium_c.FPDFText_GetFontSize(textpage, index), b"Bold" in buffer.value, top, baseline))
    return lines


def easy_lines(pdf: bytes) -> list[TextLine]:
    """What the Leichte Sprache reader reads: page 1 from the subject down and every page after
    it up to the binding German page (the last one)."""
    lines = text_lines(pdf)
    last = lines[-1].page
    assert any(line.text == "Verbindliche deutsche Fassung" for line in lines if line.page == last)
    return [line for line in lines if line.page < last and (line.page > 0 or line.top >= BODY_TOP)]


def spacings(lines: list[TextLine]) -> list[float]:
    """Baseline to baseline, in multiples of the upper line's type size (its leading)."""
    return [(below.baseline - above.baseline) / mm(max(above.sizes)) for above, below in zip(lines, lines[1:])]


def letter_pdf(client, auth, issue, window: str, **changes) -> tuple[dict, bytes]:
    valid_from, valid_until, inside, _ = WINDOWS[window]
    fields = dict(language="de-x-ls", valid_from=valid_from, valid_until=valid_until, origin="Musterstadt Hauptbahnhof",
                  appointment_at=inside, appointment_place=PLACE)
    voucher = issue(**(fields | changes))
    response = client.get(voucher["links"]["letter_pdf"], headers=auth("issuer"))
    assert response.status_code == 200
    return voucher, response.data


@pytest.mark.parametrize("window", WINDOWS)
def test_text_the_reader_reads_is_at_least_14_pt_at_one_and_a_half_line_spacing(client, auth, issue, window):
    _, pdf = letter_pdf(client, auth, issue, window)
    lines = easy_lines(pdf)
    assert len(lines) > 30
    small = [(line.text, min(line.sizes)) for line in lines if min(line.sizes) < LEAST_SIZE - 0.05]
    assert small == []
    assert min(spacings([line for line in lines if line.page == 0])) == pytest.approx(1.5, abs=0.01)


@pytest.mark.parametrize("window", WINDOWS)
def test_one_statement_per_line_and_sentences_of_at_most_15_words(client, auth, issue, window):
    """What a line has in regular type is one statement: it ends where a sentence, question or
    lead-in ends (a statement wrapped onto a second line would not). Bold is for the data
    (dates, places, names, the values beside the ticket's labels) and headings; the closing
    and the signature stand alone."""
    _, pdf = letter_pdf(client, auth, issue, window)
    office = texts.office("de-x-ls")
    free = {texts.catalog("de-x-ls")["closing"], office.signature}
    for line in easy_lines(pdf):
        if line.regular and line.text not in free:
            assert re.search(r"[.?!:,]$", line.regular), f"not one statement on its own line: {line.text!r}"
        for sentence in re.split(r"(?<=[^\d\s][.?!:])\s+", line.text):
            assert len(sentence.split()) <= LONGEST_SENTENCE, sentence


@pytest.mark.parametrize("window", WINDOWS)
def test_no_abbreviations_and_every_placeholder_filled(client, auth, issue, window):
    _, pdf = letter_pdf(client, auth, issue, window)
    easy = "\n".join(line.text for line in easy_lines(pdf))
    head = "\n".join(line.text for line in text_lines(pdf) if line.page == 0 and line.top < BODY_TOP)
    for pattern in ABBREVIATIONS:
        assert not re.search(pattern, easy + head), pattern
    assert not re.search(r"[{}]", "\n".join(line.text for line in text_lines(pdf)))


@pytest.mark.parametrize("window", WINDOWS)
def test_ticket_page_has_its_own_page_with_validity_in_words_and_digits(client, auth, issue, window):
    voucher, pdf = letter_pdf(client, auth, issue, window, return_trip=False)
    lines = easy_lines(pdf)
    ticket = [line.text for line in lines if line.page == 1]
    expected = WINDOWS[window][3]
    start = ticket.index(expected[0])
    assert ticket[start : start + len(expected)] == expected
    assert {"Ayşe Yılmaz", voucher["short_code"], "Strecke: Musterstadt Hauptbahnhof – Jobcenter Nord",
            "Fahrt: Nur Hin-Fahrt", "Zeigen Sie auch einen Ausweis mit Foto."} <= set(ticket)
    assert ticket[-1] == "Auf Seite 3 steht noch mehr Wichtiges für Sie."
    letter = [line.text for line in lines if line.page == 0]
    assert "Der Fahr-Schein ist auf Seite 2." in letter
    assert "Der Fahr-Schein gilt nur für die Hin-Fahrt." in letter


@pytest.mark.parametrize("window", WINDOWS)
def test_qr_on_the_ticket_page_scans_at_150_dpi_and_verifies(client, auth, issue, window):
    voucher, pdf = letter_pdf(client, auth, issue, window)
    scans = [[r.text for r in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil(),
                                                      formats=zxingcpp.BarcodeFormat.QRCode)]
             for page in pdfium.PdfDocument(pdf)]
    assert scans == [[], [voucher["code"]], [], []]
    trust = TrustList.from_json(client.get("/api/v1/trust-list").get_json())
    claims = fmt.verify(voucher["code"], trust, parse_instant(WINDOWS[window][2])).claims
    assert claims.voucher_id == voucher["id"]


def test_page_one_has_no_translation_note_and_the_head_where_a_german_letter_has_it(client, auth, issue):
    _, easy = letter_pdf(client, auth, issue, "one day")
    _, german = letter_pdf(client, auth, issue, "one day", language="de", external_ref="german")
    head = lambda pdf: [(line.text, round(line.top, 1)) for line in text_lines(pdf)  # noqa: E731
                        if line.page == 0 and line.top < 92 and not line.text.startswith(("Datum", "Fahr"))]
    assert head(easy) == head(german) and ("Ayşe Yılmaz", 63.6) in head(german)
    page_one = " ".join(line.text for line in text_lines(easy) if line.page == 0)
    assert "Übersetzung" not in page_one and "Verbindlich" not in page_one


def notice_lines(days: int) -> list[str]:
    """The notice page as the catalogue writes it: the title, then each heading and statement."""
    t = texts.catalog("de-x-ls")
    return [t["layout"]["notice_title"], *(line for line in t["notice"].format(days=days).split("\n") if line)]


@pytest.mark.parametrize("window", WINDOWS)
def test_page_three_tells_the_duty_to_come_and_data_protection_in_leichte_sprache(client, auth, issue, window):
    """Every statement of the notice on a line of its own, with the configured retention days,
    at least 14 pt at 1.5 line spacing (within a group of statements), headings in bold; the
    German page after it is the binding one and says where the ticket is."""
    _, pdf = letter_pdf(client, auth, issue, window)
    lines = text_lines(pdf)
    notice = [line for line in lines if line.page == 2]
    assert [line.text for line in notice] == notice_lines(RETENTION_DAYS)
    said = [line.text for line in notice]
    assert f"Danach wartet das Jobcenter noch {RETENTION_DAYS} Tage." in said
    assert "Ihre Kunden-Nummer steht nicht im Code." in said  # docs/FORMAT.md: the token has none
    assert min(size for line in notice for size in line.sizes) >= LEAST_SIZE - 0.05
    assert min(spacings(notice)) == pytest.approx(1.5, abs=0.01)
    headings = {line.text for line in notice if not line.regular}
    assert {"Was steht im Code?", "Wer sieht das?", "Was speichert das Jobcenter?"} <= headings
    german = " ".join(line.text for line in lines if line.page == 3)
    assert lines[-1].page == 3 and "Verbindliche deutsche Fassung" in german
    assert "Ihr Fahrschein ist auf Seite 2." in german and "unten auf diesem Brief" not in german
    assert f"löscht Ihren Namen und den Code {RETENTION_DAYS} Tage nach dem Ende der Gültigkeit" in german


@pytest.mark.parametrize("case", ["a long place", "a re-issued letter"])
def test_a_letter_running_on_to_another_page_names_the_pages_that_follow(client, auth, issue, case):
    """Page 1's text runs on to page 2; the ticket (page 3), the notice (page 4) and the German
    page after them are named where the reader is sent to them."""
    if case == "a long place":
        changes = {"appointment_place": LONG_PLACE}
    else:  # the note that it replaces an earlier letter takes three lines
        changes = {"replaces": issue(language="de-x-ls", external_ref="first")["id"]}
    voucher, pdf = letter_pdf(client, auth, issue, "one day", **changes)
    lines = text_lines(pdf)
    page = lambda number: [line.text for line in lines if line.page == number]  # noqa: E731
    assert "Der Fahr-Schein ist auf Seite 3." in page(0) + page(1)
    assert voucher["short_code"] in page(2) and page(2)[-1] == "Auf Seite 4 steht noch mehr Wichtiges für Sie."
    assert page(3) == notice_lines(RETENTION_DAYS)
    assert "Ihr Fahrschein ist auf Seite 3." in " ".join(page(4)) and lines[-1].page == 4
    assert min(size for line in easy_lines(pdf) for size in line.sizes) >= LEAST_SIZE - 0.05


def test_batch_letters_use_the_leichte_sprache_layout(tmp_path):
    """`voucher letters batch`: a German and a Leichte Sprache row, rendered in two processes
    and joined: 1 page, then letter, ticket page, notice page and German page."""
    now = datetime(2026, 12, 1, 8, tzinfo=UTC)
    settings = Settings(data_dir=tmp_path, keys_dir=tmp_path / "keys")
    database = Database(settings.database)
    database.upgrade()
    keystore = KeyStore(settings.keys_dir)
    keystore.init("Jobcenter Test", now, timedelta(days=365))
    csv = ("holder_name,valid_from,valid_until,origin,destination,cost_center,language\n"
           "Ayşe Yılmaz,2026-12-03,2026-12-03,Musterstadt,Jobcenter Nord,KST-1,de\n"
           "Ayşe Yılmaz,2026-12-31,2027-01-02,Musterstadt,Jobcenter Nord,KST-1,de-x-ls\n")
    with database.session() as session:
        result = batch.run(session, keystore, settings, csv, now)
    assert result.errors == []
    pdf = batch.write_pdf(result.letters, settings, workers=2)
    database.engine.dispose()
    pages = [page.get_textpage().get_text_range().replace("\xa0", " ") for page in pdfium.PdfDocument(pdf)]
    assert len(pages) == 5 and "Ihr Fahr-Schein" in pages[2] and "Verbindliche deutsche Fassung" in pages[4]
    assert "Noch mehr Wichtiges für Sie" in pages[3]
    assert "Gültig vom Donnerstag, 31. Dezember 2026\r\nbis zum Samstag, 2. Januar 2027" in pages[2]
