"""Letter texts from voucher/templates/letters (office.toml, lang/<tag>.toml), and how dates read.

A language is added by adding a file to voucher/templates/letters/lang/; nothing here changes. A
language file holds its review status (`review`, `reviewed_by`), its names (`name` in the
language itself, `name_de` in German) and every text key of de.toml. The office's own texts
(signature, default place ...) are German in office.toml, with per-language overrides in its
`[translations.<tag>]` tables; whatever a language does not override stays German.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

from .. import TEMPLATES, langtag

LETTERS = TEMPLATES / "letters"
DEFAULT_LANGUAGE = "de"
META_KEYS = ("review", "reviewed_by", "name", "name_de")


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
    data = _read(folder / "lang" / f"{resolve(tag, folder)}.toml")
    locale = resolve(tag, folder).split("-")[0]
    return Language(
        tag=resolve(tag, folder), name=data["name"], name_de=data["name_de"], review=data["review"],
        reviewed_by=data["reviewed_by"], rtl=Locale.parse(locale).text_direction == "rtl", locale=locale,
    )


@cache
def catalog(tag: str, folder: Path = LETTERS) -> dict:
    """The texts for a language; a language without a file falls back to German, key by key."""
    base = _read(folder / "lang" / f"{DEFAULT_LANGUAGE}.toml")
    used = resolve(tag, folder)
    if used != DEFAULT_LANGUAGE:
        base.update(_read(folder / "lang" / f"{used}.toml"))
    for key in META_KEYS:
        base.pop(key, None)
    return base


def _format(kind: str, value, pattern: str, locale: str) -> str:
    formatter = format_date if kind == "date" else format_time
    return formatter(value, format=pattern, locale=locale)


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
    """'am 03.12.2026', 'vom 03.12.2026 bis 05.12.2026' or 'am 03.12.2026 von 08:00 bis 18:00'."""
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
        start=f"{short_date(start, tz, tag)} {clock_time(start, tz, tag)}",
        end=f"{short_date(end, tz, tag)} {clock_time(end, tz, tag)}")
