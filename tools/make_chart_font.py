"""Rebuild ``bot/status/fonts/NotoSansSC-GB2312.otf``, the charts' own CJK font.

A subset of Noto Sans CJK SC Regular (SIL Open Font License 1.1; the licence is kept next to
the font as ``OFL.txt``) covering GB 2312, ASCII, Latin-1, CJK and full-width punctuation and
every character of the shipped campaigns, FAQs and message catalogues, so charts draw Chinese on
a machine without a system CJK font. Run it again when a campaign brings a new rare character
(``tests/unit/test_status_chart.py`` names any missing one)::

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
    .venv/bin/python tools/make_chart_font.py \
        /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "status" / "fonts" / "NotoSansSC-GB2312.otf"
FAMILY = "Noto Sans CJK SC"


def gb2312() -> set[str]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted() -> str:
    chars = gb2312()
    chars |= {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x180)}
    chars |= {chr(c) for c in range(0x2000, 0x2070)}  # general punctuation
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}  # full-width forms
    for folder in ("config", "tests/data/campaigns"):
        for path in (ROOT / folder).rglob("*.yaml"):
            chars |= set(path.read_text(encoding="utf-8"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def main(ttc: str) -> None:
    collection = TTCollection(ttc)
    index = next(i for i, f in enumerate(collection.fonts) if f["name"].getDebugName(1) == FAMILY)
    options = subset.Options()
    options.font_number = index
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # charts are drawn at small sizes by Agg, which hints by itself
    font = subset.load_font(ttc, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=wanted())
    subsetter.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(OUT), options)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1])
