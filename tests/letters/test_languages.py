"""Letters in every language with a file: the texts are complete, read in logical order, set
right-to-left where the language is, in fonts that have every character, and the QR scans."""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fontTools.ttLib import TTFont

from tests.letters.test_letters import run_batch
from voucher.config import Settings
from voucher.keys import TrustList, key_id
from voucher.letters import texts
from voucher.letters.render import Letter, render
from voucher.letters.typeset import FONTS
from voucher.timefmt import parse_instant
from voucher.token import format as fmt

LANGUAGES = sorted(texts.languages())
RTL = [tag for tag in LANGUAGES if texts.language(tag).rtl]
README = Path(__file__).resolve().parents[2] / "README.md"
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"language tests").digest())
START = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)


def mm(points: float) -> float:
    return points / 72 * 25.4


def make_letter(language: str, **changes) -> Letter:
    fields = dict(holder_name="Ayşe Yılmaz", origin="Musterstadt Hbf", destination="Jobcenter Nord",
                  address=("Lindenweg 4", "12345 Musterstadt"), appointment_place="Jobcenter Nord, Raum 2.14")
    fields.update(changes)
    claims = fmt.Claims(
        voucher_id="0RV4K8ZQ3M2TA", kid=key_id(KEY.public_key()), valid_from=START,
        valid_until=START + timedelta(days=1), holder_name=fields["holder_name"], office="JC-DEMO",
        origin=fields["origin"], destination=fields["destination"], return_trip=True)
    return Letter(
        voucher_id=claims.voucher_id, code=fmt.encode(claims, KEY), holder_name=claims.holder_name,
        address=fields["address"], valid_from=claims.valid_from, valid_until=claims.valid_until,
        route=f"{claims.origin} – {claims.destination}", zone=False, travellers=1, fare_class=2,
        return_trip=True, appointment_at=datetime(2026, 12, 3, 8, 30, tzinfo=UTC),
        appointment_place=fields["appointment_place"], language=language, date=datetime(2026, 11, 25, tzinfo=UTC))


def render_pages(language: str, **changes) -> list[pdfium.PdfPage]:
    return list(pdfium.PdfDocument(render([make_letter(language, **changes)], Settings().timezone)))


def flat(text: str) -> str:
    """Whitespace as single spaces; without the invisible marks (LRM, ZWNJ) pdfium may drop."""
    return re.sub(r"\s+", " ", re.sub("[\u200c\u200e]", "", text)).strip()


def pdfium_reading(sentence: str, tag: str) -> str:
    """How pdfium reads a right-to-left sentence back: in logical order, except that it puts
    the two letters of a lam ligature (lam-alef, lam-alef maksura: one glyph) in reverse order,
    a pdfium defect (it reverses a right-to-left line character by character, also inside a
    glyph that stands for several characters; the PDF's ToUnicode map has them in order), and
    that it gives a mirrored bracket as the glyph drawn: "(" printed as ")" reads back as ")"."""
    if tag not in RTL:
        return sentence
    return re.sub("ل([اأإآى])", r"\1ل", sentence).translate(str.maketrans("()", ")("))


@pytest.mark.parametrize("tag", sorted(set(LANGUAGES) - {"de"}))
def test_language_file_holds_names_and_formats_and_its_catalogue_the_texts(tag):
    """The texts are in po/<tag>.po (test_catalogs.py); the language file only says how it writes."""
    data = tomllib.loads((texts.LETTERS / "lang" / f"{tag}.toml").read_text(encoding="utf-8"))
    assert set(data) == {"name", "name_de", "date_long", "date_short", "time", "time_on_the_hour", "text_size"}


@pytest.mark.parametrize("tag", LANGUAGES)
def test_readme_shows_each_language_and_its_review_status(tag):
    language = texts.language(tag)
    row = next((line for line in README.read_text(encoding="utf-8").splitlines()
                if line.startswith(f"| `{tag}` |")), None)
    assert row is not None, f"README's language table has no row for {tag}"
    assert language.review in row and (language.reviewed_by or "no one") in row


@pytest.mark.parametrize("tag", LANGUAGES)
def test_letter_text_reads_in_logical_order(tag):
    t = texts.catalog(tag)
    text = flat(render_pages(tag)[0].get_textpage().get_text_range())
    sentences = [t["subject"], t["intro"], t["ticket"], t["steps_title"], *t["steps"][:2], t["closing"]]
    pieces = [part for sentence in sentences for part in re.split(r"\{\w+\}", sentence)]
    for piece in (flat(p) for p in pieces):
        if len(piece) > 3:
            assert pdfium_reading(piece, tag) in text


@pytest.mark.parametrize("tag", RTL)
def test_right_to_left_lines_end_at_the_right_margin(tag):
    """Rasterised at 150 dpi, every line of the letter text ends at the right margin (190 mm),
    and they do not all start at the same place on the left."""
    page = render_pages(tag)[0]
    dpi = 150
    px = lambda millimetres: round(millimetres / 25.4 * dpi)  # noqa: E731
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    ink = image.crop((px(20), px(103), px(196), px(205))).point(lambda v: 255 if v < 128 else 0)
    boxes = [ink.crop((0, row, ink.width, row + 1)).getbbox() for row in range(ink.height)]
    lines, current = [], []  # runs of rows with ink: the text lines
    for box in [*boxes, None]:
        if box:
            current.append(box)
        elif current:
            lines.append(current)
            current = []
    rights, lefts = [], []
    for line in lines:
        if len(line) < 4:  # dots and diacritics that stand apart from their line
            continue
        rights.append((max(b[2] for b in line) + px(20)) / dpi * 25.4)
        lefts.append((min(b[0] for b in line) + px(20)) / dpi * 25.4)
    assert len(rights) >= 10
    assert all(187.5 <= right <= 190.3 for right in rights), [round(r, 1) for r in rights if not 187.5 <= r <= 190.3]
    assert max(lefts) - min(lefts) > 40


@pytest.mark.parametrize("tag", LANGUAGES)
def test_fonts_have_every_character_the_letter_uses(tag):
    """Each character on every page is in the cmap of the embedded font that draws it."""
    cmaps = {name: TTFont(FONTS / name).getBestCmap() for name in (
        "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf")}
    by_font = {"DejaVuSansBook": "DejaVuSans.ttf", "DejaVuSansBold": "DejaVuSans-Bold.ttf",
               "NotoSansArabic": "NotoSansArabic-Regular.ttf", "NotoSansArabicBold": "NotoSansArabic-Bold.ttf"}
    long_place = "Jobcenter Nord, Raum 2.14, Eingang B"
    for page in render_pages(tag, appointment_place=long_place):
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
            if char.isspace() or char in "\ufffe\x02":  # spaces and line ends pdfium adds itself
                continue
            buffer = (pdfium_c.c_char * 256)()
            pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, 256, None)
            font = buffer.value.decode().split("+", 1)[-1]
            assert font, f"{char!r} (U+{ord(char):04X}) is drawn without a font"
            assert ord(char) in cmaps[by_font[font]], f"{char!r} (U+{ord(char):04X}) is not in {font}"


WIDE_NAME = "Wolfgang-Maximilian Müller-Lüdenscheidt W"[:40]
LONGEST = dict(
    holder_name=WIDE_NAME + "W" * (40 - len(WIDE_NAME)),
    origin="Musterstadt Hauptbahnhof, Busbahnhof Steig",
    destination="Jobcenter Musterstadt Nord, Haltestelle B",
    address=tuple(("Wilhelm-Leuschner-Straße 117, Hinterhaus, 3. Obergeschoss links " * 2)[:60] for _ in range(5)),
    appointment_place=("Jobcenter Musterstadt, Geschäftsstelle Nord, Musterstraße 1, Eingang B, 2. Obergeschoss, "
                       "Raum 2.14, bitte melden Sie sich zuerst am Empfang im Erdgeschoss und bringen Sie diesen "
                       "Brief mit, danke schön")[:200],
)


@pytest.mark.parametrize("tag", LANGUAGES)
def test_longest_allowed_values_stay_inside_the_margins(tag):
    assert len(LONGEST["appointment_place"]) == 200 and len(LONGEST["holder_name"]) == 40
    for number, page in enumerate(render_pages(tag, **{k: v for k, v in LONGEST.items()
                                                       if k not in ("origin", "destination")},
                                               origin=LONGEST["origin"][:40], destination=LONGEST["destination"][:40])):
        height = page.get_size()[1]
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            if textpage.get_text_range(index, 1).isspace():
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            x0, x1, y0, y1 = mm(left), mm(right), mm(height - top), mm(height - bottom)
            assert 15 <= x0 and x1 <= 195.5, (number, textpage.get_text_range(index, 1), x0, x1)
            assert y1 <= 208.5 or y0 >= 209, "text runs into the ticket's fold and cut line"
            if number == 0 and 62 <= y0 < 92 and x0 < 110:  # the envelope window's address zone (page 1)
                assert 24.5 <= x0 and x1 <= 105.5 and y1 <= 91


@pytest.mark.parametrize("tag", LANGUAGES)
def test_letter_qr_decodes_at_150_dpi_and_verifies(client, auth, issue, tag):
    voucher = issue(language=tag, holder_name="محمد الأحمد" if tag in RTL else "Ayşe Yılmaz")
    pdf = client.get(voucher["links"]["letter_pdf"], headers=auth("issuer")).data
    images = [page.render(scale=150 / 72).to_pil() for page in pdfium.PdfDocument(pdf)]
    (code,) = [r.text for image in images for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    trust = TrustList.from_json(client.get("/api/v1/trust-list").get_json())
    assert fmt.verify(code, trust, parse_instant("2026-12-03T09:00:00+01:00")).claims.voucher_id == voucher["id"]
    assert voucher["letter_language"] == tag and voucher["notes"] == []


@pytest.mark.parametrize(("asked", "stored", "used"), [
    ("it", "it", "de"), ("de-ch", "de-CH", "de"), ("EN-gb", "en-GB", "en"), ("ar-SY", "ar-SY", "ar")])
def test_language_without_texts_falls_back_by_longest_prefix_and_says_so(issue, asked, stored, used):
    voucher = issue(language=asked)
    assert (voucher["language"], voucher["letter_language"]) == (stored, used)
    (note,) = voucher["notes"]
    assert repr(stored) in note and repr(used) in note


def test_language_tag_is_stored_in_canonical_case(issue):
    assert issue(language="DE-X-LS")["language"] == "de-x-ls"


@pytest.mark.parametrize("tag", ["en_GB", "deutsch-x", "x-ls", "de-", "e", "de-" + "a" * 40])
def test_malformed_language_tag_is_a_422(client, auth, tag):
    from tests.conftest import voucher_request

    response = client.post("/api/v1/vouchers", json=voucher_request(language=tag), headers=auth("issuer"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "BCP 47" in response.get_json()["detail"]


def test_office_texts_follow_the_letter_language():
    english = flat(render_pages("en")[0].get_textpage().get_text_range())
    german = flat(render_pages("en")[1].get_textpage().get_text_range())
    assert "Your Jobcenter Musterstadt" in english and "Ihr Jobcenter Musterstadt" not in english
    assert "Ihr Jobcenter Musterstadt" in german


def test_german_letter_is_one_page_and_translated_letters_carry_the_german_text():
    assert len(render_pages("de")) == 1
    translated, official = render_pages("tr")
    assert "Verbindliche deutsche Fassung" in official.get_textpage().get_text_range()
    assert flat(texts.catalog("de")["translation_note"]) in flat(translated.get_textpage().get_text_range())


@pytest.mark.parametrize("tag", ["de", "ar"])
def test_letter_with_the_longest_appointment_place_is_served(client, auth, issue, tag):
    voucher = issue(language=tag, appointment_place=LONGEST["appointment_place"], appointment_at="2026-12-03T10:30")
    response = client.get(voucher["links"]["letter_pdf"], headers=auth("issuer"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_appointment_place_over_200_characters_is_a_422(client, auth):
    from tests.conftest import voucher_request

    body = voucher_request(appointment_place="x" * 201)
    response = client.post("/api/v1/vouchers", json=body, headers=auth("issuer"))
    assert response.status_code == 422 and "appointment_place" in response.get_json()["detail"]


def test_batch_accepts_every_language_and_says_which_lines_fall_back(tmp_path, database):
    day = (date.today() + timedelta(days=20)).isoformat()
    rows = [*LANGUAGES, "it", "de-CH"]
    source = tmp_path / "in.csv"
    source.write_text("external_ref,holder_name,valid_from,valid_until,zone,cost_center,language\n" + "".join(
        f"L{n},Person {n},{day},{day},AB,KST-1,{tag}\n" for n, tag in enumerate(rows)), encoding="utf-8")
    result, out = run_batch(tmp_path, database, source)
    assert result.returncode == 0, result.stderr
    it_line, ch_line = len(rows), len(rows) + 1  # the header is line 1
    assert f"line {it_line}: no letter texts for language 'it': the letter is written in 'de'" in result.stderr
    assert f"line {ch_line}: no letter texts for language 'de-CH'" in result.stderr
    assert result.stderr.count("no letter texts") == 2
    german_pages = 1 + 2  # de, it and de-CH are one page each; Leichte Sprache four; every other language two
    assert len(pdfium.PdfDocument(out.read_bytes())) == german_pages + 4 + 2 * (len(LANGUAGES) - 2)
