"""The staff pages' words in German and English. The language is the one the person chose
(kept in the session), else the browser's preference, else German."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_datetime
from flask import Flask, request, session

from .. import context
from .words import WORDS

LANGUAGES = ("de", "en")
_LOCALES = {"de": "de_DE", "en": "en_GB"}
_MOMENT = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}


def language() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def t(key: str, **values) -> str:
    """The word for `key` in the page's language; `{name}` placeholders filled from `values`."""
    german, english = WORDS[key]
    text = english if language() == "en" else german
    return text.format(**values) if values else text


def t_or(fallback: str, key: str, **values) -> str:
    """Like t, for keys made from data (a flag, an outcome): unknown ones show `fallback`."""
    return t(key, **values) if key in WORDS else fallback


def day(moment: datetime) -> str:
    """A calendar day as the person reads it: 03.12.2026 / 3 Dec 2026."""
    local = moment.astimezone(context.services().settings.timezone)
    return format_date(local.date(), format="medium", locale=_LOCALES[language()])


def moment(value: datetime) -> str:
    """Day and time in the office's time zone."""
    return format_datetime(value, _MOMENT[language()], tzinfo=context.services().settings.timezone,
                           locale=_LOCALES[language()])


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, lang=language, day=day, moment=moment)
