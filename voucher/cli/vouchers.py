"""Issuing, revoking and verifying single vouchers."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from .. import utc_now
from ..config import Settings
from ..keys import TrustList
from ..schemas import IssueRequest
from ..services import revocation, vouchers
from ..services.issuing import IssuingService
from ..token import format as token_format
from ..token import revlist
from .base import CLI_ACTOR, Context, cli, pass_ctx


def _issue_options(command):
    for name, kwargs in reversed([
        ("--holder-name", {"required": True}), ("--valid-from", {"required": True}),
        ("--valid-until", {"required": True}), ("--origin", {}), ("--destination", {}),
        ("--zone", {}), ("--fare-class", {"type": int}), ("--travellers", {"type": int}),
        ("--return-trip/--single", {"default": None}), ("--cost-center", {"required": True}),
        ("--max-fare-cents", {"type": int}), ("--customer-ref", {}), ("--appointment-at", {}),
        ("--appointment-place", {}), ("--external-ref", {}), ("--language", {}), ("--replaces", {}),
    ]):
        command = click.option(name, **kwargs)(command)
    return command


@cli.command()
@_issue_options
@pass_ctx
def issue(ctx: Context, **fields) -> None:
    """Issue one voucher and print it as JSON."""
    request = IssueRequest.model_validate(
        {k: v for k, v in fields.items() if v is not None}, context={"tz": ctx.settings.timezone}
    )
    with ctx.db.session() as session:
        result = IssuingService(session, ctx.keystore, ctx.settings).issue(request, CLI_ACTOR, utc_now())
        voucher = result.voucher
        assert voucher is not None  # issue raises the error that refuses the request
        shown = {**vouchers.describe(voucher, vouchers.state(session, voucher, utc_now())), "warnings": list(result.warnings)}
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)


@cli.command()
@click.argument("voucher_id")
@click.option("--reason", required=True)
@pass_ctx
def revoke(ctx: Context, voucher_id: str, reason: str) -> None:
    """Revoke a voucher (again is harmless)."""
    with ctx.db.session() as session:
        voucher = vouchers.get(session, voucher_id)
        entry = revocation.revoke(session, voucher.id, reason, CLI_ACTOR, utc_now())
        session.commit()
        click.echo(f"{voucher.id} revoked (sequence {entry.seq})")


@cli.command()
@click.argument("code_or_image")
@click.option("--trust", "trust_file", type=click.Path(dir_okay=False), help="Trust list JSON (default: the keys folder's).")
@click.option("--revocations", "revocations_file", type=click.Path(dir_okay=False), help="A signed revocation list as served by the API.")
@click.option("--at", "at", help="Verify as of this ISO 8601 moment instead of now.")
@pass_ctx
def verify(ctx: Context, code_or_image: str, trust_file: str | None, revocations_file: str | None, at: str | None) -> None:
    """Verify a code or a QR image offline. Exit 0 valid, 1 invalid, 2 usage error."""
    try:
        trust = TrustList.load(Path(trust_file)) if trust_file else ctx.keystore.trust_list().published()
        revoked = revlist.verified_ids(json.loads(Path(revocations_file).read_text()), trust) if revocations_file else set()
        moment = _moment(at, ctx.settings) if at else utc_now()
        code = _read_code(Path(code_or_image)) if _is_image_path(code_or_image) else code_or_image
    except (ValueError, OSError) as exc:
        raise click.UsageError(str(exc)) from None
    try:
        result = token_format.verify(code, trust, moment, revoked)
    except token_format.InvalidVoucher as exc:
        click.echo(f"INVALID {exc.reason}: {exc.detail}")
        if exc.claims:
            click.echo(json.dumps(exc.claims.to_json(), ensure_ascii=False, indent=2))
        sys.exit(1)
    click.echo("VALID" + (" (development key: not valid for travel)" if result.key.development else ""))
    click.echo(json.dumps(result.claims.to_json(), ensure_ascii=False, indent=2))


def _moment(text: str, settings: Settings) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.timezone)


def _is_image_path(argument: str) -> bool:
    """A voucher code is read as a code, even where it could name a file: a JV1 code has no
    business on disk, and one may hold runs too long for a file name (OSError on is_file)."""
    if argument.startswith(token_format.PREFIX):
        return False
    try:
        return Path(argument).is_file()
    except (OSError, ValueError):
        return False


def _read_code(path: Path) -> str:
    """The first QR code in an image file, as text."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(path)
        image.load()
    except UnidentifiedImageError:
        raise ValueError(f"{path} is not an image") from None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    if not found:
        raise ValueError(f"no QR code found in {path}")
    return found[0].text
