"""Backing the database up and restoring it."""

from __future__ import annotations

from pathlib import Path

import click

from .. import backup as backups
from .. import utc_now
from ..services import anchors
from .base import Context, cli, pass_ctx


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def backup(ctx: Context, out: Path) -> None:
    """Copy the whole database to OUT (mode 0600), consistent while the service keeps serving;
    the audit chain's head, taken just before (so the backup holds it), is written to OUT.anchor
    and printed: a daily backup leaves a daily anchor outside the database."""
    with ctx.db.session() as session:
        head = anchors.current(session, utc_now())
    try:
        backups.backup(ctx.settings.database, out)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    out.with_name(out.name + ".anchor").write_text(head.line() + "\n")
    click.echo(f"database backed up to {out}")
    click.echo(head.line())


@cli.command()
@click.argument("source", metavar="BACKUP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@pass_ctx
def restore(ctx: Context, source: Path, force: bool) -> None:
    """Restore a backup made by `voucher backup` into the configured database (stop serving first)."""
    try:
        backups.restore(ctx.settings.database, source, force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"database restored from {source}; run `voucher migrate` if this release is newer than the backup")
