"""The fare table: import a price list, list what is stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import tables, utc_now
from .base import CLI_ACTOR, Context, cli, pass_ctx


@cli.group("fares")
def fares_group() -> None:
    """Prices per zone or route and fare class, used where a voucher has no maximum fare."""


@fares_group.command("import")
@click.argument("fares_csv", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def fares_import(ctx: Context, fares_csv: str) -> None:
    """Replace or add the prices in FARES_CSV (a row with the same zone or route, class and
    valid_from replaces the stored one). One bad row and nothing is changed."""
    from ..services import fares
    from ..tabular import read_text

    rows, errors = fares.parse_csv(read_text(Path(fares_csv).read_bytes()))  # German Excel's CSV too
    with ctx.db.session() as session:
        counts, refused = fares.save(session, ctx.settings.office_code, rows, CLI_ACTOR, utc_now())
        errors = sorted(errors + refused, key=lambda e: e.line)
        if errors:
            for error in errors:
                click.echo(f"voucher: {error}", err=True)
            click.echo(f"voucher: {len(errors)} bad row(s); the fare table was not changed", err=True)
            sys.exit(1)
        session.commit()
    click.echo(f"{counts['added']} added, {counts['replaced']} replaced")


@fares_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="csv is the import format, so a list can be edited and imported again.")
@pass_ctx
def fares_list(ctx: Context, fmt: str) -> None:
    """Print the office's fare table."""
    from ..services import fares

    with ctx.db.session() as session:
        rows = fares.listing(session, ctx.settings.office_code)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif rows:
        click.echo(tables.to_csv({"fares": rows}).lstrip("\ufeff"), nl=False)
    else:
        click.echo(",".join(fares.COLUMNS))
