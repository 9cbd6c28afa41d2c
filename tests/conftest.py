"""Shared fixtures: databases on SQLite and PostgreSQL, and the end-to-end harness."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import Database, upgrade

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as `coordbot` runs PTB (bot/cli.py main)
from bot.localapi import FakeBotApi
from bot.localapi.models import SentRecord
from tests.dbs import BACKENDS, throwaway_url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated-nowhere, empty database URL on each backend."""
    with throwaway_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database (via Alembic, as in production) on each backend."""
    db = Database.from_url(db_url, threads=2)
    upgrade(db.engine)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database, for tests that need one backend only."""
    db = Database.from_url(f"sqlite:///{tmp_path / 'coordbot.db'}", threads=2)
    upgrade(db.engine)
    try:
        yield db
    finally:
        db.close()


from tests.localapi_fixtures import api, fake_api, threaded_fake_api  # noqa: E402, F401

# --- Suite-wide guard: no phone number or e-mail address is ever sent to a group -----------------
PRIVATE_DATA = re.compile(
    r"(?<!\d)1[3-9]\d{9}(?!\d)"  # mainland mobile numbers
    r"|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"  # landlines such as 0769-22830000
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
)


def private_data_in(record: SentRecord) -> list[str]:
    """Phone numbers and e-mail addresses in what the bot sent (text, caption, buttons)."""
    texts = [record.text or "", record.raw_text or "", record.caption or ""]
    texts += [label for label, _ in record.buttons]
    return sorted({m.group(0) for t in texts for m in PRIVATE_DATA.finditer(t)})


@pytest.fixture(autouse=True)
def no_private_data_in_groups(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every message any fake Bot API of the test records for a group is checked; a phone
    number or e-mail address there fails the test that sent it."""
    leaks: list[str] = []
    original = FakeBotApi.record

    def record(self: FakeBotApi, sent: SentRecord) -> None:
        if sent.chat_id < 0:
            found = private_data_in(sent)
            if found:
                leaks.append(f"{sent.method} to group {sent.chat_id}: {found} in {sent.body!r}")
        original(self, sent)

    monkeypatch.setattr(FakeBotApi, "record", record)
    yield
    if leaks:
        pytest.fail("personal data sent to a group:\n" + "\n".join(leaks), pytrace=False)
