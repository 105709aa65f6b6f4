"""The staff pages' words in German and English, from gettext catalogues (catalogue.py) served
through Flask-Babel. The language is the one the person chose (kept in the session), else the
browser's preference, else German."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel.dates import format_date, format_datetime, format_time
from babel.support import NullTranslations
from flask import Flask, request, session
from flask_babel import Babel, Domain, get_domain

from .. import context
from ..money import format_euros
from . import catalogue

LANGUAGES = ("de", "en")
LOCALES = {"de": "de_DE", "en": "en_GB"}
_SHORT_DAY = {"de": "dd.MM.", "en": "d MMM"}
_MOMENT = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}


def language() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


class _Catalogues(Domain):
    """The staff catalogues, compiled in memory once: no .mo files to build or to go stale."""

    def __init__(self) -> None:
        super().__init__(domain=catalogue.DOMAIN)
        self.german = catalogue.german()
        self.compiled = catalogue.translations()

    def get_translations(self) -> NullTranslations:
        return self.compiled.get(language(), _SOURCE)


_SOURCE = NullTranslations()  # German: the msgids themselves


@cache
def _catalogues() -> _Catalogues:
    return _Catalogues()


def t(key: str, **values) -> str:
    """The word for `key` in the page's language; `{name}` placeholders filled from `values`. An
    unknown key is a KeyError, as a typo in a template should be."""
    text = get_domain().pgettext(key, _catalogues().german[key])
    return text.format(**values) if values else text


def t_or(fallback: str, key: str, **values) -> str:
    """Like t, for keys made from data (a flag, an outcome): unknown ones show `fallback`."""
    return t(key, **values) if key in _catalogues().german else fallback


def either(german: str, english: str) -> str:
    """Text that comes in both languages from elsewhere (a refusal, a flag's sentence)."""
    return english if language() == "en" else german


def day(moment: datetime | date, form: str = "medium") -> str:
    """A calendar day as the person reads it: 03.12.2026 / 3 Dec 2026 (`form="short"` for chart
    labels: 03.12. / 3 Dec)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(context.services().settings.timezone).date()
    pattern = _SHORT_DAY[language()] if form == "short" else form
    return format_date(moment, format=pattern, locale=LOCALES[language()])


def euros(cents: int, symbol: bool = True, whole: bool = False) -> str:
    """Money in the page's language (money.format_euros): 1.234,50 € / €1,234.50."""
    return format_euros(cents, LOCALES[language()], symbol, whole)


def moment(value: datetime) -> str:
    """Day and time in the office's time zone."""
    return format_datetime(value, _MOMENT[language()], tzinfo=context.services().settings.timezone,
                           locale=LOCALES[language()])


def clock_time(value: datetime) -> str:
    """The time of day in the office's time zone: 09:24."""
    return format_time(value, "HH:mm", tzinfo=context.services().settings.timezone, locale=LOCALES[language()])


def init_app(app: Flask) -> None:
    babel = Babel(app, locale_selector=language, default_domain=catalogue.DOMAIN, configure_jinja=False)
    babel.domain_instance = _catalogues()  # Flask-Babel's default domain reads .mo files from disk
    app.jinja_env.globals.update(t=t, lang=language, day=day, moment=moment, clock_time=clock_time, euros=euros,
                                 either=either)
