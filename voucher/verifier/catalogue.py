"""The verifier page's words, kept where translators work: gettext catalogues.

`locale/verifier.pot` is the source: each entry's msgctxt is the key the page looks up and its
msgid the German text. `locale/<lang>/LC_MESSAGES/verifier.po` holds one translation each (Poedit,
Weblate; `pybabel update -i voucher/verifier/locale/verifier.pot -d voucher/verifier/locale -D
verifier` after a German text changes marks the translations fuzzy). The page never parses .po:
at app start each language becomes one JSON document (`/verify/i18n/<lang>.json`, precached by
the service worker, so a chosen language keeps working offline). An entry that is missing, empty
or fuzzy shows the German text: a stale translation of a verdict could say the wrong thing.

A catalogue's header comment says who reviewed it and when ("Reviewed-By: not reviewed" until a
fluent speaker has): Babel drops unknown header fields when it updates a catalogue, comments it
keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "verifier"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
SOURCE_LANGUAGE = "de"
# The locale the page's dates and times are formatted in: Arabic with the digits and the 24-hour
# clock of the letter.
INTL_LOCALE = {"de": "de-DE", "en": "en-GB", "ar": "ar-u-nu-latn-hc-h23"}


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in German, the native name beside: "Arabisch – العربية"
    direction: str  # "ltr" or "rtl"
    reviewed_by: str  # "not reviewed" until a fluent speaker has
    review_date: str
    texts: dict[str, str]

    def document(self) -> dict:
        """What the page loads: the texts and how to set them (direction, date locale)."""
        return {"code": self.code, "dir": self.direction, "locale": INTL_LOCALE.get(self.code, self.code),
                "texts": self.texts}


def _read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, domain=DOMAIN)


def _header(catalog: Catalog, field: str) -> str:
    found = re.search(rf"^# {field}: *(.+)$", catalog.header_comment or "", re.M)
    return found.group(1).strip() if found else "not reviewed"


def _name(code: str) -> str:
    locale = Locale.parse(code)
    # Babel knows the name of every language the page has (a catalogue's code it cannot name fails to parse)
    german = cast(str, locale.get_display_name(SOURCE_LANGUAGE))
    native = cast(str, locale.get_display_name(code))
    native = native[:1].upper() + native[1:]
    return german if german == native else f"{german} – {native}"


def _language(code: str, german: dict[str, str], catalog: Catalog | None) -> Language:
    texts = dict(german)
    if catalog is not None:
        for message in catalog:
            if message.id and message.context in texts and message.string and not message.fuzzy:
                texts[message.context] = cast(str, message.string)  # no message is plural
    return Language(
        code=code, name=_name(code), direction=Locale.parse(code).text_direction,
        reviewed_by=_header(catalog, "Reviewed-By") if catalog else "source text",
        review_date=_header(catalog, "Review-Date") if catalog else "-", texts=texts)


def catalogue_paths() -> dict[str, Path]:
    """Each translation's .po file by language code."""
    return {path.parents[1].name: path for path in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def load() -> dict[str, Language]:
    """Every language of the page, sorted by its German name (German from the template)."""
    # msgctxt is always the key and no message is plural: the ids are plain strings
    german = {cast(str, message.context): cast(str, message.id) for message in _read(TEMPLATE) if message.id}
    languages = [_language(SOURCE_LANGUAGE, german, None)]
    languages += [_language(code, german, _read(path)) for code, path in catalogue_paths().items()]
    return {language.code: language for language in sorted(languages, key=lambda language: language.name)}
