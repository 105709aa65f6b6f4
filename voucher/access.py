"""Downloads of personal data (a letter, a QR code, a CSV export) are audit events, from the API
and the staff pages alike: who took what, when. The event names the voucher or the report's
period, never its content, so the log holds no personal data it did not hold before."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from . import context
from .services import audit


def actor() -> str:
    """An API client is `ROLE:NAME`, a person `user:NAME` (as everywhere in the audit log)."""
    client = g.get("client")
    return f"{client.role}:{client.name}" if client is not None else current_user.actor


def log_download(action: str, voucher_id: str | None = None, **detail) -> None:
    """Committed before the download is sent: a download that could not be logged is not sent."""
    session = context.session()
    audit.record(session, actor(), action, context.now(), voucher_id, **detail)
    session.commit()
