"""The append-only audit log: who did what to which voucher, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..db import insert_rows
from ..store import AuditEvent


def record(
    session: Session,
    actor: str,
    action: str,
    at: datetime,
    voucher_id: str | None = None,
    **detail,
) -> None:
    session.add(AuditEvent(at=at, actor=actor, action=action, voucher_id=voucher_id, detail=detail))


def record_many(
    session: Session, actor: str, at: datetime, events: list[tuple[str, str | None, dict]]
) -> None:
    """Many events by one actor at one moment, as (action, voucher_id, detail), in one INSERT."""
    insert_rows(session, AuditEvent.__table__, [
        {"at": at, "actor": actor, "action": action, "voucher_id": voucher_id, "detail": detail}
        for action, voucher_id, detail in events])
