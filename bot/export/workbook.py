"""The dossier workbook (openpyxl write-only: rows go to disk as they come, memory stays flat).

Sheets: 联络员名单 (the 附件3 columns, then the unit), 任务矩阵 (units × tasks: state and quota),
佐证清单 (one row per evidence file), 问答 (residents' questions, masked, and the answers),
操作记录 (the audit log).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from bot.export import rows as r
from bot.status.states import pair_state
from storage import status as q
from storage.models.core import Task, TaskUnit, Unit

if TYPE_CHECKING:  # openpyxl (~30 MB) loads with the first export
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Progress = Callable[[str, int, int], None]
ROSTER = [
    "姓名",
    "所属部门",
    "职务",
    "性别",
    "联系电话",
    "移动电话",
    "电子邮箱",
    "填报单位",
    "主要联络员",
    "填报时间",
]
EVIDENCE = [
    "单位",
    "任务",
    "文件名",
    "时间",
    "报送人",
    "SHA-256",
    "审核状态",
    "大小(字节)",
    "类型",
    "报告编号",
]
QUESTIONS = ["编号", "提问时间", "类型", "状态", "紧急", "问题（已脱敏）", "回答", "回答时间"]
AUDIT = ["时间", "操作人", "动作", "对象", "详情"]
STATE_WORDS = {
    "done": "已完成",
    "in_progress": "进行中",
    "overdue": "逾期",
    "not_started": "未开始",
}
REVIEW_WORDS = {
    "pending": "待审核",
    "held": "待审核（暂不计入）",
    "accepted": "已通过",
    "rejected": "已退回",
    "withdrawn": "已撤回",
    "duplicate": "重复",
    "collecting": "接收中",
    "discarded": "作废",
}
EVERY = 500  # rows between progress calls


def local(dt: datetime | None, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""


def write_workbook(
    session: Session,
    *,
    campaign_id: int,
    path: Path,
    tz: ZoneInfo,
    now: datetime,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the workbook; returns how many data rows each sheet got."""
    from openpyxl import Workbook

    tick = progress or (lambda stage, done, total: None)
    book = Workbook(write_only=True)
    counts = {
        "roster": _roster(book.create_sheet("联络员名单"), session, campaign_id, tz, tick),
        "matrix": _matrix(book.create_sheet("任务矩阵"), session, campaign_id, tz, now, tick),
        "evidence": _evidence(book.create_sheet("佐证清单"), session, campaign_id, tz, tick),
        "questions": _questions(book.create_sheet("问答"), session, campaign_id, tz, tick),
        "audit": _audit(book.create_sheet("操作记录"), session, tz, tick),
    }
    book.save(str(path))
    return counts


def _roster(
    ws: WriteOnlyWorksheet, session: Session, cid: int, tz: ZoneInfo, tick: Progress
) -> int:
    ws.append(ROSTER)
    n = 0
    for unit, p in r.roster_rows(session, cid):
        if p is None:
            ws.append(["", "", "", "", "", "", "", unit, "", ""])
        else:
            primary = "是" if p.is_primary else ""
            ws.append(
                [
                    p.name,
                    p.department,
                    p.title,
                    p.gender,
                    p.phone,
                    p.mobile,
                    p.email,
                    unit,
                    primary,
                    local(p.created_at, tz),
                ]
            )
        n += 1
    tick("roster", n, n)
    return n


def _matrix(
    ws: WriteOnlyWorksheet, session: Session, cid: int, tz: ZoneInfo, now: datetime, tick: Progress
) -> int:
    tasks = list(
        session.scalars(
            select(Task)
            .options(lazyload(Task.units), lazyload(Task.quotas))
            .where(Task.campaign_id == cid, Task.withdrawn.is_(False))
            .order_by(Task.number)
        )
    )
    ws.append(["单位", *(f"{t.number}. {t.title[:30]}" for t in tasks)])
    parts: dict[tuple[int, int], str] = {
        (tid, uid): part
        for tid, uid, part in session.execute(
            select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.part)
            .join(Task, Task.id == TaskUnit.task_id)
            .where(Task.campaign_id == cid)
        )
    }
    stats = q.pair_stats(session, campaign_id=cid, keys=q.quota_keys(session, cid))
    targets = q.quota_targets(session, [t.id for t in tasks])
    units = session.execute(
        select(Unit.id, Unit.name)
        .where(Unit.campaign_id == cid, Unit.active.is_(True))
        .order_by(Unit.id)
    ).all()
    for i, (uid, name) in enumerate(units, 1):
        cells: list[Any] = [name]
        for task in tasks:
            part = parts.get((task.id, uid))
            if part is None:
                cells.append("")
                continue
            st = pair_state(task, part, stats.get((task.id, uid)), targets[task.id], now=now, tz=tz)
            text = STATE_WORDS[st.state]
            if st.overdue_days:
                text += f"{st.overdue_days}天"
            quota = "，".join(f"{p.name}{p.done}/{p.target}" for p in st.progress)
            suffix = "（协助）" if part != "responsible" else ""
            cells.append(f"{text}{suffix}" + (f" {quota}" if quota else ""))
        ws.append(cells)
        if i % EVERY == 0:
            tick("matrix", i, len(units))
    tick("matrix", len(units), len(units))
    return len(units)


def _evidence(
    ws: WriteOnlyWorksheet, session: Session, cid: int, tz: ZoneInfo, tick: Progress
) -> int:
    total = r.count_evidence(session, cid)
    ws.append(EVIDENCE)
    n = 0
    for row in r.evidence_rows(session, cid):
        ws.append(
            [
                row.unit,
                row.task_label,
                row.archive_name(tz).rsplit("/", 1)[-1],
                local(row.created_at, tz),
                row.sender,
                row.sha256,
                REVIEW_WORDS.get(row.state, row.state),
                row.size,
                row.mime,
                row.report_id,
            ]
        )
        n += 1
        if n % EVERY == 0:
            tick("evidence", n, total)
    tick("evidence", n, max(n, total))
    return n


def _questions(
    ws: WriteOnlyWorksheet, session: Session, cid: int, tz: ZoneInfo, tick: Progress
) -> int:
    total = r.count_questions(session, cid)
    ws.append(QUESTIONS)
    n = 0
    for qn in r.question_rows(session, cid):
        ws.append(
            [
                qn.id,
                local(qn.created_at, tz),
                qn.kind,
                qn.state,
                "是" if qn.urgent else "",
                qn.masked_text,
                qn.answer or "",
                local(qn.answered_at, tz),
            ]
        )
        n += 1
        if n % EVERY == 0:
            tick("questions", n, total)
    tick("questions", n, max(n, total))
    return n


def _audit(ws: WriteOnlyWorksheet, session: Session, tz: ZoneInfo, tick: Progress) -> int:
    total = r.count_audit(session)
    ws.append(AUDIT)
    n = 0
    for entry in r.audit_rows(session):
        detail = json.dumps(entry.detail or {}, ensure_ascii=False)
        ws.append([local(entry.at, tz), entry.actor_id or "", entry.action, entry.target, detail])
        n += 1
        if n % EVERY == 0:
            tick("audit", n, total)
    tick("audit", n, max(n, total))
    return n
