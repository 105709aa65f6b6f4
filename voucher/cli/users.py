"""People's accounts for the staff pages: `voucher users create|disable|unlock|list`."""

from __future__ import annotations

import getpass
import sys

import click

from .. import utc_now
from ..services import audit, lockouts, users
from ..timefmt import format_instant
from .base import CLI_ACTOR, Context, cli, pass_ctx


@cli.group("users")
def users_group() -> None:
    """People who sign in to the staff pages (machines use `voucher tokens`)."""


def _read_password() -> str:
    """Asked twice without echo on a terminal; else two lines on stdin (for scripts)."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password again: ")
    else:
        first, second = sys.stdin.readline(), sys.stdin.readline()
        if not second:
            raise ValueError("give the password twice on stdin, one per line")
        first, second = first.rstrip("\r\n"), second.rstrip("\r\n")
    if first != second:
        raise ValueError("the two passwords differ; nothing was created")
    users.check_password(first)
    return first


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(users.ROLES), help="What the person may use.")
@click.option("--sso-only", is_flag=True,
              help="No password: the person signs in only through the reverse proxy (VOUCHER_TRUSTED_USER_HEADER).")
@pass_ctx
def create(ctx: Context, name: str, role: str, sso_only: bool) -> None:
    """Create a person's account; the password is prompted twice, or read from stdin as two lines."""
    with ctx.db.session() as session:
        users.ensure_free(session, name)  # before asking for a password that could not be used
        password = None if sso_only else _read_password()
        user = users.create(session, name, role, password, utc_now())
        session.commit()
    click.echo(f"created {user.name} ({user.role})")


@users_group.command("disable")
@click.argument("name")
@pass_ctx
def disable(ctx: Context, name: str) -> None:
    """The person can no longer sign in, and is signed out everywhere at once."""
    with ctx.db.session() as session:
        user = users.disable(session, name, utc_now())
        session.commit()
    click.echo(f"{user.name} disabled")


@users_group.command("unlock")
@click.argument("name")
@pass_ctx
def unlock(ctx: Context, name: str) -> None:
    """Forget the failed sign-ins counted for a name, so a locked person can sign in again now."""
    name = users.normalize_name(name)
    with ctx.db.session() as session:
        forgotten = lockouts.unlock(session, name)
        audit.record(session, CLI_ACTOR, "sign_in_unlock", utc_now(), name=name, failures=forgotten)
        session.commit()
    click.echo(f"{name} unlocked ({forgotten} failed sign-ins forgotten)")


@users_group.command("list")
@pass_ctx
def list_users(ctx: Context) -> None:
    """One line per account: name, role, since when disabled (if so), sign-in kind."""
    with ctx.db.session() as session:
        for user in users.everyone(session):
            state = f"disabled {format_instant(user.disabled_at)}" if user.disabled_at else "active"
            kind = "password" if user.password_hash else "sso-only"
            click.echo(f"{user.name}\t{user.role}\t{state}\t{kind}")
