"""Long /status answers are split on line boundaries under Telegram's limit."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.i18n import Catalog
from bot.render import TELEGRAM_LIMIT, split_message
from bot.status.states import PairState
from bot.status.text import Renderer
from bot.status.views import TaskUnitLine, TaskView


def test_a_task_across_a_thousand_units_splits_cleanly() -> None:
    catalog = Catalog()

    def t(key: str, /, **values: object) -> str:
        return catalog.t("zh-CN", key, **values)

    deadline = datetime(2013, 11, 15, 9, 30, tzinfo=UTC)
    view = TaskView(9, "张贴宣传海报、悬挂宣传标语", deadline, None)
    for i in range(1000):
        state = PairState("overdue", overdue_days=3) if i % 3 else PairState("done", reports=1)
        view.lines.append(TaskUnitLine(i, f"第{i}号单位", "responsible", state))
    text = Renderer(t, ZoneInfo("Asia/Shanghai"), "zh-CN").task(view)
    assert "逾期 3 天" in text and "第999号单位" in text
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= TELEGRAM_LIMIT for p in parts)
    # every line survives whole: nothing cut mid-line except the overdue list (one long line)
    lines = [line for p in parts for line in p.split("\n")]
    assert sum(1 for line in lines if line.startswith(("✅", "🔴"))) == 1000
