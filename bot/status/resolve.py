"""What ``/status <text>`` asks about: a task (number or title fragment) or a unit (name, alias,
unique fragment, or a close typo offered as a suggestion)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.status.names import NameMatch, UnitName, UnitNames, normalize_name
from storage.models.core import Task, Unit

Kind = Literal["unit", "task", "tasks", "suggest", "none"]
_NUMBER = re.compile(r"^(?:#|第|no\.?\s*)?(\d{1,4})(?:项|号|号任务)?$", re.IGNORECASE)


@dataclass
class Target:
    kind: Kind
    id: int | None = None
    name: str = ""
    units: list[UnitName] = field(default_factory=list)
    tasks: list[tuple[int, str]] = field(default_factory=list)  # (number, title)


def unit_names(session: Session, campaign_id: int) -> UnitNames:
    rows = session.execute(
        select(Unit.id, Unit.name, Unit.aliases).where(
            Unit.campaign_id == campaign_id, Unit.active.is_(True)
        )
    )
    return UnitNames(UnitName(uid, name, tuple(aliases or ())) for uid, name, aliases in rows)


def resolve(session: Session, *, campaign_id: int, text: str) -> Target:
    text = text.strip()
    tasks = session.execute(
        select(Task.id, Task.number, Task.title).where(
            Task.campaign_id == campaign_id, Task.withdrawn.is_(False)
        )
    ).all()
    number = _NUMBER.match(normalize_name(text))
    if number:
        wanted = int(number.group(1))
        found = next((t for t in tasks if t.number == wanted), None)
        if found is None:
            return Target("none", name=text)
        return Target("task", found.id, found.title)
    by_name = session.execute(
        select(Unit.id, Unit.name).where(
            Unit.campaign_id == campaign_id, Unit.active.is_(True), Unit.name == text
        )
    ).first()
    if by_name is not None:  # the common case, answered by the (campaign, name) index
        return Target("unit", by_name.id, by_name.name)
    names = unit_names(session, campaign_id)
    match: NameMatch = names.match(text)
    if match.unit is not None and match.exact:
        return Target("unit", match.unit.id, match.unit.name)
    wanted_text = normalize_name(text)
    titled = [t for t in tasks if wanted_text and wanted_text in normalize_name(t.title)]
    if len(titled) == 1:
        return Target("task", titled[0].id, titled[0].title)
    if match.unit is not None:
        return Target("unit", match.unit.id, match.unit.name)
    if titled:
        ordered = sorted(titled, key=lambda t: t.number)
        return Target("tasks", tasks=[(t.number, t.title) for t in ordered])
    if match.suggestions:
        return Target("suggest", units=match.suggestions)
    return Target("none", name=text)
