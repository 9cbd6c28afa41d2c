"""A fake Telegram Bot API server for tests, benchmarks and the local console chat.

The real python-telegram-bot Application talks to it over HTTP through ``base_url``/``file_url``;
tests play users (``send_text``, ``send_photo``, ``press_button``...) and look at ``sent``.
"""

from bot.localapi.faults import Fault, FaultPlan
from bot.localapi.flood import FloodLimits
from bot.localapi.models import ApiError, FakeChat, FakeUser, Played, SentRecord, StoredFile
from bot.localapi.server import FakeBotApi
from bot.localapi.threaded import ThreadedFakeBotApi

__all__ = [
    "ApiError",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "Fault",
    "FaultPlan",
    "FloodLimits",
    "Played",
    "SentRecord",
    "StoredFile",
    "ThreadedFakeBotApi",
]
