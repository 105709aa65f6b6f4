"""Finance: reconciliation (operator invoices are in api/invoices.py)."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, Response, request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import context, tables
from ..schemas import Day
from ..services import finance
from .auth import requires

MAX_DAYS = 366


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: Day = Field(alias="from")
    last: Day = Field(alias="to")
    format: Literal["json", "csv"] = "json"
    table: Literal["totals", "by_cost_center", "by_day", "by_fare_class", "flags"] | None = None
    decimal: Literal["point", "comma"] = "point"

    @model_validator(mode="after")
    def _range(self) -> ReportQuery:
        if self.last < self.first:
            raise ValueError("'to' must not be before 'from'")
        if (self.last - self.first).days >= MAX_DAYS:
            raise ValueError(f"a report covers at most {MAX_DAYS} days")
        return self


def csv_response(data: dict[str, list[dict]], decimal: str, filename: str) -> Response:
    return Response(tables.to_csv(data, decimal == "comma"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@requires("finance")
def reconciliation():
    query = ReportQuery.model_validate(request.args.to_dict())
    period = finance.Period(query.first, query.last, context.services().settings.timezone)
    report = finance.reconcile(context.session(), period, context.now())
    if query.format == "json":
        return report
    sections = {"totals": [report["totals"]], **{k: report[k] for k in ("by_cost_center", "by_day", "by_fare_class", "flags")}}
    if query.table:
        sections = {query.table: sections[query.table]}
    return csv_response(sections, query.decimal, f"reconciliation-{query.first}-{query.last}.csv")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/reconciliation", view_func=reconciliation)
