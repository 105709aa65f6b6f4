"""Database tables, one module per domain. Import models from here: `from voucher.store import
Voucher`; Alembic compares the migrations against `Base.metadata`, which every module below fills."""

from .audit import AuditEvent
from .base import Base, UTCDateTime
from .clients import ApiClient
from .fares import Fare
from .invoices import Invoice, InvoiceLine
from .redemptions import Redemption
from .users import SignInFailure, StaffSession, User
from .vouchers import Counter, Revocation, Voucher

__all__ = ["ApiClient", "AuditEvent", "Base", "Counter", "Fare", "Invoice", "InvoiceLine", "Redemption", "Revocation",
           "SignInFailure", "StaffSession", "UTCDateTime", "User", "Voucher"]
