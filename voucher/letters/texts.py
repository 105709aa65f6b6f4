"""Letter texts from voucher/templates/letters (office.toml, lang/<tag>.toml), and how dates read.

A language is added by adding its files, nothing here changes: voucher/templates/letters/lang/<tag>.toml
holds its names (`name` in the language itself, `name_de` in German) and how it writes dates;
po/<tag>.po its translation of every text key of de.toml and its review (catalogs.py). The office's own texts
(signature, default place ...) are German in office.toml, with per-language overrides in its
`[translations.<tag>]` tables; whatever a language does not override stays German.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

from .. import TEMPLATES, langtag
from . import catalogs

LETTERS = TEMPLATES / "letters"
DEFAULT_LANGUAGE = "de"
META_KEYS = ("review", "reviewed_by", "name", "name_de")
NO_BREAK = "\u00a0"  # between the parts of a date or a time: the typesetter never breaks a line there


@dataclass(frozen=True)
class Office:
    name: str
    unit: str
    street: str
    city: str
    return_line: str
    phone: str
    email: str
    signature: str
    default_place: str
    official_heading: str = "Verbindliche deutsche Fassung"
    logo: str = ""

    @property
    def logo_path(self) -> Path | None:
        return LETTERS / self.logo if self.logo else None


@dataclass(frozen=True)
class Language:
    """What a letter in one language needs besides its texts."""

    tag: str
    name: str  # in the language itself, e.g. "العربية"
    name_de: str  # in German, for the office's staff, e.g. "Arabisch"
    review: str
    reviewed_by: str
    rtl: bool
    locale: str  # the babel locale that writes its dates


def _read(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def office(language: str = DEFAULT_LANGUAGE, folder: Path = LETTERS) -> Office:
    """The office's texts in a language: office.toml, with that language's overrides."""
    data = _read(folder / "office.toml")
    overrides = data.pop("translations", {}).get(language, {})
    unknown = set(overrides) - {f.name for f in fields(Office)}
    if unknown:
        raise ValueError(f"office.toml [translations.{language}] has unknown keys: {sorted(unknown)}")
    return replace(Office(**data), **overrides)


@cache
def languages(folder: Path = LETTERS) -> frozenset[str]:
    """Tags that have a language file (lower case, as the files are named)."""
    return frozenset(p.stem.lower() for p in (folder / "lang").glob("*.toml"))


def resolve(tag: str, folder: Path = LETTERS) -> str:
    """The language a letter for `tag` is written in: the longest prefix with a file
    (`de-CH` → `de`, `en-GB` → `en`), else German."""
    return langtag.lookup(tag, languages(folder)) or DEFAULT_LANGUAGE


def fallback_note(tag: str, folder: Path = LETTERS) -> str | None:
    """Says so when a letter cannot be in the language asked for; None when it is."""
    used = resolve(tag, folder)
    if used == tag.lower():
        return None
    return f"no letter texts for language {tag!r}: the letter is written in {used!r} ({language(used, folder).name_de})"


@cache
def language(tag: str, folder: Path = LETTERS) -> Language:
    used = resolve(tag, folder)
    data = _read(folder / "lang" / f"{used}.toml")
    locale = used.split("-")[0]
    review = (catalogs.Review(data["review"], data["reviewed_by"], "") if used == DEFAULT_LANGUAGE
              else catalogs.review(folder, used))  # German is the source: its file says so
    return Language(
        tag=used, name=data["name"], name_de=data["name_de"], review=review.status,
        reviewed_by=review.by, rtl=Locale.parse(locale).text_direction == "rtl", locale=locale,
    )


def staff_name(tag: str, folder: Path = LETTERS) -> str:
    """How the office's staff read a letter language: its German name with its own beside it
    ("Arabisch – العربية"), so a clerk tells Arabic from Farsi without reading either script. A
    tag without a file says which language its letters fall back to ("it → Deutsch")."""
    lang = language(tag, folder)
    name = lang.name_de if lang.name in lang.name_de else f"{lang.name_de} – {lang.name}"
    return name if lang.tag == tag.lower() else f"{tag} → {name}"


def staff_languages(folder: Path = LETTERS) -> list[str]:
    """Every letter language's tag, in the order of its German name (as staff pick from a list)."""
    key = lambda tag: unicodedata.normalize("NFD", language(tag, folder).name_de).casefold()  # noqa: E731 - Ä sorts as A
    return sorted(languages(folder), key=key)


def reviewed(tag: str, folder: Path = LETTERS) -> bool:
    """Whether a fluent reviewer has signed the language off (German is the source text)."""
    lang = language(tag, folder)
    return lang.tag == DEFAULT_LANGUAGE or bool(lang.reviewed_by)


@cache
def catalog(tag: str, folder: Path = LETTERS) -> dict:
    """The texts for a language: its settings (lang/<tag>.toml) and translations (po/<tag>.po)
    over the German ones, key by key, so an untranslated key reads in German."""
    base = _read(folder / "lang" / f"{DEFAULT_LANGUAGE}.toml")
    used = resolve(tag, folder)
    if used != DEFAULT_LANGUAGE:
        base.update(_read(folder / "lang" / f"{used}.toml"))
        base.update(catalogs.texts(folder, used))
    for key in META_KEYS:
        base.pop(key, None)
    return base


def _format(kind: str, value, pattern: str, locale: str) -> str:
    """A date or time as one unbreakable run: "5 декабря 2026" never ends a line after the 5."""
    formatter = format_date if kind == "date" else format_time
    return formatter(value, format=pattern, locale=locale).replace(" ", NO_BREAK)


def long_date(moment: datetime, tz: ZoneInfo, tag: str) -> str:
    return _format("date", moment.astimezone(tz).date(), catalog(tag)["date_long"], language(tag).locale)


def short_date(moment: datetime, tz: ZoneInfo, tag: str) -> str:
    return _format("date", moment.astimezone(tz).date(), catalog(tag)["date_short"], language(tag).locale)


def clock_time(moment: datetime, tz: ZoneInfo, tag: str) -> str:
    """`09:30`, or `9 Uhr 30` and `9 Uhr` where the language file says so (Leichte Sprache)."""
    local = moment.astimezone(tz).time()
    key = "time_on_the_hour" if local.minute == 0 else "time"
    return _format("time", local, catalog(tag)[key], language(tag).locale)


def window(start: datetime, end: datetime, tz: ZoneInfo, tag: str) -> str:
    """'am 03.12.2026', 'vom 03.12.2026 bis 05.12.2026', 'am 03.12.2026 von 08:00 bis 18:00 Uhr'
    or 'vom 03.12.2026, 08:30 Uhr bis 05.12.2026, 18:00 Uhr' (the language's `moment` joins a
    date and its time with a word or a comma, never with a bare space)."""
    texts = catalog(tag)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    whole_days = local_start.time() == time(0) and local_end.time() == time(0)
    if whole_days:
        last = local_end - timedelta(days=1)
        if last.date() == local_start.date():
            return texts["window_day"].format(date=short_date(start, tz, tag))
        return texts["window_days"].format(start=short_date(start, tz, tag), end=short_date(last, tz, tag))
    if local_start.date() == local_end.date():
        return texts["window_times"].format(
            date=short_date(start, tz, tag), start=clock_time(start, tz, tag),
            end=clock_time(end, tz, tag)).strip()
    return texts["window_span"].format(
        start=texts["moment"].format(date=short_date(start, tz, tag), time=clock_time(start, tz, tag)),
        end=texts["moment"].format(date=short_date(end, tz, tag), time=clock_time(end, tz, tag)))
