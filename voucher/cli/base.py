"""The `voucher` command group, its shared context, and how it fails: bad input ends with one
line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
import sys

import click
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from ..config import Settings, from_environment
from ..db import Database
from ..keys import KeyStore, KeyStoreError
from ..schemas import error_summary
from ..services.errors import ServiceError

CLI_ACTOR = "cli"


class Context:
    """Settings and handles, made lazily so `voucher --help` needs no database."""

    def __init__(self) -> None:
        self._db: Database | None = None

    @functools.cached_property
    def settings(self) -> Settings:
        """Read on first use, so `voucher config check` can report a bad variable itself."""
        return from_environment()

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
@click.version_option(package_name="voucher", prog_name="voucher")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Signed QR travel vouchers: issue, verify, revoke, reconcile."""
    ctx.obj = Context()


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
