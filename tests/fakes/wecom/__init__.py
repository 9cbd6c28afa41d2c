"""A fake WeCom 智能机器人 long-connection server for tests (never shipped in the package)."""

from tests.fakes.wecom.player import Player
from tests.fakes.wecom.server import FakeWeCom, Sent

__all__ = ["FakeWeCom", "Player", "Sent"]
