"""The `voucher` command. Bad input ends with one line on stderr and a non-zero exit."""

from __future__ import annotations

import functools
import json
import sys
from datetime import datetime
from pathlib import Path

import click
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from .token import format as token_format
from . import utc_now
from .token import revlist
from .config import Settings, from_environment
from .db import Database
from .keys import KeyStore, KeyStoreError, TrustList
from .schemas import IssueRequest, error_summary
from .services import clients, revocation, vouchers
from .services.errors import ServiceError
from .services.issuing import IssuingService

CLI_ACTOR = "cli"
ENROL_PREFIX = "JVENROL:"  # a QR the verifier page reads as device settings (verifier/static/app.js)


class Context:
    """Settings and handles, made lazily so `voucher --help` needs no database."""

    def __init__(self) -> None:
        self.settings: Settings = from_environment()
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(self.settings.database)
        return self._db

    @functools.cached_property
    def keystore(self) -> KeyStore:
        return KeyStore(self.settings.keys_dir, self.settings.key_passphrase)


pass_ctx = click.make_pass_decorator(Context)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Signed QR travel vouchers: issue, verify, revoke, reconcile."""
    ctx.obj = Context()


@cli.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, a development key if none exists, and one token per role."""
    ctx.db.upgrade()
    key = ctx.keystore.init(ctx.settings.issuer, utc_now(), ctx.settings.key_lifetime)
    if key is not None:
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
    """Set up a demo: database, development key, tokens, and today's demo vouchers."""
    from .demo import seed

    ctx.db.upgrade()
    ctx.keystore.init(ctx.settings.issuer, utc_now(), ctx.settings.key_lifetime)
    with ctx.db.session() as session:
        click.echo(seed(session, ctx.keystore, ctx.settings, base_url, utc_now()))


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
    with ctx.db.session() as session:
        token = clients.create_token(session, role, name or role, utc_now())
        session.commit()
    if enrol_qr:
        from . import qr

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
        voucher, _ = IssuingService(session, ctx.keystore, ctx.settings).issue(request, CLI_ACTOR, utc_now())
        click.echo(json.dumps(vouchers.describe(voucher, vouchers.status(session, voucher, utc_now())), indent=2, ensure_ascii=False))


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
        trust = TrustList.load(Path(trust_file)) if trust_file else ctx.keystore.trust_list()
        revoked = revlist.verified_ids(json.loads(Path(revocations_file).read_text()), trust) if revocations_file else set()
        moment = _moment(at, ctx.settings) if at else utc_now()
        code = _read_code(Path(code_or_image)) if Path(code_or_image).is_file() else code_or_image
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


def _read_code(path: Path) -> str:
    """The first QR code in an image file, as text."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(path)
        image.load()
    except UnidentifiedImageError:
        raise ValueError(f"{path} is not an image") from None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise ValueError(f"no QR code found in {path}")
    return found[0].text


@cli.group()
def letters() -> None:
    """Invitation letters."""


@letters.command("batch")
@click.argument("input_csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="PDF (or ZIP with --zip) to write.")
@click.option("--zip", "as_zip", is_flag=True, help="Write a ZIP of one PDF per letter.")
@pass_ctx
def letters_batch(ctx: Context, input_csv: str, out: str, as_zip: bool) -> None:
    """Issue a voucher per CSV row and render all letters; bad rows are reported, not fatal."""
    from .letters import batch

    text = Path(input_csv).read_text(encoding="utf-8-sig")
    rows = sum(1 for _ in batch.read_rows(text))
    with ctx.db.session() as session, click.progressbar(length=rows, label="Issuing", file=sys.stderr) as bar:
        result = batch.run(session, ctx.keystore, ctx.settings, text, utc_now(), progress=bar.update)
    for line, message in result.errors:
        click.echo(f"line {line}: {message}", err=True)
    if result.letters:
        data = (batch.write_zip if as_zip else batch.write_pdf)(result.letters, ctx.settings)
        target = Path(out)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(data)
        partial.replace(target)
    click.echo(
        f"{len(result.letters)} letters written to {out} ({result.reused} already issued before), "
        f"{len(result.errors)} rows rejected", err=True)
    if result.errors:
        sys.exit(1)


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
    from . import tables
    from .services import audit, invoices

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


@cli.command()
@click.option("--days", type=int, default=None, help="Keep personal data this many days after validity ends (default VOUCHER_RETENTION_DAYS, 180).")
@pass_ctx
def retention(ctx: Context, days: int | None) -> None:
    """Erase holder names and customer references of closed vouchers; figures stay."""
    from datetime import timedelta

    from .services.retention import anonymize_closed

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
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API and pages with gunicorn."""
    from .serving import run

    run(host, port, workers)


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ValidationError as exc:
        _fail(error_summary(exc))
    except (ServiceError, KeyStoreError, ValueError, OSError) as exc:
        _fail(str(getattr(exc, "detail", exc)))
    except SQLAlchemyError as exc:
        _fail(f"database error, nothing was changed: {getattr(exc, 'orig', exc)}")


def _fail(message: str) -> None:
    click.echo(f"voucher: {message}", err=True)
    sys.exit(1)
