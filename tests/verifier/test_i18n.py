"""The verifier page's words: gettext catalogues (voucher/verifier/locale) that compile, carry
every key the page uses and a review header, and reach the page as JSON it can precache."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from voucher.verifier import PRECACHE, catalogue

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "voucher" / "verifier" / "static"
PAGE = (ROOT / "voucher" / "templates" / "verifier" / "index.html").read_text(encoding="utf-8")
SCRIPTS = "\n".join(p.read_text(encoding="utf-8") for p in STATIC.glob("*.js"))
TRANSLATIONS = catalogue.catalogue_paths()
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read(path: Path):
    with path.open("rb") as file:
        return read_po(file)


TEMPLATE = {message.context: message.id for message in read(catalogue.TEMPLATE) if message.id}


def used() -> set[str]:
    """The keys the page looks up: data-i18n attributes, t("key") and t(x ? "a" : "b"), the
    reasons of InvalidVoucher (shown as reason_<reason>) and of EnrolmentError, verdict kinds,
    button labels."""
    keys = set(re.findall(r'data-i18n="(\w+)"', PAGE))
    keys |= set(re.findall(r'\bt\("(\w+)"', SCRIPTS))
    keys |= {key for pair in re.findall(r'\bt\([^()]*\? "(\w+)" : "(\w+)"', SCRIPTS) for key in pair}
    keys |= {f"reason_{r}" for r in re.findall(r'InvalidVoucher\("(\w+)"', SCRIPTS) + ["malformed"]}
    keys |= set(re.findall(r'EnrolmentError\("(\w+)"', SCRIPTS))
    keys |= set(re.findall(r'"(reason_\w+)"', SCRIPTS)) | set(re.findall(r'show\(\{ kind: "(\w+)"', SCRIPTS))
    keys |= set(re.findall(r'label\(\w+, "(\w+)"\)', SCRIPTS))  # viewfinder.js: a button's label
    return keys


def test_the_page_is_offered_in_german_english_turkish_arabic_ukrainian_and_russian():
    assert set(catalogue.load()) == {"de", "en", "tr", "ar", "uk", "ru"}


def test_every_text_the_page_uses_is_in_the_template():
    assert used() - set(TEMPLATE) == set()


@pytest.mark.parametrize("language", sorted(TRANSLATIONS))
def test_catalogue_translates_exactly_the_template_keys(language):
    messages = [m for m in read(TRANSLATIONS[language]) if m.id]
    assert {m.context for m in messages} == set(TEMPLATE)
    assert [m.context for m in messages if not m.string or m.fuzzy] == []
    assert [m.context for m in messages if m.id != TEMPLATE[m.context]] == []  # made from today's German


@pytest.mark.parametrize("language", sorted(TRANSLATIONS))
def test_catalogue_keeps_every_placeholder(language):
    for message in read(TRANSLATIONS[language]):
        if message.id:
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), message.context


@pytest.mark.parametrize("language", sorted(TRANSLATIONS))
def test_catalogue_compiles_and_the_compiled_file_answers(language):
    source = read(TRANSLATIONS[language])
    assert list(source.check()) == []
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    expected = catalogue.load()[language].texts
    assert translations.pgettext("valid", TEMPLATE["valid"]) == expected["valid"] != TEMPLATE["valid"]


@pytest.mark.parametrize("language", sorted(TRANSLATIONS))
def test_catalogue_says_who_reviewed_it_and_when(language):
    header = read(TRANSLATIONS[language]).header_comment
    assert re.search(r"^# Reviewed-By: \S", header, re.M) and re.search(r"^# Review-Date: \S", header, re.M)
    loaded = catalogue.load()[language]
    assert loaded.reviewed_by == "not reviewed"  # nobody fluent has yet: say so until someone has


def test_fuzzy_or_empty_translation_shows_the_german_text(tmp_path, monkeypatch):
    """A translation made stale by a changed German text could say the wrong thing on a verdict."""
    po = TRANSLATIONS["ru"].read_text(encoding="utf-8")
    po = po.replace('msgctxt "valid"', '#, fuzzy\nmsgctxt "valid"', 1)
    po = re.sub(r'(msgctxt "invalid"\nmsgid "[^"]*"\n)msgstr "[^"]*"', r'\1msgstr ""', po)
    folder = tmp_path / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "verifier.po").write_text(po, encoding="utf-8")
    (tmp_path / "verifier.pot").write_bytes(catalogue.TEMPLATE.read_bytes())
    monkeypatch.setattr(catalogue, "LOCALE", tmp_path)
    monkeypatch.setattr(catalogue, "TEMPLATE", tmp_path / "verifier.pot")
    texts = catalogue.load()["ru"].texts
    assert (texts["valid"], texts["invalid"], texts["next"]) == ("GÜLTIG", "UNGÜLTIG", "Следующий билет")


@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "uk", "ru"])
def test_each_language_is_served_as_json_and_precached(client, language):
    response = client.get(f"/verify/i18n/{language}.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["code"] == language and document["dir"] == ("rtl" if language == "ar" else "ltr")
    assert set(document["texts"]) == set(TEMPLATE)
    assert f"i18n/{language}.json" in PRECACHE


def test_unknown_language_is_a_404(client):
    assert client.get("/verify/i18n/xx.json").status_code == 404


def test_picker_names_each_language_in_german_with_its_own_name_beside(client):
    page = client.get("/verify/").get_data(as_text=True)
    names = re.findall(r'<option value="(\w+)" lang="\w+">([^<]+)</option>', page)
    assert ("ar", "Arabisch – العربية") in names and ("uk", "Ukrainisch – Українська") in names
    assert [name for _, name in names] == sorted(name for _, name in names)


def test_texts_carry_no_emoji_or_dingbats():
    """Icons are inline SVG: a device without an emoji font shows empty boxes for these."""
    every = PAGE + "".join(path.read_text(encoding="utf-8") for path in [catalogue.TEMPLATE, *TRANSLATIONS.values()])
    assert not re.search("[\u2600-\u27bf\U0001f300-\U0001faff]", every)
