"""Settings: every variable from the environment; a bad value is one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("COORDBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_match_the_interface_contract() -> None:
    s = load_settings()
    assert s.telegram_base_url == "https://api.telegram.org/bot"
    assert s.telegram_file_url == "https://api.telegram.org/file/bot"
    assert s.database_url == "sqlite:///var/coordbot.db"
    assert str(s.media_dir) == "var/media"
    assert s.admins == frozenset()
    assert s.campaign.name == "quality-city-2013.yaml"
    assert s.timezone == "Asia/Shanghai" and s.locale == "zh-CN"
    assert s.token is None
    assert s.faq_model == "auto"


def test_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORDBOT_ADMINS", "1001, 1002,-5")
    monkeypatch.setenv("COORDBOT_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("COORDBOT_DATABASE_URL", "postgresql://u:p@db/coordbot")
    monkeypatch.setenv("COORDBOT_LOCALE", "en")
    monkeypatch.setenv("COORDBOT_FAQ_MODEL", "off")
    s = load_settings()
    assert s.faq_model == "off"
    assert s.admins == frozenset({1001, 1002, -5})
    assert s.token == "123:abc"
    assert "123:abc" not in repr(s)
    assert s.locale == "en"


def test_dotenv_file_is_read(tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text("COORDBOT_ADMINS=42\nCOORDBOT_TIMEZONE=Europe/Paris\n")
    s = load_settings()
    assert s.admins == frozenset({42}) and s.timezone == "Europe/Paris"


@pytest.mark.parametrize(("value", "kept"), [("18:05", "18:05"), ("OFF", "off")])
def test_digest_time_or_off(monkeypatch: pytest.MonkeyPatch, value: str, kept: str) -> None:
    monkeypatch.setenv("COORDBOT_DIGEST_TIME", value)
    assert load_settings().digest_time == kept


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("COORDBOT_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("COORDBOT_DATABASE_URL", "not a url", "malformed database URL"),
        ("COORDBOT_DATABASE_URL", "mysql://x/y", "unsupported database"),
        ("COORDBOT_ADMINS", "12,abc", "not a numeric Telegram user id"),
        ("COORDBOT_LOCALE", "fr", "unknown locale"),
        ("COORDBOT_FAQ_MODEL", "lexical", "use auto or off"),
        ("COORDBOT_WORKERS", "zero", "COORDBOT_WORKERS"),
        ("COORDBOT_DIGEST_TIME", "25:00", "not a HH:MM time (or off)"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, words: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith(var + ":")
    assert words in message
    assert "\n" not in message


def test_cli_stops_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORDBOT_TIMEZONE", "Nowhere/Land")
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "COORDBOT_TIMEZONE: unknown time zone 'Nowhere/Land'"
    ]
    assert "Traceback" not in out.stderr


def test_db_upgrade_says_created_then_up_to_date(tmp_path: Path) -> None:
    env = {**os.environ, "COORDBOT_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}

    def upgrade() -> str:
        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert upgrade() == f"database created: sqlite:///{tmp_path}/new.db"
    assert upgrade() == "database is up to date"
