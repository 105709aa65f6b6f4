"""Configuration, read from the environment once, when the app or the CLI starts.

Each purpose has its own setting; nothing falls back to a shared secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("instance")
    keys_dir: Path = Path("keys")
    database_url: str = ""
    key_passphrase: str | None = None
    office_code: str = "JC-DEMO"
    issuer: str = "Jobcenter Musterstadt"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    key_lifetime: timedelta = timedelta(days=730)
    # Published in the trust list: a verifier warns when its copy is older (a dropped key lingers).
    trust_max_age: timedelta = timedelta(hours=168)
    retention: timedelta = timedelta(days=180)
    # A journey received longer than this after it was made is flagged `late_upload`: a device
    # that syncs at least daily never reaches it, one that backdates a scan usually does.
    late_upload: timedelta = timedelta(hours=72)
    rate_limit_per_minute: int = 60_000
    auth_failures_per_minute: int = 20
    trusted_proxies: int = 0
    # People signing in to the staff pages (voucher/staff/).
    secret_key: str | None = None  # signs session cookies; generated into data_dir when unset
    trusted_user_header: str | None = None  # single sign-on through a reverse proxy; off when unset
    cookie_secure: str = "auto"  # auto: Secure except over plain http to a loopback address
    session_idle: timedelta = timedelta(minutes=30)
    session_lifetime: timedelta = timedelta(hours=10)
    login_failures_per_account: int = 5
    login_failures_per_address: int = 50
    login_lockout: timedelta = timedelta(minutes=15)
    redis_url: str = ""
    redis_prefix: str = "voucher"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'voucher.db').resolve()}"


def _redis_url(value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "redis+unix://")):
        raise ValueError("expected redis://[:password@]host:port/db (rediss:// for TLS)")
    return value


_ENV = {
    "VOUCHER_DATA_DIR": ("data_dir", Path),
    "VOUCHER_KEYS_DIR": ("keys_dir", Path),
    "DATABASE_URL": ("database_url", str),
    "VOUCHER_KEY_PASSPHRASE": ("key_passphrase", str),
    "VOUCHER_OFFICE_CODE": ("office_code", str),
    "VOUCHER_ISSUER": ("issuer", str),
    "VOUCHER_TIMEZONE": ("timezone", ZoneInfo),
    "VOUCHER_KEY_LIFETIME_DAYS": ("key_lifetime", lambda v: timedelta(days=int(v))),
    "VOUCHER_RETENTION_DAYS": ("retention", lambda v: timedelta(days=int(v))),
    "VOUCHER_LATE_UPLOAD_HOURS": ("late_upload", lambda v: timedelta(hours=_in_range(int(v), 1, 2160))),
    "VOUCHER_TRUST_MAX_AGE_HOURS": ("trust_max_age", lambda v: timedelta(hours=_in_range(int(v), 1, 720))),
    "VOUCHER_RATE_LIMIT_PER_MINUTE": ("rate_limit_per_minute", int),
    "VOUCHER_AUTH_FAILURES_PER_MINUTE": ("auth_failures_per_minute", int),
    "VOUCHER_TRUSTED_PROXIES": ("trusted_proxies", int),
    "VOUCHER_SECRET_KEY": ("secret_key", str),
    "VOUCHER_TRUSTED_USER_HEADER": ("trusted_user_header", str),
    "VOUCHER_COOKIE_SECURE": ("cookie_secure", lambda v: _one_of(v, ("auto", "always", "never"))),
    "VOUCHER_SESSION_IDLE_MINUTES": ("session_idle", lambda v: timedelta(minutes=int(v))),
    "VOUCHER_SESSION_MAX_HOURS": ("session_lifetime", lambda v: timedelta(hours=int(v))),
    "VOUCHER_LOGIN_FAILURES_PER_ACCOUNT": ("login_failures_per_account", int),
    "VOUCHER_LOGIN_FAILURES_PER_ADDRESS": ("login_failures_per_address", int),
    "VOUCHER_LOGIN_LOCKOUT_MINUTES": ("login_lockout", lambda v: timedelta(minutes=int(v))),
    "VOUCHER_REDIS_URL": ("redis_url", _redis_url),
    "VOUCHER_REDIS_PREFIX": ("redis_prefix", str),
}


def _in_range(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValueError(f"must be between {low} and {high}")
    return value


def _one_of(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"choose one of {', '.join(choices)}")
    return value


def from_environment(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Settings from environment variables; raises ValueError naming a variable it cannot read."""
    environ = os.environ if environ is None else environ
    values = {}
    for name, (attr, coerce) in _ENV.items():
        if environ.get(name):
            try:
                values[attr] = coerce(environ[name])
            except Exception as exc:  # any coercion failure is the operator's typo
                raise ValueError(f"{name}={environ[name]!r} is not valid: {exc}") from None
    return replace(Settings(**values), **overrides)
