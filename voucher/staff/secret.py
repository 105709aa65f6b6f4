"""The key that signs session cookies and CSRF tokens (Flask's SECRET_KEY): its own setting,
VOUCHER_SECRET_KEY, never derived from any other secret. When unset, a random key is made once
in the data folder (mode 0600) and read from there: several hosts must then share that file or
set the same VOUCHER_SECRET_KEY, or a cookie from one host is refused by the next."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_NAME = "secret_key"


def secret_key(configured: str | None, data_dir: Path) -> str:
    if configured:
        return configured
    path = data_dir / FILE_NAME
    if not path.exists():
        _create(path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable key: remove it to make a new one, or set VOUCHER_SECRET_KEY")
    return key


def _create(path: Path) -> None:
    """Written to a temporary file, then linked into place: workers starting together agree on
    one key, and none ever reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another worker was first: use its key
    finally:
        temporary.unlink()
