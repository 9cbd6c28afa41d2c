"""The evidence ZIP: every stored file once, arranged ``unit/task/`` under readable names, with
an index (``索引.csv``, UTF-8 with BOM so Excel reads the Chinese) of every evidence row.

A file whose bytes are already in the archive (same SHA-256: submitted twice, or by two units)
is written once, under its first submission; its other rows in the index name that file. A
file missing on disk is listed as missing, never silently dropped. Photos are stored, not
re-compressed. Rows stream from the database, the index goes to a temp file first and the ZIP
is written by ``ZipStream`` (central directory spooled to disk), so memory does not grow with
the number of files.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.export import rows as r
from bot.export.workbook import REVIEW_WORDS, local
from bot.export.zipstream import ZipStream

INDEX = "索引.csv"
HEADER = [
    "压缩包内路径", "单位", "任务", "报告编号", "文件编号", "时间", "报送人", "SHA-256",
    "大小(字节)", "审核状态", "备注",
]  # fmt: skip
COMPRESSED = ("image/", "video/", "application/zip")


def write_zip(
    session: Session,
    *,
    campaign_id: int,
    media_dir: Path,
    path: Path,
    tz: ZoneInfo,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Write the archive; returns counts of files written, index rows, duplicates, missing."""
    tick = progress or (lambda stage, done, total: None)
    total = r.count_evidence(session, campaign_id)
    counts = {"files": 0, "rows": 0, "duplicates": 0, "missing": 0}
    with (
        tempfile.TemporaryDirectory(dir=path.parent) as tmp,
        ZipStream(path, tz=tz) as archive,
    ):
        index_path = Path(tmp) / "index.csv"
        with index_path.open("w", encoding="utf-8-sig", newline="") as index:
            writer = csv.writer(index)
            writer.writerow(HEADER)
            for row in r.evidence_rows(session, campaign_id):
                counts["rows"] += 1
                name, note = _add(archive, row, media_dir, tz, counts)
                writer.writerow(
                    [name, row.unit, row.task_label, row.report_id, row.file_id,
                     local(row.created_at, tz), row.sender, row.sha256, row.size,
                     REVIEW_WORDS.get(row.state, row.state), note]
                )  # fmt: skip
                if counts["rows"] % 200 == 0:
                    tick("zip", counts["rows"], total)
        archive.write(index_path, INDEX, deflate=True)
    tick("zip", counts["rows"], max(total, counts["rows"]))
    return counts


def _add(
    archive: ZipStream,
    row: r.EvidenceRow,
    media_dir: Path,
    tz: ZoneInfo,
    counts: dict[str, int],
) -> tuple[str, str]:
    """Put the row's file in the archive if it is the first copy; (archive name, note)."""
    if row.first_id != row.file_id:
        counts["duplicates"] += 1
        return "", f"与文件 f{row.first_id} 内容相同，只收录一次"
    source = media_dir / row.path
    if not source.is_file():
        counts["missing"] += 1
        return "", "文件缺失"
    name = row.archive_name(tz)
    archive.write(source, name, deflate=not row.mime.startswith(COMPRESSED))
    counts["files"] += 1
    return name, ""
