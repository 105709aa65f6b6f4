"""Finance: operator invoices."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import utc_now
from .base import CLI_ACTOR, Context, cli, pass_ctx


@cli.group("finance")
def finance_group() -> None:
    """Reconciliation and operator invoices."""


@finance_group.command("match")
@click.argument("invoice_csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--decimal-comma", is_flag=True, help="CSV with ';' and euros with a decimal comma.")
@pass_ctx
def finance_match(ctx: Context, invoice_csv: str, fmt: str, decimal_comma: bool) -> None:
    """Match the operator's invoice against recorded journeys and print the report."""
    from .. import tables
    from ..services import audit, invoices

    lines, rejected = invoices.parse(Path(invoice_csv).read_text(encoding="utf-8-sig"))
    with ctx.db.session() as session:
        report = invoices.match(session, lines, ctx.settings.timezone)
        audit.record(session, CLI_ACTOR, "invoice_match", utc_now(), lines=len(lines), rejected=len(rejected),
                     billed_cents=report["totals"]["billed_cents"])
        session.commit()
    for entry in rejected:
        click.echo(f"line {entry['line']}: {entry['error']}", err=True)
    if fmt == "csv":
        click.echo(tables.to_csv({name: report[name] for name in invoices.LISTS}, decimal_comma), nl=False)
    else:
        click.echo(json.dumps({**report, "rejected_lines": rejected}, indent=2, ensure_ascii=False))
