"""API clients: machines that call with a bearer token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ApiClient(Base):
    """A token's lifecycle, as with personal access tokens: revoked (`disabled_at`) or past
    `expires_at` it is refused at once; `last_used_at` is updated at most once a minute
    (services/clients.py), so it costs no write per request."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # revoked
    # What a verifier device's scans mean (services/purposes.py): journeys, or arrivals at the office.
    purpose: Mapped[str] = mapped_column(String(16), server_default=text("'journey'"))
    # When the device last fetched the revocation list: a journey it later dates before a
    # revocation it already held is flagged (services/backdating.py).
    revocations_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device: Mapped[str | None] = mapped_column(String(64))  # the device it is for, named at creation or by its first sync
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
