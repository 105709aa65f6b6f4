"""Letter texts from templates/letters (office.toml, lang/<code>.toml), and how dates read.

A language is added by adding a file to templates/letters/lang/; nothing here changes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from .. import TEMPLATES

LETTERS = TEMPLATES / "letters"
DEFAULT_LANGUAGE = "de"


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
    logo: str = ""

    @property
    def logo_path(self) -> Path | None:
        return LETTERS / self.logo if self.logo else None


@cache
def office(folder: Path = LETTERS) -> Office:
    return Office(**tomllib.loads((folder / "office.toml").read_text(encoding="utf-8")))


@cache
def languages(folder: Path = LETTERS) -> frozenset[str]:
    return frozenset(p.stem for p in (folder / "lang").glob("*.toml"))


@cache
def catalog(language: str, folder: Path = LETTERS) -> dict:
    """The texts for a language; a language without a file falls back to German, key by key."""
    base = tomllib.loads((folder / "lang" / f"{DEFAULT_LANGUAGE}.toml").read_text(encoding="utf-8"))
    path = folder / "lang" / f"{language}.toml"
    if language != DEFAULT_LANGUAGE and path.exists():
        base.update(tomllib.loads(path.read_text(encoding="utf-8")))
    return base


def long_date(moment: datetime, tz: ZoneInfo, language: str) -> str:
    return format_date(moment.astimezone(tz).date(), format="full", locale=language)


def short_date(moment: datetime, tz: ZoneInfo, language: str) -> str:
    return format_date(moment.astimezone(tz).date(), format="medium", locale=language)


def clock_time(moment: datetime, tz: ZoneInfo, language: str) -> str:
    return format_time(moment.astimezone(tz).time(), format="short", locale=language)


def window(start: datetime, end: datetime, tz: ZoneInfo, language: str) -> str:
    """'am 03.12.2026', 'vom 03.12.2026 bis 05.12.2026' or 'am 03.12.2026 von 08:00 bis 18:00'."""
    texts = catalog(language)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    whole_days = local_start.time() == time(0) and local_end.time() == time(0)
    if whole_days:
        last = local_end - timedelta(days=1)
        if last.date() == local_start.date():
            return texts["window_day"].format(date=short_date(start, tz, language))
        return texts["window_days"].format(
            start=short_date(start, tz, language), end=short_date(last, tz, language))
    if local_start.date() == local_end.date():
        return texts["window_times"].format(
            date=short_date(start, tz, language), start=clock_time(start, tz, language),
            end=clock_time(end, tz, language)).strip()
    return texts["window_span"].format(
        start=f"{short_date(start, tz, language)} {clock_time(start, tz, language)}",
        end=f"{short_date(end, tz, language)} {clock_time(end, tz, language)}")
