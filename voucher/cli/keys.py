"""Signing keys, the trust list, and API tokens."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import utc_now
from ..services import clients
from .base import Context, cli, pass_ctx

ENROL_PREFIX = "JVENROL:"  # a QR the verifier page reads as device settings (verifier/static/app.js)


@cli.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice(clients.ROLES))
@click.option("--name", default=None, help="Who holds the token (shown in the audit log).")
@click.option("--enrol-qr", type=click.Path(dir_okay=False), help="Also write a PNG QR that sets up a verifier device with this token.")
@click.option("--location", default=None, help="With --enrol-qr: the place label the device starts with.")
@pass_ctx
def tokens_create(ctx: Context, role: str, name: str | None, enrol_qr: str | None, location: str | None) -> None:
    """Print a new token alone on stdout."""
    if enrol_qr and role != "verifier":
        # A set-up code puts its token on a device in a bus or at a desk: never more than a verifier's.
        raise click.UsageError(f"--enrol-qr makes set-up codes for verifier devices only, not for role {role}")
    with ctx.db.session() as session:
        token = clients.create_token(session, role, name or role, utc_now())
        session.commit()
    if enrol_qr:
        from .. import qr

        settings = {"token": token, **({"location": location} if location else {})}
        Path(enrol_qr).write_bytes(qr.png(ENROL_PREFIX + json.dumps(settings, separators=(",", ":"))))
    click.echo(token)


@cli.group()
def keys() -> None:
    """Signing keys and the trust list."""


@keys.command("init")
@pass_ctx
def keys_init(ctx: Context) -> None:
    """Make the first signing key (a development key without VOUCHER_KEY_PASSPHRASE)."""
    key = ctx.keystore.init(ctx.settings.issuer, utc_now(), ctx.settings.key_lifetime)
    click.echo(f"key {key.kid} created" if key else "a key exists already; use 'voucher keys rotate'")


@keys.command("rotate")
@pass_ctx
def keys_rotate(ctx: Context) -> None:
    """Make a new signing key; older keys keep verifying until their not_after."""
    key = ctx.keystore.rotate(ctx.settings.issuer, utc_now(), ctx.settings.key_lifetime)
    click.echo(f"key {key.kid} now signs")


@keys.command("list")
@pass_ctx
def keys_list(ctx: Context) -> None:
    """One line per key: kid, not_before, not_after, issuer."""
    for key in ctx.keystore.trust_list().to_json()["keys"]:
        click.echo(f"{key['kid']}  {key['not_before']}  {key['not_after']}  {key['issuer']}")


@keys.command("export-trust")
@pass_ctx
def keys_export_trust(ctx: Context) -> None:
    """Print the trust list JSON."""
    click.echo(json.dumps(ctx.keystore.trust_list().to_json(), indent=2))
