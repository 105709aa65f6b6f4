"""The staff pages' words: gettext catalogues (voucher/staff/locale) served through Flask-Babel,
with every key the templates and code use, and the script that moves a words table into them."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo

from voucher.staff import catalogue

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TEMPLATES = [p for p in (ROOT / "voucher" / "templates").rglob("*.html") if "verifier" not in p.parts]
CODE = [p for p in (ROOT / "voucher").rglob("*.py")]


def used() -> set[str]:
    """Keys passed to t(...) literally in the staff templates and in the code."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in TEMPLATES + CODE)
    return set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""", text))  # not t("cat_" + kind)


def test_every_key_the_pages_use_is_in_german_and_english():
    german = catalogue.german()
    english = {m.context: m.string for m in catalogue.read(catalogue.path("en")) if m.id and m.string and not m.fuzzy}
    assert len(used()) > 100
    assert used() - set(german) == set()
    assert used() - set(english) == set()


def test_english_translates_exactly_the_german_keys_with_their_placeholders():
    german = catalogue.german()
    messages = [m for m in catalogue.read(catalogue.path("en")) if m.id]
    assert {m.context for m in messages} == set(german)
    for message in messages:
        assert message.id == german[message.context]
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), message.context


def test_english_catalogue_compiles_and_answers():
    source = catalogue.read(catalogue.path("en"))
    assert list(source.check()) == []
    data = io.BytesIO()
    write_mo(data, source)
    data.seek(0)
    assert gettext.GNUTranslations(data).pgettext("sign_in", "Anmelden") == "Sign in"
    assert re.search(r"^# Reviewed-By: \S", source.header_comment, re.M)


@pytest.mark.parametrize(("accept", "word"), [("de", "Fahrscheine Jobcenter"), ("en", "Jobcenter travel vouchers")])
def test_start_page_speaks_the_browsers_language_through_the_catalogues(client, accept, word):
    page = client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert word in page


def test_the_words_table_is_gone_the_catalogues_are_the_source():
    assert not catalogue.TABLE.exists()


TABLE = '''WORDS: dict[str, tuple[str, str]] = {
    # Signing in
    "sign_in": ("Einloggen", "Log in"),
    # A new page
    "brand_new": ("Neu: {n} Fahrscheine", "New: {n} vouchers"),
}
'''


def test_script_moves_a_table_into_the_catalogues_and_deletes_it(tmp_path, monkeypatch, capsys):
    """After a merge that added words to words.py: new keys arrive, changed ones take the table's text."""
    locale = tmp_path / "locale"
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "staff.pot").write_bytes(catalogue.TEMPLATE.read_bytes())
    (locale / "en" / "LC_MESSAGES" / "staff.po").write_bytes(catalogue.path("en").read_bytes())
    table = tmp_path / "words.py"
    table.write_text(TABLE, encoding="utf-8")
    monkeypatch.setattr(catalogue, "LOCALE", locale)
    monkeypatch.setattr(catalogue, "TEMPLATE", locale / "staff.pot")
    monkeypatch.setattr(catalogue, "TABLE", table)
    monkeypatch.setattr(catalogue, "HERE", tmp_path / "voucher" / "staff")
    assert catalogue.main() == 0
    assert not table.exists()
    german = catalogue.german()
    assert (german["sign_in"], german["brand_new"]) == ("Einloggen", "Neu: {n} Fahrscheine")
    english = catalogue.translations()["en"]
    assert english.pgettext("brand_new", "Neu: {n} Fahrscheine") == "New: {n} vouchers"
    assert english.pgettext("sign_in", "Einloggen") == "Log in"
    assert english.pgettext("sign_out", german["sign_out"]) == "Sign out"  # the rest kept
    assert "2 new or changed key(s)" in capsys.readouterr().out
