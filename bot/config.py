"""Settings read once from the environment and `.env`; nothing else reads `os.environ`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logs import LogFormat
from bot.quiet_hours import QuietHours

DATA_DIR = Path(__file__).parent / "data"

WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,256}")
"""Telegram allows 1-256 of these characters; fewer than 32 would be guessable."""
OPERATOR_PATHS = frozenset({"/healthz", "/metrics"})
"""Served on the same listener in webhook mode, so the webhook cannot take their path."""


class Listen(BaseModel, frozen=True):
    """An address to listen on, written `host:port` (`[::1]:8081` for IPv6); port 0 is any."""

    host: str
    port: int = Field(ge=0, le=65535)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        host, colon, port = value.strip().rpartition(":")
        if not colon or not host or not port.isdigit():
            raise ValueError(f"{value!r} is not like 127.0.0.1:8081")
        return {"host": host.removeprefix("[").removesuffix("]"), "port": int(port)}

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class DatabaseSettings(BaseSettings):
    """What a command that only touches the database reads (`backup`): an operator's cron
    job copying the database should not need the bot token."""

    # Inputs stay out of error messages: the token and DATABASE_URL's password are secrets.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    database_path: Path = Path("data/bot.sqlite3")
    database_url: SecretStr | None = None

    @field_validator("database_url", mode="before")
    @classmethod
    def _postgresql_url(cls, value: object) -> object:
        """`DATABASE_URL=` left empty means SQLite; anything else must be PostgreSQL's form.
        The refusal never repeats the value: it holds the password."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            if not value.strip():
                return None
            if not value.startswith(("postgresql://", "postgres://")):
                raise PydanticCustomError(
                    "database_url", "is not like postgresql://user:password@host:5432/db"
                )
        return value


class Settings(DatabaseSettings):
    bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org/bot"
    workshops_file: Path = DATA_DIR / "workshops.yaml"
    troubleshooting_file: Path = DATA_DIR / "troubleshooting.yaml"
    parts_file: Path = DATA_DIR / "parts.yaml"
    head_office_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    overdue_limits: Annotated[dict[str, int], NoDecode] = Field(default_factory=dict)
    quiet_hours: str = "21:00-09:00"
    flood_burst: int = Field(default=5, ge=0)
    flood_rate: float = Field(default=2.0, gt=0)
    question_sla_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    default_region: str = "RU"
    max_distance_km: float = Field(default=150, gt=0)
    health_listen: Annotated[Listen, NoDecode] = Listen(host="127.0.0.1", port=8081)
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    webhook_listen: Annotated[Listen, NoDecode] = Listen(host="0.0.0.0", port=8080)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_given(cls, value: object) -> object:
        """`BOT_TOKEN=` as copied from `.env.example` is a token not set, not a bad one."""
        if isinstance(value, str) and not value.strip():
            raise PydanticCustomError("missing", "Field required")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_address(cls, value: str) -> str:
        """Empty means polling; otherwise an address Telegram can call, at a path of its own."""
        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise PydanticCustomError(
                "webhook_url",
                "'{value}' is not like https://bot.example.com/telegram",
                {"value": value},
            )
        if parts.path in OPERATOR_PATHS:
            raise PydanticCustomError(
                "webhook_url",
                "{path} is where operators check the bot; use another path",
                {"path": parts.path},
            )
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret_given(cls, value: object) -> object:
        """`WEBHOOK_SECRET=` as copied from `.env.example` is no secret, not an empty one."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never repeats the secret.
        if value is not None and not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise PydanticCustomError(
                "webhook_secret", "must be 32 to 256 characters of A-Z a-z 0-9 _ -"
            )
        return value

    @model_validator(mode="after")
    def _webhook_has_secret(self) -> Settings:
        """Without the secret anyone who guesses the address could post updates as anyone."""
        if self.webhook_url and self.webhook_secret is None:
            raise PydanticCustomError(
                "webhook_secret_missing",
                "WEBHOOK_SECRET is required when WEBHOOK_URL is set "
                "(32 to 256 characters of A-Z a-z 0-9 _ -)",
            )
        return self

    @property
    def webhook_path(self) -> str:
        """Where the webhook is served: the path of `webhook_url`, as the proxy passes it on."""
        return urlsplit(self.webhook_url).path or "/"

    @field_validator("head_office_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept the comma-separated form people write in `.env`."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("workshops_file", "troubleshooting_file", "parts_file", mode="before")
    @classmethod
    def _bundled_when_empty(cls, value: object, info: ValidationInfo) -> object:
        """`WORKSHOPS_FILE=` left empty in `.env` means the bundled file, not the cwd."""
        if value in ("", None):
            return DATA_DIR / f"{str(info.field_name).removesuffix('_file')}.yaml"
        return value

    @field_validator("overdue_limits", mode="before")
    @classmethod
    def _parse_limits(cls, value: object) -> object:
        """`received=1,repairing=5`: days a ticket may stay in a status before it is overdue."""
        if not isinstance(value, str):
            return value
        limits: dict[str, int] = {}
        for part in filter(None, value.replace(" ", "").split(",")):
            status, _, days = part.partition("=")
            if not days.isdigit():
                raise ValueError(f"'{part}' is not like received=1")
            limits[status] = int(days)
        return limits

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        """A country the phone library knows: typed numbers and places are read in it."""
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a country code like RU")
        return region

    @field_validator("quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        if value.strip():
            QuietHours.parse(value)
        return value

    @property
    def quiet(self) -> QuietHours | None:
        """Quiet hours for customers; `QUIET_HOURS=` left empty switches them off."""
        return QuietHours.parse(self.quiet_hours) if self.quiet_hours.strip() else None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        return value.upper()

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
