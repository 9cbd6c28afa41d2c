"""The overview chart: a CJK font is found, it covers every label, and the PNG has content."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from bot.campaign import parse_file
from bot.settings import ROOT
from bot.status.chart import cjk_font_path, font_covers, missing_glyphs, render_chart
from bot.status.overview import Overview, TaskRow, UnitRow

LEGEND = {"done": "已完成", "in_progress": "进行中", "overdue": "逾期", "not_started": "未开始"}
UNITS = ["虎门镇", "长安镇", "东莞出入境检验检疫局", "松山湖", "樟木头镇", "望牛墩镇"]


def sample(n_units: int = len(UNITS), n_tasks: int = 15) -> Overview:
    names = [UNITS[i % len(UNITS)] + ("" if i < len(UNITS) else str(i)) for i in range(n_units)]
    units = [UnitRow(i + 1, name, total=n_tasks) for i, name in enumerate(names)]
    states = ["done", "in_progress", "overdue", "not_started"]
    matrix = {
        (u.unit_id, n): states[(u.unit_id + n) % 4] for u in units for n in range(1, n_tasks + 1)
    }
    deadline = datetime(2013, 11, 20, tzinfo=UTC)
    rows = [
        TaskRow(n, f"任务{n}", deadline, total=n_units, done=n_units // 2)
        for n in range(1, n_tasks + 1)
    ]
    return Overview("质量强市宣传", n_units, n_tasks, {}, None, rows, units, [], matrix)


def shipped_unit_names() -> list[str]:
    names = []
    for path in (ROOT / "config" / "campaigns").glob("*.yaml"):
        names += [u.name for u in parse_file(path, check_files=False).units]
    return names


def test_a_cjk_font_is_found_and_covers_the_labels() -> None:
    path = cjk_font_path()
    assert Path(path).is_relative_to(ROOT / "bot"), "the project's own font, not the system's"
    assert (Path(path).parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1
    labels = [*UNITS, *LEGEND.values(), "创建全国质量强市示范城市验收宣传工作：各单位任务完成情况"]
    labels += shipped_unit_names()
    assert font_covers(path, labels), missing_glyphs(path, labels)


def test_the_bundled_font_covers_gb2312() -> None:
    hanzi = set()
    for row in range(0xB0, 0xF8):  # GB 2312's two levels of hanzi
        for cell in range(0xA1, 0xFF):
            try:
                hanzi.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(hanzi) == 6763 and font_covers(cjk_font_path(), hanzi)


def test_charts_draw_every_shipped_label_without_a_missing_glyph(tmp_path: Path) -> None:
    names = shipped_unit_names()
    units = [UnitRow(i + 1, name, total=1) for i, name in enumerate(names)]
    row = TaskRow(1, "任务1", datetime(2013, 11, 20, tzinfo=UTC), total=len(units), done=0)
    view = Overview("t", len(units), 1, {}, None, [row], units, [], {})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_chart(view, title="各单位任务完成情况", legend=LEGEND, out=tmp_path / "all.png")
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []


def test_font_covers_can_fail() -> None:
    from matplotlib import font_manager

    latin = font_manager.findfont("DejaVu Sans")
    assert font_covers(latin, "status 9")
    assert not font_covers(latin, "虎门镇")


def test_heatmap_png_is_drawn_with_chinese_glyphs(tmp_path: Path) -> None:
    out = render_chart(
        sample(), title="质量强市：各单位任务完成情况", legend=LEGEND, out=tmp_path / "c.png"
    )
    assert out.stat().st_size > 10_000
    with Image.open(out) as img:
        assert img.format == "PNG" and img.width > 400 and img.height > 250
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 20  # real drawing, not a blank canvas


def test_big_campaigns_get_completion_bars(tmp_path: Path) -> None:
    out = render_chart(
        sample(n_units=300, n_tasks=50), title="总览", legend=LEGEND, out=tmp_path / "b.png"
    )
    with Image.open(out) as img:
        assert img.height < 3000  # not one row per unit
