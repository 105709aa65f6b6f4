"""The append-only audit log: who did what to which voucher, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

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
