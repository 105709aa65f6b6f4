"""`voucher config`: the effective configuration, checked, and the README's table of settings."""

from __future__ import annotations

import click

from .. import config
from .base import cli


@cli.group("config")
def config_group() -> None:
    """Check the configuration read from the environment."""


@config_group.command()
def check() -> None:
    """Print every setting's effective value (secrets masked); exit 1 on an unknown or
    out-of-range VOUCHER_* variable."""
    settings = config.from_environment()  # a refusal is one line on stderr and exit 1 (base.main)
    width = max(len(name) for name, _ in config.effective(settings))
    for name, value in config.effective(settings):
        click.echo(f"{name.ljust(width)}  {value}")


@config_group.command()
def table() -> None:
    """Print the README's configuration table (Markdown), generated from the settings model."""
    click.echo(config.table(), nl=False)
