"""Finance: operator invoices."""

from __future__ import annotations

import json
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import click

from .. import utc_now
from .base import CLI_ACTOR, Context, cli, pass_ctx


@cli.group("finance")
def finance_group() -> None:
    """Reconciliation and operator invoices."""


@finance_group.command("match")
@click.argument("invoice_csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--decimal-comma", is_flag=True,
              help="German Excel's CSV: German names and words, ';', euros with a decimal comma, local times.")
@click.option("--operator", help="The transit operator who sent the invoice (stored with it).")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day of the invoice's period.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the invoice's period.")
@pass_ctx
def finance_match(ctx: Context, invoice_csv: str, fmt: str, decimal_comma: bool, operator: str | None,
                  first, last) -> None:
    """Match the operator's invoice against recorded journeys, store it, and print the report.

    The same file a second time prints the stored report and changes nothing."""
    from .. import invoice_csv as reader
    from ..schemas import InvoiceOptions
    from ..services import invoices

    options = InvoiceOptions.model_validate({"operator": operator, "from": first and first.date(),
                                           "to": last and last.date()})
    now, tz = utc_now(), ctx.settings.timezone
    with open(invoice_csv, "rb") as source:
        upload = reader.read(source, now.astimezone(tz).date(), options.period)
    with ctx.db.session() as session:
        _show(invoices.submit(session, upload, options.operator, CLI_ACTOR, now, tz), fmt, decimal_comma, tz)


@finance_group.command("invoices")
@click.argument("invoice_id", type=int, required=False)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--decimal-comma", is_flag=True, help="CSV with ';' and euros with a decimal comma.")
@pass_ctx
def finance_invoices(ctx: Context, invoice_id: int | None, limit: int, fmt: str, decimal_comma: bool) -> None:
    """List stored invoices (newest first), or print the stored report of one."""
    from .. import tables
    from ..services import invoices

    with ctx.db.session() as session:
        if invoice_id is not None:
            _show(invoices.report(session, invoice_id), fmt, decimal_comma, ctx.settings.timezone, quiet=True)
            return
        listed = invoices.listing(session, limit)
    if fmt == "csv":
        click.echo(tables.to_csv({"invoices": listed}, decimal_comma), nl=False)
    else:
        click.echo(json.dumps(listed, indent=2, ensure_ascii=False))


def _show(report: Mapping, fmt: str, decimal_comma: bool, tz: ZoneInfo, quiet: bool = False) -> None:
    """The report on stdout (the CSV with --decimal-comma in German, as the page's; the JSON
    with an entry per line), written as it is read; refused lines and a duplicate's note also
    on stderr."""
    from .. import tables
    from ..services import invoice_export, invoice_report

    if not quiet:
        if "note" in report:
            click.echo(report["note"], err=True)
        for entry in report["rejected_lines"]:
            click.echo(f"line {entry['line']}: {entry['error']}", err=True)
    if fmt == "csv":
        data, words = invoice_export.export(report, decimal_comma, tz)
        pieces = tables.iter_csv(data, decimal_comma, words)
    else:
        pieces = invoice_report.json_text(report, ensure_ascii=False)
    for piece in pieces:
        click.echo(piece, nl=False)
