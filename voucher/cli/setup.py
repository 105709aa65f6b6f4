"""Setting up and running a deployment: database, demo data, retention, the server."""

from __future__ import annotations

import click

from .. import utc_now
from ..services import clients
from .base import CLI_ACTOR, Context, cli, pass_ctx
from .keys import log_new_key


@cli.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, a development key if none exists, and one token per role."""
    ctx.db.upgrade()
    now = utc_now()
    key = ctx.keystore.init(ctx.settings.issuer, now, ctx.settings.key_lifetime)
    if key is not None:
        log_new_key(ctx, key, "key_create", now)
        click.echo(f"created signing key {key.kid}{' (development)' if key.development else ''}", err=True)
    with ctx.db.session() as session:
        tokens = [(role, clients.create_token(session, role, f"init-{role}", utc_now())) for role in clients.ROLES]
        session.commit()
    for role, token in tokens:
        click.echo(f"{role} {token}")


@cli.command()
@pass_ctx
def migrate(ctx: Context) -> None:
    """Bring the database schema up to date (run once per deployment, before the new code serves)."""
    ctx.db.upgrade()
    click.echo("database schema is up to date")


@cli.command()
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
@pass_ctx
def demo(ctx: Context, base_url: str) -> None:
    """Set up a demo: database, development key, a lived-in month, people and their passwords."""
    from ..demo import seed

    ctx.db.upgrade()
    with ctx.db.session() as session:
        click.echo(seed(session, ctx.keystore, ctx.settings, base_url, utc_now()))


@cli.command()
@click.option("--days", type=int, default=None,
              help="Keep personal data this many days after validity ends (default VOUCHER_RETENTION_DAYS, 180).")
@pass_ctx
def retention(ctx: Context, days: int | None) -> None:
    """Erase holder names and customer references of closed vouchers; figures stay."""
    from datetime import timedelta

    from ..services.retention import anonymize_closed

    keep = timedelta(days=days) if days is not None else ctx.settings.retention
    if keep.days < 0:
        raise click.BadParameter("--days cannot be negative")
    with ctx.db.session() as session:
        count = anonymize_closed(session, keep, CLI_ACTOR, utc_now())
    click.echo(f"{count} vouchers anonymized")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=1, show_default=True, type=int,
              help="Threads per worker (more only when the database is far away).")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API and pages with gunicorn (voucher/gunicorn_conf.py)."""
    from ..config import from_environment
    from ..serving import run

    from_environment()  # a bad variable is refused here in one line, before gunicorn starts
    run(host, port, workers, threads)
