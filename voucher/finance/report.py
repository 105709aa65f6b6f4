"""Reconciliation for finance: the period's figures with a chart of every day, the flags a page
at a time, one voucher's journeys, and the CSV download of any table."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import wraps
from types import SimpleNamespace

from flask import render_template, request

from .. import context
from ..api.finance import TABLES, reconciliation_csv
from ..services import finance, flags
from ..services.errors import Rejected
from ..staff.auth import page_for
from ..staff.i18n import day, euros, t
from . import bp, chart, period

CHARTED = ("redeemed", "owed_cents")
FLAGS_PER_PAGE = 50
FLAGS_ON_OVERVIEW = 10


def _period_page(template: str, chosen: period.Chosen, status: int = 200, **values):
    return render_template(template, chosen=chosen, presets=period.presets(period.today()),
                           columns=finance.COLUMNS, **values), status


def with_period(template: str):
    """The view gets the period asked for; one that cannot be read shows `template` saying why (400)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            chosen = period.chosen(request.args)
            if chosen.period is None:
                return _period_page(template, chosen, 400)
            return view(chosen, *args, **kwargs)

        return wrapped

    return decorate


def _period(chosen: period.Chosen) -> finance.Period:
    """The period of a page under with_period (which answers a missing one itself) or of one that
    checked it is there."""
    assert chosen.period is not None
    return chosen.period


def _span(chosen: period.Chosen) -> str:
    return t("period_span", first=day(_period(chosen).first), last=day(_period(chosen).last))


def _every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _chart(key: str, days: list[date], values: list[int]) -> chart.Chart:
    money = key == "owed_cents"
    what, text = t("chart_" + key), euros if money else str
    first, last = day(days[0]), day(days[-1])
    total = sum(values)
    if total:
        top = max(values)
        summary = t("chart_summary", what=what, first=first, last=last, total=text(total), top=text(top),
                    top_day=day(days[values.index(top)]))
    else:
        summary = t("chart_empty", what=what, first=first, last=last)
    steps = (lambda cents: euros(cents, whole=True)) if money else str
    return chart.daily(key, days, values, text, steps, day, lambda d: day(d, "short"), summary)


@bp.get("/")
@page_for("finance")
@with_period("finance/overview.html")
def overview(chosen: period.Chosen):
    report = finance.reconcile(context.session(), _period(chosen), context.now())
    days = _every_day(_period(chosen).first, _period(chosen).last)
    by_day = {row["date"]: row for row in report["by_day"]}
    rows = [{"date": d, **{c: by_day.get(d.isoformat(), {}).get(c, 0) for c in finance.COLUMNS}} for d in days]
    charts = [_chart(key, days, [row[key] for row in rows]) for key in CHARTED]
    return _period_page("finance/overview.html", chosen, report=report, charts=charts, days=rows, span=_span(chosen),
                        flags=report["flags"][:FLAGS_ON_OVERVIEW], tables=TABLES, section_words=finance.SECTION_WORDS)


@bp.get("/flags")
@page_for("finance")
@with_period("finance/flags.html")
def flag_list(chosen: period.Chosen):
    given = request.args.get("offset", "0")
    offset = int(given) if given.isdigit() and len(given) < 9 else 0
    try:
        found, following = flags.page(context.session(), _period(chosen), FLAGS_PER_PAGE, request.args.get("cursor"))
    except Rejected:  # a cursor we never handed out: start from the first page
        found, following, offset = *flags.page(context.session(), _period(chosen), FLAGS_PER_PAGE), 0
    return _period_page("finance/flags.html", chosen, flags=found, following=following, offset=offset,
                        span=_span(chosen), kinds=sorted({f["kind"] for f in found}))


@bp.get("/vouchers/<voucher_id>")
@page_for("finance")
def voucher(voucher_id: str):
    chosen = period.chosen(request.args)
    settings = context.services().settings
    detail = finance.voucher_detail(context.session(), voucher_id, settings.timezone, context.now())
    found = detail["voucher"]
    if found is not None:  # the dates as the counter's words.window reads them
        found = {**found, "valid": SimpleNamespace(valid_from=datetime.fromisoformat(found["valid_from"]),
                                                   valid_until=datetime.fromisoformat(found["valid_until"]))}
    redemptions = [{**r, "at": datetime.fromisoformat(r["redeemed_at"])} for r in detail["redemptions"]]
    return render_template("finance/voucher.html", detail=detail, v=found, redemptions=redemptions,
                           back=chosen.query() if chosen.period is not None else {},
                           span=_span(chosen) if chosen.period is not None else "")


@bp.get("/report.csv")
@page_for("finance")
@with_period("finance/overview.html")
def report_csv(chosen: period.Chosen):
    table = request.args.get("table") or None
    return reconciliation_csv(_period(chosen), table if table in TABLES else None,
                              "comma" if request.args.get("decimal") == "comma" else "point")
