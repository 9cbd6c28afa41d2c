"""The dossier export on SQLite and PostgreSQL: the workbook opens and holds the expected rows,
the ZIP holds every stored file exactly once (under unit/task/), and the CLI writes both."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from bot.db import Database
from bot.export.archive import INDEX
from bot.export.dossier import export_campaign
from bot.export.workbook import ROSTER
from storage.models.evidence import EvidenceFile
from tests.repo.test_status import NOW, PHONE, TZ, seed

PHOTOS = {name: f"photo {name} ".encode() * 50 for name in "abcdef"}
FILES = {f"{k}.jpg": v for k, v in PHOTOS.items()}


def write_media(media: Path, *, skip: str = "") -> None:
    for name, data in FILES.items():
        if name != skip:
            (media / "ev").mkdir(parents=True, exist_ok=True)
            (media / "ev" / name).write_bytes(data)


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def test_workbook_and_zip(database: Database, tmp_path: Path) -> None:
    seeded = seed(database, files=FILES)
    media = tmp_path / "media"
    write_media(media)
    stages: set[str] = set()
    result = export_campaign(
        url_of(database),
        campaign_id=seeded.campaign_id,
        out_dir=tmp_path / "out",
        media_dir=media,
        tz=TZ,
        now=NOW,
        progress=lambda stage, done, total: stages.add(stage),
    )
    assert stages == {"roster", "matrix", "evidence", "questions", "audit", "zip"}

    book = load_workbook(result.workbook, read_only=True)
    assert book.sheetnames == ["联络员名单", "任务矩阵", "佐证清单", "问答", "操作记录"]
    roster = [list(r) for r in book["联络员名单"].iter_rows(values_only=True)]
    form = ["姓名", "所属部门", "职务", "性别", "联系电话", "移动电话", "电子邮箱"]  # 附件3
    assert roster[0] == ROSTER and roster[0][:7] == form
    hm = next(r for r in roster if r[7] == "虎门镇")
    assert hm[0] == "王小明" and hm[5] == PHONE
    assert {r[7] for r in roster[1:]} == {"虎门镇", "长安镇", "厚街镇", "宣传部"}
    matrix = [list(r) for r in book["任务矩阵"].iter_rows(values_only=True)]
    assert len(matrix) == 1 + 4 and matrix[0][1].startswith("1. 张贴宣传海报")
    changan = next(r for r in matrix if r[0] == "长安镇")
    assert changan[1] == "进行中 海报40/100" and changan[2] == "逾期5天"
    evidence = [list(r) for r in book["佐证清单"].iter_rows(values_only=True)][1:]
    with database.transaction() as s:
        stored = s.scalars(select(EvidenceFile)).all()
        shas = {f.sha256 for f in stored}
    assert len(evidence) == len(stored) == 7
    assert {r[5] for r in evidence} == shas
    assert {r[6] for r in evidence} >= {"待审核", "已通过", "已退回", "已撤回"}

    with zipfile.ZipFile(result.archive) as archive:
        names = archive.namelist()
        assert INDEX in names and len(names) == len(set(names))
        photos = [n for n in names if n != INDEX]
        digests = [hashlib.sha256(archive.read(n)).hexdigest() for n in photos]
        index = list(csv.reader(io.StringIO(archive.read(INDEX).decode("utf-8-sig"))))
    assert sorted(digests) == sorted(shas)  # every stored file, exactly once
    assert all(n.count("/") == 2 for n in photos)
    assert any(n.startswith("虎门镇/01-张贴宣传海报/") for n in photos)
    assert len(index) == 1 + 7
    assert sum(1 for row in index[1:] if "只收录一次" in row[10]) == 1  # a.jpg twice
    assert result.files == {"files": 6, "rows": 7, "duplicates": 1, "missing": 0}


def test_a_missing_file_is_listed_not_dropped(sqlite_db: Database, tmp_path: Path) -> None:
    seeded = seed(sqlite_db, files=FILES)
    media = tmp_path / "media"
    write_media(media, skip="f.jpg")
    result = export_campaign(
        url_of(sqlite_db),
        campaign_id=seeded.campaign_id,
        out_dir=tmp_path / "out",
        media_dir=media,
        tz=TZ,
        now=NOW,
    )
    assert result.files["missing"] == 1 and result.files["files"] == 5
    with zipfile.ZipFile(result.archive) as archive:
        index = archive.read(INDEX).decode("utf-8-sig")
    assert "文件缺失" in index


def test_cli_writes_both_files(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app

    seed(sqlite_db, files=FILES)
    media = tmp_path / "media"
    write_media(media)
    monkeypatch.setenv("COORDBOT_DATABASE_URL", url_of(sqlite_db))
    monkeypatch.setenv("COORDBOT_MEDIA_DIR", str(media))
    out = tmp_path / "dossier"
    result = CliRunner().invoke(app, ["export", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.xlsx"))) == 1 and len(list(out.glob("*.zip"))) == 1
    assert "6 files" in result.output
    bad = CliRunner().invoke(app, ["export", "--out", str(out), "--campaign", "nope"])
    assert bad.exit_code == 1 and "nope" in bad.output


def test_names_and_zip_entries_use_the_campaign_clock(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time
    from datetime import datetime

    monkeypatch.setenv("TZ", "UTC")  # a server on UTC, a campaign in Shanghai
    time.tzset()
    try:
        seeded = seed(sqlite_db, files=FILES)
        media = tmp_path / "media"
        write_media(media)
        moment = datetime(2013, 11, 10, 23, 30, tzinfo=TZ)  # 15:30 UTC
        for name in FILES:
            os.utime(media / "ev" / name, (moment.timestamp(), moment.timestamp()))
        result = export_campaign(
            url_of(sqlite_db),
            campaign_id=seeded.campaign_id,
            out_dir=tmp_path / "out",
            media_dir=media,
            tz=ZoneInfo("UTC"),  # the process's zone: the campaign's wins
            now=moment,
        )
        assert result.workbook.name.endswith("-20131110-233000.xlsx")
        with zipfile.ZipFile(result.archive) as archive:
            photos = [i for i in archive.infolist() if i.filename != INDEX]
        assert {i.date_time[:5] for i in photos} == {(2013, 11, 10, 23, 30)}
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
