"""The staff pages' words as gettext catalogues, and the script that fills them from a table.

`voucher/staff/locale/staff.pot` is the one source of the German words: msgctxt is the key the
pages pass to `t()`, msgid the German text. `locale/en/LC_MESSAGES/staff.po` is the English
translation (Poedit, Weblate). Flask-Babel serves them (i18n.py); the .po files are compiled in
memory at app start, so nothing is built or committed besides them.

`python -m voucher.staff.catalogue` moves a `WORDS` table (`voucher/staff/words.py`: key ->
(German, English), as the pages' words were kept before the catalogues) into the catalogues and
deletes the file: after merging a branch that still added words there, run it once. A key in the
table wins over the catalogue (the table is the newer text in such a merge); the script says which
keys it added or changed.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from pathlib import Path
from typing import cast

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

HERE = Path(__file__).resolve().parent
LOCALE = HERE / "locale"
DOMAIN = "staff"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
TABLE = HERE / "words.py"
SOURCE_LANGUAGE = "de"
TRANSLATED = ("en",)


def path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(file: Path) -> Catalog:
    with file.open("rb") as handle:
        return read_po(handle, domain=DOMAIN)


def german() -> dict[str, str]:
    """Every key and its German text, from the template."""
    # msgctxt is always the key here and no message is plural: the ids are plain strings
    return {cast(str, message.context): cast(str, message.id) for message in read(TEMPLATE) if message.id}


def translations() -> dict[str, Translations]:
    """Each translated language's catalogue, compiled in memory for Flask-Babel."""
    compiled = {}
    for language in TRANSLATED:
        data = io.BytesIO()
        write_mo(data, read(path(language)))
        data.seek(0)
        compiled[language] = Translations(data, domain=DOMAIN)
    return compiled


def _table(source: str) -> list[tuple[str, str, str, str]]:
    """(key, German, English, section) from a WORDS table's source, in its order; the section is
    the last `# comment` line above the key (kept for translators as an extracted comment)."""
    tree = ast.parse(source)
    found = next(node.value for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
                 and getattr(node.targets[0] if isinstance(node, ast.Assign) else node.target, "id", "") == "WORDS")
    table = cast(ast.Dict, found)  # a dict literal of string keys: no `**` entry (a None key)
    keys = cast("list[ast.expr]", table.keys)
    lines = source.splitlines()
    rows = []
    for key, value in zip(keys, table.values, strict=True):
        above = [line.strip()[1:].strip() for line in lines[:key.lineno - 1] if re.match(r"\s*# ", line)]
        german_text, english_text = ast.literal_eval(value)
        rows.append((ast.literal_eval(key), german_text, english_text, above[-1] if above else ""))
    return rows


def _new_catalog(locale: str | None) -> Catalog:
    return Catalog(locale=locale, domain=DOMAIN, project="Jobcenter travel vouchers: staff pages", version="1",
                   copyright_holder="Jobcenter", msgid_bugs_address="", last_translator="voucher developers",
                   fuzzy=False)


def _write(catalog: Catalog, file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("wb") as handle:
        write_po(handle, catalog, width=100)


def merge_table(source: str) -> list[str]:
    """Put the table's words into the catalogues (the table wins); the keys added or changed."""
    template = read(TEMPLATE) if TEMPLATE.exists() else _new_catalog(None)
    english = read(path("en")) if path("en").exists() else _new_catalog("en")
    if not english.header_comment.startswith("# Reviewed-By"):
        english.header_comment = "# Reviewed-By: not reviewed\n# Review-Date: -"
    changed = []
    for key, german_text, english_text, section in _table(source):
        old = _get(template, key)
        old_english = _get(english, key)
        if old is not None and old.id == german_text and old_english is not None and old_english.string == english_text:
            continue
        changed.append(key)
        for catalog in (template, english):
            if (stale := _get(catalog, key)) is not None:
                catalog.delete(stale.id, context=key)
        flags = ["python-brace-format"] if "{" in german_text else []
        comments = [section] if section else []
        template.add(german_text, context=key, flags=flags, auto_comments=comments)
        english.add(german_text, english_text, context=key, flags=flags, auto_comments=comments)
    _write(template, TEMPLATE)
    _write(english, path("en"))
    return changed


def _get(catalog: Catalog, key: str) -> Message | None:
    """The message stored under the key (context), whatever its German text (msgid) now is."""
    msgid = next((message.id for message in catalog if message.context == key and message.id), None)
    return None if msgid is None else catalog.get(msgid, context=key)


def main() -> int:
    if not TABLE.exists():
        print(f"{TABLE.relative_to(HERE.parent.parent)} is gone already: the catalogues are the words' source.")
        return 0
    changed = merge_table(TABLE.read_text(encoding="utf-8"))
    TABLE.unlink()
    print(f"moved {len(changed)} new or changed key(s) into {TEMPLATE.relative_to(HERE.parent.parent)} and en: "
          + ", ".join(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
