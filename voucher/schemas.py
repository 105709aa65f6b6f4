"""Validated requests. The API, the CLI and the letter batch all issue through IssueRequest,
so a voucher is checked the same way whichever door it comes through."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from . import langtag
from .token import codes


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs in words a person can act on, for API, CLI and batch alike."""
    return [
        (".".join(str(p) for p in e["loc"]) or "input", e["msg"].removeprefix("Value error, "))
        for e in exc.errors(include_url=False, include_input=False)
    ]


def error_summary(exc: ValidationError) -> str:
    return "; ".join(f"{field}: {message}" for field, message in field_errors(exc))


def _clean_text(value: str) -> str:
    value = unicodedata.normalize("NFC", value.strip())
    # isprintable() is False for every character in those categories (and for some harmless
    # spaces): a quick pass for ordinary text before looking at each character.
    if not value.isprintable() and any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in value):
        raise ValueError("must not contain control or invisible characters")
    return value


def _storable(value):
    """A scanned code is evidence: keep what was read, as text every database can store. NUL
    (which PostgreSQL refuses), lone surrogates and other control characters become U+FFFD, so
    such a scan is stored as one invalid redemption instead of failing its device's whole sync."""
    if not isinstance(value, str) or value.isprintable():
        return value
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cs") else c for c in value)


def _date_or_datetime(value):
    """A ten-character ISO date stays a date (a whole day); anything longer is a date-time."""
    if isinstance(value, str):
        return date.fromisoformat(value) if len(value.strip()) == 10 else datetime.fromisoformat(value)
    return value


def plausible(value: date | datetime) -> bool:
    """Years 2000-2999: anything else is a typo, and date arithmetic near year 1 or 9999 overflows
    (or reaches the database as a date it cannot hold)."""
    return 2000 <= value.year <= 2999


def _plausible(value: date | datetime) -> date | datetime:
    if not plausible(value):
        raise ValueError("year must be between 2000 and 2999")
    return value


def _voucher_id(value: str) -> str:
    return codes.normalize_id(value)


def Text(min_length: int = 1, max_length: int = 40):  # noqa: N802 - reads as a type
    """Trimmed, length-checked, NFC, free of control and invisible characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_clean_text),
    ]


# Text(max_length=n) spelt out as type aliases, so that type checkers read them as types.
Text16 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=16),
    AfterValidator(_clean_text),
]
Text32 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    AfterValidator(_clean_text),
]
Text40 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_clean_text),
]
Text60 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
    AfterValidator(_clean_text),
]
Text64 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_clean_text),
]
Text120 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_clean_text),
]
Text200 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_clean_text),
]
Text500 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_clean_text),
]

When = Annotated[date | datetime, BeforeValidator(_date_or_datetime), AfterValidator(_plausible)]
Moment = Annotated[datetime, AfterValidator(_plausible)]
Day = Annotated[date, AfterValidator(_plausible)]
VoucherId = Annotated[str, AfterValidator(_voucher_id)]
# A BCP 47 tag, stored in canonical case; a language without letter texts falls back (letters/texts.py).
LanguageTag = Annotated[
    str, StringConstraints(strip_whitespace=True),
    AfterValidator(langtag.canonical),
]


def _one_route(zone: str | None, origin: str | None, destination: str | None) -> None:
    """A voucher (and a fare) is for a tariff zone or for a route between two stops, never both."""
    has_stops = origin is not None and destination is not None
    if has_stops == (zone is not None) or (not has_stops and (origin or destination)):
        raise ValueError("give either origin and destination, or a zone")


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    holder_name: Text40
    valid_from: When
    valid_until: When
    origin: Text40 | None = None
    destination: Text40 | None = None
    zone: Text16 | None = None
    fare_class: Literal[1, 2] = 2
    travellers: int = Field(default=1, ge=1, le=9, strict=True)
    return_trip: StrictBool = False
    cost_center: Text32
    max_fare_cents: int | None = Field(default=None, ge=0, le=10_000_000, strict=True)
    customer_ref: Text64 | None = None
    appointment_at: Moment | None = Field(default=None, description="Must lie within the validity window (else 422).")
    appointment_place: Text200 | None = None
    recipient_address: list[Text60] | None = Field(default=None, max_length=5)
    external_ref: Text64 | None = None
    language: LanguageTag = "de"
    replaces: VoucherId | None = None
    # window() per time zone, worked out once: validation needs it and so does signing.
    _windows: dict[ZoneInfo, tuple[datetime, datetime]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _route_and_window(self, info: ValidationInfo) -> IssueRequest:
        _one_route(self.zone, self.origin, self.destination)
        tz = (info.context or {}).get("tz", UTC)
        start, end = self.window(tz)
        if end <= start:
            raise ValueError("valid_until must not be before valid_from")
        if self.appointment_at is not None and not start <= as_local(self.appointment_at, tz, 0) < end:
            raise _field_error("appointment_at", "outside_validity", (
                "the appointment ({appointment}) is outside the ticket's validity ({start} to {end}): "
                "the holder could not travel to it with this ticket"), self.appointment_at,
                appointment=_local_text(as_local(self.appointment_at, tz, 0), tz),
                start=_local_text(start, tz), end=_local_text(end, tz))
        return self

    def window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC, whole minutes. A date as valid_until means to the end of that
        day in the office's time zone; a time is rounded outwards, never shortening the trip."""
        if tz not in self._windows:
            self._windows[tz] = self._window(tz)
        return self._windows[tz]

    def _window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        start = as_local(self.valid_from, tz, 0)
        end = as_local(self.valid_until, tz, 1)
        start = start.replace(second=0, microsecond=0)
        if end.second or end.microsecond:
            end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return start.astimezone(UTC), end.astimezone(UTC)

    def fingerprint(self) -> str:
        """Identifies the request's content, to tell a retry from a reuse of its key."""
        return hashlib.sha256(
            self.model_dump_json(exclude={"external_ref"}).encode()
        ).hexdigest()


def _field_error(field: str, kind: str, message: str, value, **context) -> ValidationError:
    """A model-level check reported against the field it concerns, so forms can show it there."""
    return ValidationError.from_exception_data("IssueRequest", [InitErrorDetails(
        type=PydanticCustomError(kind, message, context), loc=(field,), input=value)])


def _local_text(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def as_local(value: date | datetime, tz: ZoneInfo, add_days: int) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return datetime.combine(value + timedelta(days=add_days), time(0), tzinfo=tz)


class IdempotencyKey(BaseModel):
    """The Idempotency-Key header, held to external_ref's rules: it is stored in its place."""

    key: Text64 = Field(alias="Idempotency-Key")


class IssueBatch(BaseModel):
    """POST /vouchers/batch. Each item is validated as an IssueRequest on its own, so that a bad
    item refuses only itself."""

    model_config = ConfigDict(extra="forbid")
    vouchers: list[Any] = Field(max_length=1000)


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text500


class RedemptionItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    client_id: Text64
    code: Annotated[str, StringConstraints(min_length=1, max_length=1000), BeforeValidator(_storable)] | None = None
    voucher_id: VoucherId | None = None
    redeemed_at: Moment
    location: Text120 | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> RedemptionItem:
        if (self.code is None) == (self.voucher_id is None):
            raise ValueError("give either code (the scanned QR text) or voucher_id (a typed short code)")
        if self.redeemed_at.tzinfo is None:
            raise ValueError("redeemed_at needs a time zone offset (e.g. 2026-12-03T09:30:00Z)")
        return self


class RedemptionBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: Text64
    redemptions: list[RedemptionItem] = Field(max_length=500)


class InvoiceOptions(BaseModel):
    """What the API (`?operator=&from=&to=`) and the CLI (`--operator --from --to`) say about an
    uploaded invoice; the period is used when the file names none (voucher/invoice_csv.py)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    operator: Text64 | None = None
    first: Day | None = Field(None, alias="from")
    last: Day | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _period(self) -> InvoiceOptions:
        if (self.first is None) != (self.last is None):
            raise ValueError("give the invoice's period with both 'from' and 'to', or neither")
        if self.first is not None and self.last is not None and self.last < self.first:
            raise ValueError("'to' must not be before 'from'")
        return self

    @property
    def period(self) -> tuple[date, date] | None:
        return (self.first, self.last) if self.first and self.last else None


class FareRow(BaseModel):
    """One price of the fare table (services/fares.py): per person and journey, in cents."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    zone: Text16 | None = None
    origin: Text40 | None = None
    destination: Text40 | None = None
    fare_class: int = Field(default=2, ge=1, le=2)
    price_cents: int = Field(ge=0, le=10_000_000)
    valid_from: Day
    valid_to: Day | None = None

    @model_validator(mode="after")
    def _route_and_days(self) -> FareRow:
        _one_route(self.zone, self.origin, self.destination)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self
