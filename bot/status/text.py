"""/status views as text in the reader's language (long texts are split by ``turn.reply``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.render import fmt_datetime
from bot.status.overview import Overview
from bot.status.states import ASSISTING, OVERDUE, PairState, Progress
from bot.status.views import TaskView, UnitView

T = Callable[..., str]
SHORT_TITLE = 24
LAGGING_UNITS = 10
LIST_UNITS = 8


def short(title: str, limit: int = SHORT_TITLE) -> str:
    title = title.replace("\n", " ")
    return title if len(title) <= limit else title[: limit - 1] + "…"


def names_list(t: T, names: list[str], limit: int = LIST_UNITS) -> str:
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + " " + t("status.overview.more_units", n=len(names))


def progress_text(t: T, items: tuple[Progress, ...]) -> str:
    return "，".join(
        t("status.progress_item", name=p.name, done=p.done, target=p.target, measure=p.measure)
        for p in items
    )


def state_text(t: T, state: PairState) -> tuple[str, str]:
    """(icon, words) for a state, e.g. ("🔴", "逾期 3 天")."""
    words = t(f"status.state.{state.state}", days=state.overdue_days)
    return t(f"status.icon.{state.state}"), words


class Renderer:
    def __init__(self, t: T, tz: ZoneInfo, locale: str) -> None:
        self.t, self.tz, self.locale = t, tz, locale

    def when(self, dt: Any) -> str:
        return fmt_datetime(dt, self.tz, self.locale)

    def _progress(self, state: PairState) -> str:
        text = progress_text(self.t, state.progress)
        return (
            f"：{text}" if text and self.locale.startswith("zh") else (f": {text}" if text else "")
        )

    def unit(self, view: UnitView) -> str:
        t = self.t
        lines = [t("status.unit.title", name=view.name)]
        if view.liaisons:
            for p in view.liaisons:
                role = "，".join(x for x in (p.department, p.title) if x)
                lines.append(
                    t(
                        "status.unit.liaison",
                        name=p.name,
                        role=f"（{role}）" if role else "",
                        primary=t("status.unit.liaison_primary") if p.is_primary else "",
                    )
                )
                if p.phone or p.mobile or p.email:
                    dash = "—"
                    lines.append(
                        t(
                            "status.unit.contacts",
                            phone=p.phone or dash,
                            mobile=p.mobile or dash,
                            email=p.email or dash,
                        )
                    )
        elif view.liaison_count:
            lines.append(t("status.unit.liaison_count", n=view.liaison_count))
        else:
            lines.append(t("status.unit.no_liaison"))
        if not view.tasks:
            lines.append(t("status.unit.no_tasks"))
        else:
            lines.append(t("status.unit.tasks", n=len(view.tasks)))
        for line in view.tasks:
            icon, words = state_text(t, line.state)
            progress = self._progress(line.state)
            if line.state.state in (OVERDUE, "not_started"):
                progress += t("status.unit.deadline", when=self.when(line.deadline))
            lines.append(
                t(
                    "status.unit.task",
                    icon=icon,
                    number=line.number,
                    title=short(line.title),
                    part=t("status.part.assisting") if line.part == ASSISTING else "",
                    state=words,
                    progress=progress,
                )
            )
        if view.reports:
            lines.append(t("status.unit.evidence", reports=view.reports, files=view.files))
            if view.last_report is not None:
                lines.append(t("status.unit.last_report", when=self.when(view.last_report)))
        else:
            lines.append(t("status.unit.no_reports"))
        if view.next_interview is not None:
            number, at = view.next_interview
            lines.append(t("status.unit.interview", number=number, when=self.when(at)))
        if view.next_reminder is not None:
            lines.append(t("status.unit.reminder", when=self.when(view.next_reminder)))
        return "\n".join(lines)

    def task(self, view: TaskView) -> str:
        t = self.t
        lines = [t("status.task.title", number=view.number, title=view.title)]
        if view.starts_at is not None:
            lines.append(t("status.task.starts", when=self.when(view.starts_at)))
        lines.append(t("status.task.deadline", when=self.when(view.deadline)))
        responsible = view.responsible
        if not view.lines:
            lines.append(t("status.task.no_units"))
            return "\n".join(lines)
        counts = {
            s: sum(1 for x in responsible if x.state.state == s)
            for s in ("done", "in_progress", OVERDUE)
        }
        lines.append(
            t(
                "status.task.summary",
                done=counts["done"],
                total=len(responsible),
                in_progress=counts["in_progress"],
                overdue=counts[OVERDUE],
            )
        )
        first = next((x for x in responsible if x.state.progress), None)
        if first is not None:
            items = "，".join(f"{p.name} {p.target}{p.measure}" for p in first.state.progress)
            lines.append(t("status.task.targets", items=items))
        for x in view.lines:
            icon, words = state_text(t, x.state)
            lines.append(
                t(
                    "status.task.line",
                    icon=icon,
                    name=x.name,
                    part=t("status.part.assisting") if x.part == ASSISTING else "",
                    state=words,
                    progress=self._progress(x.state),
                )
            )
        late = [x for x in responsible if x.state.state == OVERDUE]
        if late:
            names = [x.name for x in late]
            lines.append(
                t(
                    "status.task.overdue_list",
                    days=late[0].state.overdue_days,
                    n=len(late),
                    units="、".join(names),
                )
            )
        return "\n".join(lines)

    def overview(self, view: Overview) -> str:
        t = self.t
        lines = [
            t("status.title", title=view.title),
            t("status.counts", units=view.units, tasks=view.tasks, **view.by_state),
        ]
        if view.next_deadline is not None:
            lines.append(t("status.next", when=self.when(view.next_deadline)))
        if view.total_pairs:
            percent = round(100 * view.done_pairs / view.total_pairs)
            lines.append(
                t(
                    "status.overview.total",
                    done=view.done_pairs,
                    total=view.total_pairs,
                    percent=percent,
                )
            )
        lines.append(t("status.overview.by_task"))
        for row in view.task_rows:
            late = t("status.overview.late", days=row.overdue_days) if row.overdue_units else ""
            lines.append(
                t(
                    "status.overview.task_row",
                    number=row.number,
                    title=short(row.title),
                    done=row.done,
                    total=row.total,
                    late=late,
                )
            )
        behind = sorted(
            (u for u in view.unit_rows if u.total and u.done < u.total),
            key=lambda u: (u.done / u.total, -u.overdue, u.unit_id),
        )[:LAGGING_UNITS]
        if behind:
            lines.append(t("status.overview.by_unit"))
            for u in behind:
                late = t("status.overview.unit_late", n=u.overdue) if u.overdue else ""
                lines.append(
                    t(
                        "status.overview.unit_row",
                        name=u.name,
                        done=u.done,
                        total=u.total,
                        late=late,
                    )
                )
        overdue = [r for r in view.task_rows if r.overdue_units]
        lines.append(t("status.overview.overdue") if overdue else t("status.overview.none_overdue"))
        for row in overdue:
            lines.append(
                t(
                    "status.overview.overdue_row",
                    number=row.number,
                    title=short(row.title),
                    days=row.overdue_days,
                    units=names_list(t, row.overdue_units),
                )
            )
        if view.without_liaison is not None:
            if view.without_liaison:
                lines.append(
                    t(
                        "status.overview.without_liaison",
                        n=len(view.without_liaison),
                        units=names_list(t, view.without_liaison, 12),
                    )
                )
            else:
                lines.append(t("status.overview.all_registered"))
        return "\n".join(lines)
