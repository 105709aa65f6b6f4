"""The period a finance page shows: from `?from=&to=` (ISO days), or the last 30 days when none
is given, and the presets offered next to the date fields (the last 30 days, this month so far,
the two months before)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from werkzeug.datastructures import MultiDict

from .. import context
from ..api.finance import MAX_DAYS
from ..schemas import plausible
from ..services.localdays import Period
from ..staff.i18n import LOCALES, language, t

LAST_DAYS = 30


@dataclass(frozen=True)
class Preset:
    label: str
    first: date
    last: date


@dataclass(frozen=True)
class Chosen:
    """What the request asked for: the period, or why it cannot be read (in words), and the
    field values to show again either way."""

    period: Period | None
    problem: str | None
    first: str
    last: str

    def query(self) -> dict[str, str]:
        """The period as link parameters (to keep it from page to page)."""
        return {"from": self.first, "to": self.last}


def today() -> date:
    return context.now().astimezone(context.services().settings.timezone).date()


def presets(now: date) -> list[Preset]:
    """The last 30 days, this month up to today, and the two months before it."""
    chosen = [Preset(t("period_last_30"), now - timedelta(days=LAST_DAYS - 1), now)]
    month = now.replace(day=1)
    chosen.append(Preset(_month_name(month), month, now))
    for _ in range(2):
        last = month - timedelta(days=1)
        month = last.replace(day=1)
        chosen.append(Preset(_month_name(month), month, last))
    return chosen


def _month_name(first: date) -> str:
    return format_date(first, "LLLL yyyy", locale=LOCALES[language()])


def chosen(args: MultiDict | dict) -> Chosen:
    first_text, last_text = args.get("from", "").strip(), args.get("to", "").strip()
    tz = context.services().settings.timezone
    if not first_text and not last_text:
        default = presets(today())[0]
        return Chosen(Period(default.first, default.last, tz), None, default.first.isoformat(), default.last.isoformat())
    try:
        first, last = date.fromisoformat(first_text), date.fromisoformat(last_text)
    except ValueError:
        return Chosen(None, t("err_period_date"), first_text[:10], last_text[:10])
    if not (plausible(first) and plausible(last)):
        return Chosen(None, t("err_period_year"), first_text, last_text)
    if last < first:
        return Chosen(None, t("err_period_order"), first_text, last_text)
    if (last - first).days >= MAX_DAYS:
        return Chosen(None, t("err_period_long", days=MAX_DAYS), first_text, last_text)
    return Chosen(Period(first, last, tz), None, first_text, last_text)
