"""The demo's people and devices: an account per role with a password made here (never a
password written in the code), and one verifier token for the devices. They are kept in the data
folder (demo.json, mode 0600, next to the demo database), so a second run prints the same ones;
if that file is gone, new passwords are set and a new token is made."""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ..services import clients, users
from ..services.purposes import JOURNEY, RECEPTION

ACCOUNTS = (("schalter", "issuer"), ("finanzen", "finance"), ("admin", "admin"))
STATE = "demo.json"
_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0, i)


def new_password() -> str:
    """Four groups of four, easy to type from a terminal: k7qm-3xva-9tde-hu4p (71 bits)."""
    return "-".join("".join(secrets.choice(_LETTERS) for _ in range(4)) for _ in range(4))


def _load(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2)


def ensure(session: Session, data_dir: Path, now: datetime) -> tuple[dict[str, str], dict[str, str], Path]:
    """(password by account name, a verifier token per purpose, the state file); commits."""
    path = data_dir / STATE
    state = _load(path)
    stored = state.get("passwords")
    known: dict = stored if isinstance(stored, dict) else {}
    passwords = {}
    for name, role in ACCOUNTS:
        password = known.get(name)
        if users.active(session, name) is None:
            password = password or new_password()
            users.create(session, name, role, password, now)
        elif not isinstance(password, str):
            password = new_password()  # the account exists but its password was not kept
            users.set_password(session, name, password, now)
        passwords[name] = password
    tokens = {}
    for purpose, key, name in ((JOURNEY, "verifier_token", "demo-devices"), (RECEPTION, "reception_token", "demo-empfang")):
        token = state.get(key)
        if not isinstance(token, str) or clients.authenticate(session, token, now) is None:
            token = clients.create_token(session, "verifier", name, now, purpose=purpose)
        tokens[purpose] = token
    session.commit()
    _save(path, {"passwords": passwords, "verifier_token": tokens[JOURNEY], "reception_token": tokens[RECEPTION]})
    return passwords, tokens, path
