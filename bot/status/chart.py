"""The overview chart: a unit × task heat map of states (completion bars for big campaigns),
drawn with matplotlib's Agg canvas (no pyplot, no global state) in the project's own CJK font,
so Chinese labels are real glyphs on any machine, with or without a system CJK font.

The font is ``fonts/NotoSansSC-GB2312.otf`` (a subset of Noto Sans CJK SC, SIL OFL 1.1, see
``fonts/OFL.txt``; rebuilt by ``tools/make_chart_font.py``): GB 2312 and every character of the
shipped campaigns. A rarer character in a unit's name falls back to an installed CJK font if
there is one; ``font_covers`` checks with the font's own character map what it can draw.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Patch

from bot.status.rows import DONE, IN_PROGRESS, NOT_STARTED, OVERDUE, Overview, UnitRow

BUNDLED_FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-GB2312.otf"
#: Installed fonts a glyph the bundled subset lacks is looked for in, in this order.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
HEATMAP_MAX_UNITS = 80
HEATMAP_MAX_TASKS = 60
# 0 not involved, then the states in the order of the colour map
CODES = {NOT_STARTED: 1, IN_PROGRESS: 2, OVERDUE: 3, DONE: 4}
COLOURS = ["#ffffff", "#d9d9d9", "#f6c343", "#e0503a", "#3cab5a"]


def cjk_font_path() -> str:
    """The charts' font file (shipped with the project)."""
    return str(BUNDLED_FONT)


@lru_cache(maxsize=1)
def chart_font() -> FontProperties:
    """The bundled font first, then any installed CJK font, then matplotlib's default."""
    font_manager.fontManager.addfont(cjk_font_path())
    bundled = FT2Font(cjk_font_path()).family_name
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    fallbacks = [name for name in CJK_FAMILIES if name in installed and name != bundled]
    return FontProperties(family=[bundled, *fallbacks, "DejaVu Sans"])


@lru_cache(maxsize=8)
def _charmap(path: str) -> frozenset[int]:
    return frozenset(FT2Font(path).get_charmap())


def font_covers(path: str, texts: Iterable[str] | str) -> bool:
    """True if the font has a glyph for every visible character of ``texts``."""
    chars = {ord(c) for text in ([texts] if isinstance(texts, str) else texts) for c in text}
    chars = {c for c in chars if not chr(c).isspace()}
    return chars <= _charmap(path)


def missing_glyphs(path: str, texts: Iterable[str]) -> str:
    cmap = _charmap(path)
    return "".join(
        sorted({c for text in texts for c in text if not c.isspace()} - {chr(x) for x in cmap})
    )


def chart_labels(view: Overview, legend: dict[str, str], title: str) -> list[str]:
    """Every text the chart will draw (for the font check)."""
    return [title, *legend.values(), *(u.name for u in view.unit_rows if u.total)]


def render_chart(
    view: Overview, *, title: str, legend: dict[str, str], out: Path | None = None
) -> Path:
    """Draw the overview and write a PNG; returns its path (a temp file unless ``out``)."""
    font = chart_font()
    units = [u for u in view.unit_rows if u.total]
    numbers = [r.number for r in view.task_rows]
    if len(units) <= HEATMAP_MAX_UNITS and len(numbers) <= HEATMAP_MAX_TASKS:
        fig = _heatmap(view, units, numbers, font, legend)
    else:
        fig = _bars(view, font, legend)
    fig.suptitle(title, fontproperties=font, fontsize=13)
    if out is None:
        fd, name = tempfile.mkstemp(prefix="coordbot-chart-", suffix=".png")
        os.close(fd)
        out = Path(name)
    FigureCanvasAgg(fig).print_png(str(out))
    # A figure is a web of reference cycles holding its pixel buffer (MBs): free it now, not at
    # the next full collection (a young-generation pass takes well under a millisecond).
    gc.collect(1)
    return out


def _legend(ax: Axes, font: FontProperties, legend: dict[str, str]) -> None:
    handles = [
        Patch(facecolor=COLOURS[CODES[state]], edgecolor="#888888", label=legend[state])
        for state in (DONE, IN_PROGRESS, OVERDUE, NOT_STARTED)
    ]
    ax.legend(handles=handles, prop=font, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _heatmap(
    view: Overview,
    units: list[UnitRow],
    numbers: list[int],
    font: FontProperties,
    legend: dict[str, str],
) -> Figure:
    grid = [[CODES.get(view.matrix.get((u.unit_id, n), ""), 0) for n in numbers] for u in units]
    height = max(3.0, 0.24 * len(units) + 1.5)
    width = max(6.0, 0.42 * len(numbers) + 4.0)
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    if grid and numbers:
        ax.imshow(grid, cmap=ListedColormap(COLOURS), vmin=0, vmax=4, aspect="auto")
    ax.set_xticks(range(len(numbers)), [str(n) for n in numbers], fontsize=8)
    ax.set_yticks(range(len(units)), [u.name for u in units], fontproperties=font, fontsize=8)
    ax.set_xticks([x - 0.5 for x in range(1, len(numbers))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(units))], minor=True)
    ax.grid(which="minor", color="#ffffff", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.xaxis.tick_top()
    _legend(ax, font, legend)
    return fig


def _bars(view: Overview, font: FontProperties, legend: dict[str, str]) -> Figure:
    rows = view.task_rows
    fig = Figure(figsize=(9.0, max(3.0, 0.22 * len(rows) + 1.5)), dpi=110, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    ys = range(len(rows))
    left = [0.0] * len(rows)
    for state, part in (
        (DONE, [r.done for r in rows]),
        (IN_PROGRESS, [r.in_progress for r in rows]),
        (OVERDUE, [len(r.overdue_units) for r in rows]),
    ):
        share = [p / r.total if r.total else 0.0 for p, r in zip(part, rows, strict=True)]
        ax.barh(ys, share, left=left, color=COLOURS[CODES[state]], height=0.8)
        left = [a + b for a, b in zip(left, share, strict=True)]
    ax.set_yticks(list(ys), [str(r.number) for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    _legend(ax, font, legend)
    return fig
