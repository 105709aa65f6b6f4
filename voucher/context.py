"""What a request needs, made once per app: settings, database, keys, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from .config import Settings
from .db import Database
from .keys import KeyStore


@dataclass
class Services:
    settings: Settings
    db: Database
    keystore: KeyStore
    clock: Callable[[], datetime]


def init_app(app: Flask, settings: Settings, clock: Callable[[], datetime]) -> None:
    app.extensions["voucher"] = Services(
        settings=settings,
        db=Database(settings.database),
        keystore=KeyStore(settings.keys_dir, settings.key_passphrase),
        clock=clock,
    )
    app.teardown_appcontext(_close_session)


def services() -> Services:
    return current_app.extensions["voucher"]


def session() -> Session:
    if "db_session" not in g:
        g.db_session = services().db.session()
    return g.db_session


def keep_session() -> Session:
    """The request's session, handed over to a streamed response, which must close it: the
    request's teardown runs before the first line is sent."""
    kept = session()
    g.pop("db_session")
    return kept


def now() -> datetime:
    return services().clock()


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
