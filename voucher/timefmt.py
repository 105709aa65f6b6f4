"""Instants on the wire: ISO 8601 in UTC with a Z, to the second."""

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=4096)  # a batch's vouchers share their days and their moment of issue
def format_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    """Raises ValueError unless text is an ISO 8601 date-time with an offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return moment.astimezone(UTC)


def format_local(moment: datetime, tz) -> str:
    """ISO 8601 in the office's time zone with its offset (2026-12-03T09:30:00+01:00): what a
    device shows a person, without the device's own time zone getting a say."""
    return moment.astimezone(tz).replace(microsecond=0).isoformat()
