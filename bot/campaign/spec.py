"""The parsed, validated campaign: plain frozen dataclasses, every name already resolved.

``bot.campaign.parse`` builds these from YAML; ``bot.campaign.loader`` writes them to the database.
Datetimes are aware, in the campaign's time zone. Unit references in tasks, interviews and groups
are canonical unit names (aliases and tags already expanded), in file order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

UNIT_KINDS = ("town", "department", "company", "media", "other")
GROUP_PURPOSES = ("coordination", "unit", "residents")
REMINDER_KINDS = ("task_deadline", "interview", "registration")
DEFAULT_REMINDERS: dict[str, Any] = {
    "task_deadline": ["3d", "1d", "0d@09:00"],
    "interview": ["7d", "1d"],
    "registration": ["3d", "1d"],
    "quiet_hours": "21:00-08:00",
    "office_hours": "09:00-12:00, 13:30-17:30",
}
DEADLINE_TIME = time(23, 59)  # a deadline given as a date means the end of that day
INTERVIEW_TIME = time(9, 0)  # an interview given as a date starts at 09:00
OFFSET_RE = re.compile(r"^(\d{1,3})([dh])(?:@([01]?\d|2[0-3]):([0-5]\d))?$")
QUIET_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class ReminderOffset:
    """``3d`` = 3 days before, ``2h`` = 2 hours before, ``0d@09:00`` = that day at 09:00 local.

    Without ``@``, a day offset keeps the time of day of the thing reminded of.
    """

    days: int = 0
    hours: int = 0
    at: time | None = None

    @classmethod
    def parse(cls, text: str) -> ReminderOffset:
        m = OFFSET_RE.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a reminder offset like 3d, 2h or 0d@09:00")
        n, unit, hh, mm = m.groups()
        if unit == "h" and hh is not None:
            raise ValueError(f"{text!r}: '@HH:MM' only goes with a day offset")
        at = time(int(hh), int(mm)) if hh is not None else None
        return cls(days=int(n) if unit == "d" else 0, hours=int(n) if unit == "h" else 0, at=at)

    def __str__(self) -> str:
        base = f"{self.hours}h" if self.hours else f"{self.days}d"
        return f"{base}@{self.at:%H:%M}" if self.at else base


@dataclass(frozen=True)
class ReminderPolicy:
    task_deadline: tuple[ReminderOffset, ...]
    interview: tuple[ReminderOffset, ...]
    registration: tuple[ReminderOffset, ...]
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    office_hours: str = DEFAULT_REMINDERS["office_hours"]  # see bot.when.office.OfficeHours

    @classmethod
    def default(cls) -> ReminderPolicy:
        return cls.from_json(DEFAULT_REMINDERS)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReminderPolicy:
        """Read the shape stored in ``Campaign.reminder_policy`` (see ``to_json``)."""
        merged = {**DEFAULT_REMINDERS, **(data or {})}
        m = QUIET_RE.match(str(merged["quiet_hours"]))
        if not m:
            raise ValueError(f"{merged['quiet_hours']!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        task, interview, registration = (
            tuple(ReminderOffset.parse(str(x)) for x in merged[k]) for k in REMINDER_KINDS
        )
        return cls(
            task_deadline=task,
            interview=interview,
            registration=registration,
            quiet_start=time(h1, m1),
            quiet_end=time(h2, m2),
            office_hours=str(merged["office_hours"]),
        )

    def to_json(self) -> dict[str, Any]:
        """``{"task_deadline": ["3d", "1d", "0d@09:00"], ..., "quiet_hours": "21:00-08:00"}``."""
        out: dict[str, Any] = {k: [str(o) for o in getattr(self, k)] for k in REMINDER_KINDS}
        out["quiet_hours"] = f"{self.quiet_start:%H:%M}-{self.quiet_end:%H:%M}"
        out["office_hours"] = self.office_hours
        return out


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: str = "other"
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuotaItemSpec:
    key: str
    name: str
    measure: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupSpec:
    """A chat bound to units and/or tags; no units and no tags = the whole campaign."""

    chat_id: int
    title: str = ""
    purpose: str = "unit"
    units: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskSpec:
    number: int
    title: str
    deadline: datetime
    responsible: tuple[str, ...]
    assisting: tuple[str, ...] = ()
    starts: datetime | None = None
    quota: tuple[tuple[str, int], ...] = ()  # (quota item key, target per responsible unit)
    notes: str = ""
    phase: str = ""
    responsible_refs: tuple[str, ...] = ()  # as written in the file (names, aliases, tags)
    assisting_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class InterviewSpec:
    number: int
    at: datetime
    units: tuple[str, ...]
    notes: str = ""
    contact_days_before: int = 7


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    title: str
    timezone: str
    units: tuple[UnitSpec, ...]
    tasks: tuple[TaskSpec, ...] = ()
    interviews: tuple[InterviewSpec, ...] = ()
    quota_items: tuple[QuotaItemSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    registration_deadline: datetime | None = None
    faq: Path | None = None  # resolved against the campaign file's folder
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy.default)
    source: Path | None = None
    rebase_days: int = 0

    def unit(self, name: str) -> UnitSpec:
        return next(u for u in self.units if u.name == name)

    def summary(self) -> str:
        return (
            f"{self.slug}: {len(self.units)} units, {len(self.tasks)} tasks, "
            f"{len(self.interviews)} interviews"
        )
