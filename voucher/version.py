"""The version, from the installed package's metadata (pyproject.toml is its only source)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("voucher")
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"
