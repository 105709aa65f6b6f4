"""The `voucher` command: one module per group of commands, all on the group in base.py."""

from . import audit, backups, config, fares, finance, keys, letters, setup, users, vouchers  # noqa: F401 - each registers its commands
from .base import cli, main

__all__ = ["cli", "main"]
