"""Configuration: one typed model, read from the environment once, when the app or the CLI starts.

Each purpose has its own setting; nothing falls back to a shared secret. A field is one line:
`setting(default, VARIABLE, purpose, low=, high=)`. A variable ending in _DAYS, _HOURS or _MINUTES
counts that unit and gives a `timedelta`; its range is in the same unit. Constructing
`Settings(...)` reads only what it is given (tests, benchmarks); `from_environment()` reads the
environment, refuses an unknown `VOUCHER_*` name (with the nearest known one) and a value out of
range, so a typo never silently leaves a default in force.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

_UNITS = {"DAYS": "days", "HOURS": "hours", "MINUTES": "minutes"}

# Read by the test suite and the benchmarks, never by the service: not settings, not typos.
NOT_SETTINGS = frozenset({
    "VOUCHER_TEST_PG", "VOUCHER_TEST_REDIS", "VOUCHER_TEST_BACKENDS", "VOUCHER_FUZZ_EXAMPLES", "VOUCHER_API_FUZZ_EXAMPLES",
    "VOUCHER_SCREENSHOTS",
})


def _unit(env: str) -> str | None:
    """"days", "hours" or "minutes" for a variable named ..._DAYS, _HOURS, _MINUTES."""
    return _UNITS.get(env.rsplit("_", 1)[-1])


def setting(default: Any, env: str, doc: str, *, low: int | None = None, high: int | None = None,
            secret: bool = False, shown: str | None = None) -> Any:
    """A field read from `env`; `shown` is the default as the README states it, when the value
    alone would not say it (a computed path, "unset")."""
    extra: dict[str, Any] = {"env": env, "low": low, "high": high, "secret": secret, "shown": shown}
    unit = _unit(env)
    if unit:  # ranges of durations are checked in their unit by _duration
        return Field(timedelta(**{unit: default}), validation_alias=env, description=doc, json_schema_extra=extra)
    return Field(default, validation_alias=env, description=doc, ge=low, le=high, json_schema_extra=extra)


def _extra(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], Settings.model_fields[name].json_schema_extra)


def _duration(value: object, info: ValidationInfo) -> object:
    """A whole number of the variable's unit (from the environment), or a timedelta (from code)."""
    assert info.field_name is not None
    extra = _extra(info.field_name)
    unit = _unit(extra["env"])
    assert unit is not None, f"{extra['env']} names no unit (_DAYS, _HOURS, _MINUTES)"
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            value = timedelta(**{unit: int(value)})
        except ValueError:
            raise ValueError(f"expected a whole number of {unit}") from None
    if isinstance(value, timedelta):
        count = value / timedelta(**{unit: 1})
        if extra["low"] is not None and count < extra["low"]:
            raise ValueError(f"must be at least {extra['low']} {unit}")
        if extra["high"] is not None and count > extra["high"]:
            raise ValueError(f"must be at most {extra['high']} {unit}")
    return value


def _redis_url(value: str) -> str:
    if value and not value.startswith(("redis://", "rediss://", "redis+unix://")):
        raise ValueError("expected redis://[:password@]host:port/db (rediss:// for TLS)")
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
RedisUrl = Annotated[str, AfterValidator(_redis_url)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True,
                                      case_sensitive=True, env_ignore_empty=True, extra="forbid")

    data_dir: Path = setting(Path("instance"), "VOUCHER_DATA_DIR", "data folder", shown="`./instance`")
    keys_dir: Path = setting(Path("keys"), "VOUCHER_KEYS_DIR", "signing keys and `trust.json`", shown="`./keys`")
    database_url: str | None = setting(None, "DATABASE_URL", "e.g. `postgresql+psycopg://user@host/db`",
                                shown="SQLite file `instance/voucher.db`", secret=True)
    key_passphrase: str | None = setting(None, "VOUCHER_KEY_PASSPHRASE", "encrypts the private key",
                                         secret=True, shown="none (development key)")
    office_code: str = setting("JC-DEMO", "VOUCHER_OFFICE_CODE", "issuing office code printed in every token")
    issuer: str = setting("Jobcenter Musterstadt", "VOUCHER_ISSUER", "issuer name in the trust list")
    timezone: ZoneInfo = setting(ZoneInfo("Europe/Berlin"), "VOUCHER_TIMEZONE", "how dates without a time are read")
    key_lifetime: Duration = setting(730, "VOUCHER_KEY_LIFETIME_DAYS", "how long a new key may sign", low=1, high=3650)
    trust_max_age: Duration = setting(168, "VOUCHER_TRUST_MAX_AGE_HOURS", "published in the trust list "
                                      "(`max_age_hours`): verifier pages warn when their copy is older", low=1, high=720)
    retention: Duration = setting(180, "VOUCHER_RETENTION_DAYS", "days after validity before personal data is erased",
                                  low=0, high=3650)
    late_upload: Duration = setting(72, "VOUCHER_LATE_UPLOAD_HOURS", "a journey received longer than this after it was "
                                    "made is flagged `late_upload` (a device that syncs daily never reaches it)", low=1, high=2160)
    secret_key: str | None = setting(None, "VOUCHER_SECRET_KEY", "signs session cookies and CSRF tokens; several "
                                     "hosts must share it", secret=True, shown="generated into `instance/secret_key` (0600)")
    trusted_user_header: str | None = setting(None, "VOUCHER_TRUSTED_USER_HEADER", "single sign-on: the header an "
                                              "authenticating proxy sets to the user name", shown="unset (never read)")
    cookie_secure: Literal["auto", "always", "never"] = setting(
        "auto", "VOUCHER_COOKIE_SECURE", "`auto`: Secure unless plain http to localhost; `always`; `never` (lab only)")
    session_idle: Duration = setting(30, "VOUCHER_SESSION_IDLE_MINUTES", "a signed-in browser idle this long is "
                                     "signed out", low=1, high=1440)
    session_lifetime: Duration = setting(10, "VOUCHER_SESSION_MAX_HOURS", "a sign-in lasts at most this long, "
                                         "however active", low=1, high=168)
    login_failures_per_account: int = setting(5, "VOUCHER_LOGIN_FAILURES_PER_ACCOUNT", "failed sign-ins per name "
                                              "from one address before that pair is locked ...", low=1, high=1000)
    login_failures_per_address: int = setting(50, "VOUCHER_LOGIN_FAILURES_PER_ADDRESS", "... or per client "
                                              "address ...", low=1, high=100_000)
    login_lockout: Duration = setting(15, "VOUCHER_LOGIN_LOCKOUT_MINUTES", "... within this window, and locked for "
                                      "the rest of it", low=1, high=1440)
    redis_url: RedisUrl = setting("", "VOUCHER_REDIS_URL", "e.g. `redis://:password@redis-host:6379/0` "
                                  "(`rediss://` for TLS): rate limits shared by every worker and host (sign-in "
                                  "lockouts need no Redis: they are counted in the database)",
                                  secret=True, shown="none (limits in each process's memory)")
    redis_prefix: str = setting("voucher", "VOUCHER_REDIS_PREFIX", "prefix of the Redis keys, to keep deployments "
                                "sharing one Redis apart")
    rate_limit_per_minute: int = setting(60_000, "VOUCHER_RATE_LIMIT_PER_MINUTE", "requests per API token per "
                                         "minute", low=1, high=10_000_000)
    auth_failures_per_minute: int = setting(20, "VOUCHER_AUTH_FAILURES_PER_MINUTE", "wrong or missing tokens per "
                                            "client address per minute before 429", low=1, high=100_000)
    trusted_proxies: int = setting(0, "VOUCHER_TRUSTED_PROXIES", "reverse proxies in front, so limits see the "
                                   "client address (X-Forwarded-For)", low=0, high=5)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = setting(
        "INFO", "VOUCHER_LOG_LEVEL", "least severe level written to the log (JSON lines on stderr)")
    metrics_token: str | None = setting(None, "VOUCHER_METRICS_TOKEN", "Bearer token `/metrics` asks for; "
                                        "unset: `/metrics` answers 404", secret=True, shown="unset (no metrics)")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what the caller passes: the environment is read by from_environment()."""
        return (init_settings,)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'voucher.db').resolve()}"

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed, validated like the original."""
        return Settings(**{**dict(self), **changes})


def variables() -> dict[str, str]:
    """Environment variable → field name, for every setting."""
    return {_extra(name)["env"]: name for name in Settings.model_fields}


def from_environment() -> Settings:
    """Settings from environment variables; raises ValueError naming each variable it refuses."""
    unknown = [name for name in os.environ if name.startswith("VOUCHER_") and name not in variables()
               and name not in NOT_SETTINGS]
    if unknown:
        raise ValueError("; ".join(_unknown(name) for name in sorted(unknown)))
    source = EnvSettingsSource(Settings, case_sensitive=True, env_ignore_empty=True)
    try:
        return Settings(**source())
    except ValidationError as exc:
        raise ValueError("; ".join(_refused(error) for error in exc.errors())) from None


def _unknown(name: str) -> str:
    near = difflib.get_close_matches(name, variables(), n=1)
    return f"{name} is not a setting" + (f" (did you mean {near[0]}?)" if near else "")


def _refused(error: Any) -> str:
    env = str(error["loc"][0]) if error["loc"] else "?"  # the variable: fields are validated by alias
    field = variables().get(env)
    value = os.environ.get(env, "")
    shown = value if field and not _extra(field)["secret"] else _masked(value)  # never print a password
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{env}={shown!r} is not valid: {message}"


def _describe(field: str, info: FieldInfo) -> tuple[str, str, str, str]:
    """(variable, default, range, purpose) as the README's table shows them."""
    extra = _extra(field)
    default = extra["shown"] or f"`{_plain(info.default, extra)}`"
    low, high = extra["low"], extra["high"]
    bounds = f"{low}–{high}" if low is not None and high is not None else ""
    choices = getattr(info.annotation, "__args__", ())
    if not bounds and info.annotation is not None and all(isinstance(c, str) for c in choices) and choices:
        bounds = ", ".join(choices)
    return f"`{extra['env']}`", default, bounds, str(info.description)


def _plain(value: Any, extra: dict[str, Any]) -> str:
    """A value as it would be written in the environment (durations in their variable's unit)."""
    unit = _unit(extra["env"])
    if isinstance(value, timedelta) and unit:
        return str(int(value / timedelta(**{unit: 1})))
    return str(value)


def effective(settings: Settings) -> list[tuple[str, str]]:
    """(variable, value) for every setting, secrets masked: what `voucher config check` prints."""
    rows = []
    for field, value in dict(settings).items():
        extra = _extra(field)
        shown = _masked(str(value)) if extra["secret"] else _plain(value, extra)
        rows.append((extra["env"], "(unset)" if value in (None, "") else shown))
    return rows


def _masked(value: str) -> str:
    if "://" in value:  # a URL: only its password is secret
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", value)
    return "***"


def table() -> str:
    """The README's configuration table, from the model."""
    lines = ["| variable | default | range | purpose |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(_describe(name, info)) + " |" for name, info in Settings.model_fields.items()]
    return "\n".join(lines) + "\n"
