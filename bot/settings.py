"""Settings: every ``COORDBOT_*`` variable, read once from the environment or ``.env``.

A bad value stops start-up with one line naming the variable (see ``load_settings``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ROOT = Path(__file__).resolve().parent.parent
DEMO_CAMPAIGN = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"
LOCALES = ("zh-CN", "en")


class SettingsError(Exception):
    """A setting has a bad value; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COORDBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    wecom_bot_id: str | None = None
    wecom_secret: SecretStr | None = None  # never logged (bot/logs.py masks it)
    wecom_ws_url: str = "wss://openws.work.weixin.qq.com"
    database_url: str = "sqlite:///var/coordbot.db"
    media_dir: Path = Path("var/media")
    admins: Annotated[frozenset[int], NoDecode] = frozenset()
    campaign: Path = DEMO_CAMPAIGN
    campaign_rebase: date | Literal["today"] | None = Field(
        default=None,
        description="shift the campaign by whole weeks so its first deadline falls in the week"
        " from this date (today: the date in COORDBOT_TIMEZONE at start)",
    )
    timezone: str = "Asia/Shanghai"
    locale: str = "zh-CN"
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0:8443"
    workers: int = Field(default=32, ge=1, le=512, description="chats processed at once")
    inbox_keep_days: int = Field(default=7, ge=1)
    invite_days: int = Field(default=7, ge=1)
    residents_see_status: bool = True
    digest_time: str = Field(default="17:30", description="HH:MM local, or off for no digest")
    faq_model: str = Field(
        default="auto", description="auto: e5 model when installed (~40 MB more); off: lexical only"
    )
    log_level: str = "INFO"
    web_listen: str = Field(
        default="127.0.0.1:8080", description="host:port of the web dashboard, or off"
    )
    web_url: str = Field(
        default="http://127.0.0.1:8080", description="the dashboard's address in sign-in links"
    )

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> frozenset[int]:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, int):
            return frozenset({value})
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        elif isinstance(value, list | tuple | set | frozenset):
            parts = [str(p).strip() for p in value]
        else:
            raise ValueError("expected comma-separated numeric Telegram user ids")
        ids = set()
        for part in parts:
            if not part.lstrip("-").isdigit():
                raise ValueError(f"{part!r} is not a numeric Telegram user id")
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("wecom_ws_url")
    @classmethod
    def _wecom_ws_url(cls, value: str) -> str:
        if not value.startswith(("wss://", "ws://")):
            raise ValueError(f"{value!r} is not a WebSocket URL (wss://... or ws://...)")
        return value

    @field_validator("wecom_bot_id", mode="before")
    @classmethod
    def _wecom_bot_id(cls, value: object) -> object:
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"malformed database URL {value!r}") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {url.get_backend_name()!r}")
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"unknown locale {value!r} (use {' or '.join(LOCALES)})")
        return value

    @field_validator("faq_model")
    @classmethod
    def _faq_model(cls, value: str) -> str:
        if value not in ("auto", "off"):
            raise ValueError(f"unknown FAQ model setting {value!r} (use auto or off)")
        return value

    @field_validator("digest_time")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        if value.strip().lower() == "off":
            return "off"
        hh, _, mm = value.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ValueError(f"{value!r} is not a HH:MM time (or off)")
        return value

    @field_validator("web_listen")
    @classmethod
    def _web_listen(cls, value: str) -> str:
        if value.strip().lower() == "off":
            return "off"
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or int(port) > 65535:
            raise ValueError(f"{value!r} is not host:port (or off)")
        return value.strip()

    @field_validator("web_url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http:// or https:// address")
        return value.rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def wecom(self) -> tuple[str, str] | None:
        """(bot id, secret) when WeCom is configured, else None; one without the other is an
        error that names the missing variable."""
        secret = self.wecom_secret.get_secret_value().strip() if self.wecom_secret else ""
        if not self.wecom_bot_id and not secret:
            return None
        if not self.wecom_bot_id or not secret:
            missing = "COORDBOT_WECOM_SECRET" if self.wecom_bot_id else "COORDBOT_WECOM_BOT_ID"
            raise SettingsError(f"{missing}: needed with the other WeCom setting")
        return self.wecom_bot_id, secret

    @property
    def token(self) -> str | None:
        return self.telegram_token.get_secret_value() if self.telegram_token else None


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise SettingsError with one line naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"COORDBOT_{field.upper()}: {msg}") from None
