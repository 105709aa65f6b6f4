"""Finance: reconciliation (report, paged flags, one voucher's journeys); operator invoices are
in api/invoices.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, get_args

from flask import Blueprint, Response, request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest

from .. import context, tables, tabular
from ..access import log_download
from ..schemas import Day
from ..services import finance, flags
from .auth import requires

MAX_DAYS = 366


class PeriodQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: Day = Field(alias="from")
    last: Day = Field(alias="to")

    @model_validator(mode="after")
    def _range(self) -> PeriodQuery:
        if self.last < self.first:
            raise ValueError("'to' must not be before 'from'")
        if (self.last - self.first).days >= MAX_DAYS:
            raise ValueError(f"a report covers at most {MAX_DAYS} days")
        return self

    def period(self) -> finance.Period:
        return finance.Period(self.first, self.last, context.services().settings.timezone)


Table = Literal["totals", "by_cost_center", "by_day", "by_fare_class", "attendance", "flags"]
TABLES: tuple[Table, ...] = get_args(Table)


class ReportQuery(PeriodQuery):
    format: Literal["json", "csv"] = "json"
    table: Table | None = None
    decimal: Literal["point", "comma"] = "point"


class FlagsQuery(PeriodQuery):
    limit: int = Field(default=finance.FLAGS_PAGE, ge=1, le=1000)
    cursor: str | None = Field(default=None, max_length=200)


def csv_response(data: dict[str, Iterable[dict]], decimal: str, filename: str, session: Session | None = None,
                 words: Mapping[str, str] | None = None) -> Response:
    """Streamed: rows still being read from `session` are written as they come; the session is
    closed when the download ends (or is broken off). `words`: see tables.iter_csv."""
    def lines():
        try:
            yield from tables.iter_csv(data, decimal == "comma", words)
        finally:
            if session is not None:
                session.close()

    response = Response(lines(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    if session is not None:
        response.call_on_close(session.close)
    return response


def reconciliation_csv(period: finance.Period, table: str | None, decimal: str) -> Response:
    """The report's tables (or one) as a streamed CSV download; the finance page's too. With the
    decimal comma, German Excel's, in German (services/german_csv.py); else the machine-readable one."""
    log_download("csv_export", report="reconciliation", first=period.first.isoformat(), last=period.last.isoformat(),
                 table=table)
    session = context.keep_session()
    try:
        sections = finance.sections(session, period, context.now(), table)
    except BaseException:
        session.close()
        raise
    data, words = finance.GERMAN_CSV.export(sections, decimal == "comma", period.tz)
    return csv_response(data, decimal, f"reconciliation-{period.first}-{period.last}.csv", session, words)


@requires("finance")
def reconciliation():
    query = ReportQuery.model_validate(request.args.to_dict())
    if query.format == "json":
        return finance.reconcile(context.session(), query.period(), context.now())
    return reconciliation_csv(query.period(), query.table, query.decimal)


@requires("finance")
def reconciliation_flags():
    query = FlagsQuery.model_validate(request.args.to_dict())
    page, following = flags.page(context.session(), query.period(), query.limit, query.cursor)
    return {"from": query.first.isoformat(), "to": query.last.isoformat(), "flags": page, "next": following}


@requires("finance")
def reconciliation_voucher(voucher_id: str):
    return finance.voucher_detail(context.session(), voucher_id, context.services().settings.timezone, context.now())


def read_csv_body(parse, what: str):
    """The request body (CSV in any encoding tabular.read_text reads) through `parse`; what it
    cannot read is a 400 saying why."""
    try:
        return parse(tabular.read_text(request.get_data()))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/reconciliation", view_func=reconciliation)
    bp.add_url_rule("/reconciliation/flags", view_func=reconciliation_flags)
    bp.add_url_rule("/reconciliation/vouchers/<voucher_id>", view_func=reconciliation_voucher)
