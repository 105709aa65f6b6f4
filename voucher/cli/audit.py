"""Checking the audit log's hash chain."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import utc_now
from ..services import anchors, audit
from .base import Context, cli, pass_ctx


@cli.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@click.option("--anchor", "anchor_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file of anchor lines (`voucher audit anchor`): the log must still reach and match each.")
@pass_ctx
def verify(ctx: Context, anchor_file: Path | None) -> None:
    """Check the hash chain: exit 0 when it holds, 1 at the first broken link (printed)."""
    kept = anchors.parse(anchor_file.read_text(errors="replace")) if anchor_file else []
    if anchor_file and not kept:
        raise click.UsageError(f"{anchor_file} holds no line 'audit-anchor seq=N hash=H'")
    with ctx.db.session() as session:
        verdict = audit.verify(session)
        problem = None if verdict.broken else anchors.check(session, kept, verdict.events)
    if verdict.broken:
        click.echo(f"audit log BROKEN at {verdict.broken} ({verdict.events} events before it intact)")
        sys.exit(1)
    if problem:
        click.echo(f"audit log BROKEN: {problem}")
        sys.exit(1)
    checked = f", {len(kept)} anchors matched" if kept else ""
    click.echo(f"audit log intact: {verdict.events} events, head hash {verdict.head}{checked}")


@audit_group.command("anchor")
@pass_ctx
def anchor(ctx: Context) -> None:
    """Print the chain's head as one line to keep outside the database (a log, a ticket, a
    timestamp service); `voucher audit verify --anchor FILE` checks the log still reaches it."""
    with ctx.db.session() as session:
        click.echo(anchors.current(session, utc_now()).line())
