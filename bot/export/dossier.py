"""The inspection dossier (资料汇编): an Excel workbook and a ZIP of the evidence files.

``export_campaign`` is what ``coordbot export --out DIR`` and ``/export`` both run. It reads
through its own connection: on SQLite without ``BEGIN IMMEDIATE`` (WAL readers never block the
bot's writers, so a long export does not stall the bot), on PostgreSQL in one repeatable-read
snapshot, so the workbook and the ZIP describe the same moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db import sqlalchemy_url
from bot.export.archive import write_zip
from bot.export.workbook import write_workbook
from storage.models.core import Campaign

Progress = Callable[[str, int, int], None]
TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024


@dataclass
class ExportResult:
    workbook: Path
    archive: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)

    @property
    def archive_size(self) -> int:
        return self.archive.stat().st_size


def reader_engine(url: str) -> Engine:
    url = sqlalchemy_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    return create_engine(url, isolation_level="REPEATABLE READ")


def export_campaign(
    database_url: str,
    *,
    campaign_id: int,
    out_dir: Path,
    media_dir: Path,
    tz: ZoneInfo,
    now: datetime,
    progress: Progress | None = None,
) -> ExportResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = reader_engine(database_url)
    try:
        with Session(engine) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise LookupError(f"no campaign with id {campaign_id}")
            # one clock for names, sheets and ZIP entries: the campaign's (the server's is UTC)
            tz = ZoneInfo(campaign.timezone) if campaign.timezone else tz
            stamp = now.astimezone(tz).strftime("%Y%m%d-%H%M%S")
            result = ExportResult(
                out_dir / f"资料汇编-{campaign.slug}-{stamp}.xlsx",
                out_dir / f"佐证文件-{campaign.slug}-{stamp}.zip",
            )
            result.rows = write_workbook(
                session,
                campaign_id=campaign_id,
                path=result.workbook,
                tz=tz,
                now=now,
                progress=progress,
            )
            result.files = write_zip(
                session,
                campaign_id=campaign_id,
                media_dir=media_dir,
                path=result.archive,
                tz=tz,
                progress=progress,
            )
            return result
    finally:
        engine.dispose()
