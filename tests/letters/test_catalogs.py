"""The translators' catalogues (voucher/templates/letters/po/<tag>.po): each compiles, translates
every German text as it reads today with the same placeholders, carries its review in the header;
the review sheet prints German and translation side by side."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys

import pypdfium2 as pdfium
import pytest

from voucher.letters import catalogs, texts

TRANSLATED = sorted(texts.languages() - {texts.DEFAULT_LANGUAGE})
OWN_LAYOUT = {tag for tag in TRANSLATED if "layout" in texts.catalog(tag)}  # Leichte Sprache words things its own way
GERMAN = texts.catalog(texts.DEFAULT_LANGUAGE)


@pytest.mark.parametrize("tag", TRANSLATED)
def test_catalogue_compiles_and_gettext_reads_it_back(tag):
    translations = gettext.GNUTranslations(io.BytesIO(catalogs.compile_mo(texts.LETTERS, tag)))
    assert translations.pgettext("subject", GERMAN["subject"]) == texts.catalog(tag)["subject"] != GERMAN["subject"]


@pytest.mark.parametrize("tag", sorted(set(TRANSLATED) - OWN_LAYOUT))
def test_catalogue_translates_every_german_text_as_it_reads_today(tag):
    messages = {m.context: m for m in catalogs.read(texts.LETTERS, tag) if m.id}
    assert set(messages) == set(catalogs.sources(GERMAN))
    assert catalogs.outdated(texts.LETTERS, tag, GERMAN) == []
    assert all(m.string for m in messages.values())


@pytest.mark.parametrize("tag", sorted(set(TRANSLATED) - OWN_LAYOUT))
def test_translation_keeps_the_placeholders_of_the_german_text(tag):
    for message in catalogs.read(texts.LETTERS, tag):
        if message.id:
            assert set(re.findall(r"\{\w+\}", message.string)) == set(re.findall(r"\{\w+\}", message.id)), message.context


@pytest.mark.parametrize("tag", sorted(OWN_LAYOUT))
def test_layout_of_its_own_translates_what_it_translates_from_the_german_as_it_reads_today(tag):
    """Leichte Sprache leaves out texts and adds its own (`layout.*`), but those it does
    translate (the notice on its page of its own, say) show as outdated once the German changes."""
    assert catalogs.outdated(texts.LETTERS, tag, GERMAN) == []
    assert texts.catalog(tag)["notice"] != GERMAN["notice"]


def test_changed_german_text_shows_the_translation_as_outdated():
    german = {**GERMAN, "closing": "Mit freundlichen Grüßen"}
    assert catalogs.outdated(texts.LETTERS, "tr", german) == ["closing"]


@pytest.mark.parametrize("tag", TRANSLATED)
def test_catalogue_header_carries_the_review(tag):
    header = catalogs.po_path(texts.LETTERS, tag).read_text(encoding="utf-8").split("\n\n", 1)[0]
    for field in ("X-Review-Status", "X-Reviewed-By", "X-Review-Date"):
        assert f'"{field}:' in header
    assert texts.language(tag).review == catalogs.review(texts.LETTERS, tag).status != ""


def test_reviewer_in_the_header_lifts_the_unreviewed_mark(tmp_path):
    for folder in ("lang", "po"):
        (tmp_path / folder).mkdir()
    (tmp_path / "office.toml").write_bytes((texts.LETTERS / "office.toml").read_bytes())
    for tag in ("de", "tr"):
        (tmp_path / "lang" / f"{tag}.toml").write_bytes((texts.LETTERS / "lang" / f"{tag}.toml").read_bytes())
    po = catalogs.po_path(texts.LETTERS, "tr").read_text(encoding="utf-8")
    (tmp_path / "po" / "tr.po").write_text(po.replace('"X-Reviewed-By: \\n"', '"X-Reviewed-By: Elif Kaya\\n"'), encoding="utf-8")
    assert not texts.reviewed("tr") and texts.reviewed("tr", tmp_path)


def pdf_text(path) -> str:
    return " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(path.read_bytes()))


@pytest.mark.parametrize("tag", ["tr", "fa"])
def test_review_sheet_prints_german_beside_the_translation(tmp_path, tag):
    out = tmp_path / "sheet.pdf"
    result = subprocess.run([sys.executable, "-m", "voucher", "letters", "review-sheet", tag.upper(), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = re.sub(r"\s+", " ", pdf_text(out))
    assert texts.staff_name(tag) in text and "Geprüft von: niemand" in text
    for key in ("cancel", "notice"):
        assert re.sub(r"\s+", " ", GERMAN[key]).split(".")[0] in text
    if tag == "tr":
        assert texts.catalog(tag)["notice"].split(".")[0] in text


def test_review_sheet_for_a_language_without_a_catalogue_is_one_line_and_exit_1(tmp_path):
    result = subprocess.run([sys.executable, "-m", "voucher", "letters", "review-sheet", "it", "--out", str(tmp_path / "x.pdf")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "'it'" in result.stderr
