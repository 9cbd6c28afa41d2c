"""Files no evidence row refers to are swept; referenced, young and foreign files are kept."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.evidence.media import sweep_orphans


def put(root: Path, relative: str, *, age: float) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_sweep_keeps_what_is_referenced_or_young(tmp_path: Path) -> None:
    kept = put(tmp_path, "ab/cd/abcd01.jpg", age=7200)
    orphan = put(tmp_path, "ab/cd/abcd02.jpg", age=7200)
    temp = put(tmp_path, "ab/cd/.abcd03.1234.tmp", age=7200)
    young = put(tmp_path, "ef/01/ef0104.jpg", age=10)
    export = put(tmp_path, "exports/roster.xlsx", age=7200)
    removed = sweep_orphans(tmp_path, {"ab/cd/abcd01.jpg"}, older_than=3600)
    assert removed == 2
    assert kept.exists() and young.exists() and export.exists()
    assert not orphan.exists() and not temp.exists()
