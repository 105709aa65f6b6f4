"""Checking the audit log's hash chain."""

from __future__ import annotations

import sys

import click

from ..services import audit
from .base import Context, cli, pass_ctx


@cli.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@pass_ctx
def verify(ctx: Context) -> None:
    """Check the hash chain: exit 0 when it holds, 1 at the first broken link (printed)."""
    with ctx.db.session() as session:
        verdict = audit.verify(session)
    if verdict.broken:
        click.echo(f"audit log BROKEN at {verdict.broken} ({verdict.events} events before it intact)")
        sys.exit(1)
    click.echo(f"audit log intact: {verdict.events} events, head hash {verdict.head}")
