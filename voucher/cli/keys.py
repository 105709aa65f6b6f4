"""Signing keys, the trust list, and API tokens."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from .. import utc_now
from ..keys import Retired, TrustedKey
from ..services import audit, clients, purposes, retirement
from ..timefmt import format_instant
from .base import CLI_ACTOR, Context, cli, pass_ctx

ENROL_PREFIX = "JVENROL:"  # a QR the verifier page reads as device settings (verifier/static/app.js)


@cli.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice(clients.ROLES))
@click.option("--name", default=None, help="Who holds the token (shown in the list and the audit log; default: the role).")
@click.option("--expires", "expires_days", type=click.IntRange(1, clients.EXPIRES_MAX_DAYS), default=None,
              help="Days until the token stops working (default: never).")
@click.option("--device", default=None, help="The device it is for (a verifier's first sync names it otherwise).")
@click.option("--enrol-qr", type=click.Path(dir_okay=False),
              help="Also write a PNG QR that sets up a verifier device with this token (readable by you only).")
@click.option("--location", default=None, help="With --enrol-qr: the place label the device starts with.")
@click.option("--purpose", default=purposes.JOURNEY, type=click.Choice(purposes.PURPOSES), show_default=True,
              help="For a verifier device: what its scans mean (rides, or arrivals at the reception).")
@pass_ctx
def tokens_create(ctx: Context, role: str, name: str | None, expires_days: int | None, device: str | None,
                  enrol_qr: str | None, location: str | None, purpose: str) -> None:
    """Print a new token alone on stdout."""
    if enrol_qr and role != "verifier":
        # A set-up code puts its token on a device in a bus or at a desk: never more than a verifier's.
        raise click.UsageError(f"--enrol-qr makes set-up codes for verifier devices only, not for role {role}")
    with ctx.db.session() as session:
        token = clients.create_token(session, role, name or role, utc_now(), CLI_ACTOR, expires_days, device, purpose)
        session.commit()
    if enrol_qr:
        from .. import qr

        settings = {"token": token, **({"location": location} if location else {})}
        write_private(Path(enrol_qr), qr.png(ENROL_PREFIX + json.dumps(settings, separators=(",", ":"))))
    click.echo(token)


def write_private(path: Path, data: bytes) -> None:
    """A file that holds a secret: 0600 whatever the umask, also when it existed before."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


@tokens.command("list")
@pass_ctx
def tokens_list(ctx: Context) -> None:
    """One line per token, newest first: id, name, role, device, created, last used, expiry, state."""
    now = utc_now()
    with ctx.db.session() as session:
        rows = clients.everything(session)
    click.echo("\t".join(("id", "name", "role", "device", "created", "last_used", "expires", "state")))
    for c in rows:
        click.echo("\t".join((str(c.id), c.name, c.role, c.device or "-", format_instant(c.created_at),
                               format_instant(c.last_used_at) if c.last_used_at else "never",
                               format_instant(c.expires_at) if c.expires_at else "never", clients.state(c, now))))


@tokens.command("revoke")
@click.argument("name_or_id")
@pass_ctx
def tokens_revoke(ctx: Context, name_or_id: str) -> None:
    """The token is refused from the next request on, on every worker and host."""
    with ctx.db.session() as session:
        client = clients.find(session, name_or_id)
        changed = clients.revoke(session, client, CLI_ACTOR, utc_now())
        session.commit()
        click.echo(f"token {client.id} ({client.name}, {client.role}) " + ("revoked" if changed else "was revoked already"))


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
    now = utc_now()
    key = ctx.keystore.rotate(ctx.settings.issuer, now, ctx.settings.key_lifetime)
    log_new_key(ctx, key, "key_rotate", now)
    click.echo(f"key {key.kid} now signs")


def log_new_key(ctx: Context, key: TrustedKey, action: str, now: datetime) -> None:
    """A key that signs from now on is the audit log's business like a voucher it signs."""
    with ctx.db.session() as session:
        audit.record(session, CLI_ACTOR, action, now, kid=key.kid, development=key.development)
        session.commit()


@keys.command("list")
@pass_ctx
def keys_list(ctx: Context) -> None:
    """One line per key: kid, not_before, not_after, issuer, and when it was retired."""
    for key in ctx.keystore.trust_list().to_json()["keys"]:
        retired = f"  retired {key['retired_at']}" if "retired_at" in key else ""
        click.echo(f"{key['kid']}  {key['not_before']}  {key['not_after']}  {key['issuer']}{retired}")


@keys.command("export-trust")
@pass_ctx
def keys_export_trust(ctx: Context) -> None:
    """Print the trust list JSON."""
    document = ctx.keystore.trust_list().published_json(ctx.settings.trust_max_age, ctx.settings.timezone.key)
    click.echo(json.dumps(document, indent=2))


@keys.command("retire")
@click.argument("kid")
@click.option("--compromised", is_flag=True,
              help="Also drop the key from the trust list and re-issue every still-valid voucher it signed.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="With --compromised: the PDF of the new letters (default: the data folder).")
@pass_ctx
def keys_retire(ctx: Context, kid: str, compromised: bool, out: str | None) -> None:
    """The key signs no more; with --compromised it leaves the trust list and its vouchers are re-issued."""
    if out and not compromised:
        raise click.UsageError("--out names the new letters' PDF: it goes with --compromised")
    now = utc_now()
    with ctx.db.session() as session:
        done = retirement.retire(session, ctx.keystore, ctx.settings, kid, now, CLI_ACTOR, compromised)
        click.echo(_RETIRED[done.change].format(kid=kid))
        if done.new_key:
            click.echo(f"key {done.new_key.kid} made: it signs from now on")
        if done.change is not Retired.ALREADY_RETIRED and done.change is not Retired.ABSENT:
            click.echo("copy trust.json (and any new <kid>.pem) to every host and restart them, as after a rotation")
        if compromised:
            _report_reissue(ctx, done, kid, now, out)


_RETIRED = {
    Retired.RETIRED: "key {kid} retired: it signs no more; its vouchers verify until they end",
    Retired.ALREADY_RETIRED: "key {kid} was already retired: nothing changed",
    Retired.DROPPED: "key {kid} dropped from the trust list: verifiers refuse its codes from their next sync",
    Retired.ABSENT: "key {kid} is not in the trust list (dropped before): it signs and verifies nothing",
}


def _report_reissue(ctx: Context, done: retirement.Retirement, kid: str, now: datetime, out: str | None) -> None:
    """What was re-issued, what could not be, and the one PDF of every new letter."""
    from ..letters import batch
    from ..letters.render import Letter

    way_back = f" ({done.way_back} half-used return vouchers as a single trip back)" if done.way_back else ""
    if done.reissued:
        signer = ctx.keystore.signer(now)
        assert signer is not None  # the key the vouchers were just re-issued under
        click.echo(f"{done.reissued} vouchers re-issued under key {signer.kid}{way_back}")
    else:
        click.echo("no voucher left to re-issue")
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    for voucher_id, why in done.failed:
        click.echo(f"voucher {voucher_id} not re-issued: {why}", err=True)
    if done.letters:
        target = Path(out) if out else ctx.settings.data_dir / f"letters-key-{kid}-{now:%Y%m%dT%H%M%SZ}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        batch.save(batch.write_pdf([Letter.from_voucher(v, now, ctx.settings.retention.days) for v in done.letters], ctx.settings), target)
        earlier = len(done.letters) - done.reissued
        click.echo(f"{len(done.letters)} new letters written to {target}"
                   + (f" ({earlier} of them re-issued by an earlier run, in case its letters were not printed)"
                      if earlier > 0 else ""))
    if done.failed:
        click.echo(f"{len(done.failed)} vouchers could not be re-issued (listed above): "
                   "fix the cause and run the command again", err=True)
        sys.exit(1)
