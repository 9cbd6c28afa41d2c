"""Evidence texts from the message catalogue: acknowledgements, progress, review notices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.evidence.progress import ItemProgress
from bot.evidence.report import Outcome
from bot.evidence.review import ReviewResult
from bot.evidence.screen import Flag
from bot.i18n import Catalog
from storage.models.core import Task

T = Callable[..., str]
FOLLOWUP_MINUTES = 5


def translator(catalog: Catalog, locale: str | None) -> T:
    def t(key: str, /, **values: Any) -> str:
        return catalog.t(locale, key, **values)

    return t


def progress_text(t: T, progress: Sequence[ItemProgress]) -> str:
    """Progress against each quota, e.g. ``海报 120/100 ✓，标语 6/10 还差4``."""
    parts = [
        t(
            "evidence.progress.reached" if p.reached else "evidence.progress.missing",
            name=p.name,
            done=p.done,
            target=p.target,
            left=p.missing,
        )
        for p in progress
    ]
    return t("evidence.progress.sep").join(parts)


def task_lines(t: T, tasks: Sequence[Task]) -> str:
    if not tasks:
        return t("evidence.done.no_tasks")
    return "\n".join(
        t("evidence.done.task_line", number=x.number, title=_short(x.title)) for x in tasks
    )


def _short(title: str, size: int = 40) -> str:
    return title if len(title) <= size else title[: size - 1] + "…"


def _refs(ids: Sequence[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def ack_text(t: T, out: Outcome) -> str:
    """What the liaison is told after a /done (or photos joining one)."""
    refs = _refs(out.repeated_reports)
    if out.state == "duplicate":
        lines = [t("evidence.done.repeat", reports=refs)]
    elif out.joined and not out.new_files and out.repeated_reports:
        lines = [t("evidence.done.repeat_joined", reports=refs)]
    elif out.joined and not out.new_files:
        lines = [t("evidence.done.already_in", id=out.report_id, number=out.task_number)]
    elif out.joined:
        lines = [
            t(
                "evidence.done.joined",
                n=out.new_files,
                number=out.task_number,
                id=out.report_id,
                total=out.total_files,
            )
        ]
    else:
        lines = [
            t(
                "evidence.done.recorded",
                number=out.task_number,
                id=out.report_id,
                files=out.total_files,
            )
        ]
    if out.repeated_reports and out.new_files:
        lines.append(t("evidence.done.partly_repeat", n=out.repeated_files, reports=refs))
    if out.state == "held":
        lines.append(t("evidence.done.held", id=out.report_id))
        lines.extend(flag_lines(t, out.flags))
    if out.progress:
        lines.append(t("evidence.progress.title") + progress_text(t, out.progress))
        if not out.counts and not out.joined and out.state != "duplicate":
            lines.append(t("evidence.done.add_counts"))
    if not out.joined and out.state != "duplicate":
        lines.append(t("evidence.done.more_photos", minutes=FOLLOWUP_MINUTES))
    return "\n".join(lines)


def flag_lines(t: T, flags: Sequence[Flag]) -> list[str]:
    """One line per reason a report is held (see ``bot.evidence.screen``)."""
    lines = []
    for flag in flags:
        if flag.kind == "text":
            lines.append(t("evidence.flag.text", text=flag.text))
        else:
            lines.append(
                t(
                    f"evidence.flag.{flag.kind}",
                    id=flag.report_id,
                    unit=flag.unit,
                    number=flag.task_number if flag.task_number is not None else "-",
                )
            )
    return lines


def review_notice(t: T, result: ReviewResult) -> str:
    """The liaison's notice after a coordinator's decision."""
    key = "evidence.review.notify_accepted"
    if result.state == "rejected":
        key = "evidence.review.notify_rejected"
    return t(key, id=result.report_id, number=result.task_number, reason=result.reason)


def review_problem(t: T, result: ReviewResult) -> str:
    if result.problem == "missing":
        return t("evidence.review.missing", id=result.report_id)
    return t(
        "evidence.review.state", id=result.report_id, state=t(f"evidence.state.{result.state}")
    )


def counts_text(t: T, counts: dict[str, Any], names: dict[str, str]) -> str:
    if not counts:
        return t("evidence.review.no_counts")
    return " ".join(f"{names.get(k, k)}{v}" for k, v in counts.items())
