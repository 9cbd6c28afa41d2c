"""Campaign YAML -> ``CampaignSpec``, or ``CampaignErrors`` listing every problem with its line.

The file is composed (not constructed) so every node keeps its line; see docs/campaign-format.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import Node

from bot.campaign.directory import read_units
from bot.campaign.nodes import Reader, compose
from bot.campaign.sections import read_groups, read_interviews, read_quota_items, read_tasks
from bot.campaign.spec import (
    DEADLINE_TIME,
    DEFAULT_REMINDERS,
    QUIET_RE,
    REMINDER_KINDS,
    CampaignSpec,
    ReminderOffset,
    ReminderPolicy,
)

LINE_RE = re.compile(r"^[^:]*? \(line (\d+)\):")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
TOP_KEYS = ("version", "campaign", "units", "groups", "quota_items", "tasks", "interviews")
CAMPAIGN_KEYS = ("timezone", "registration_deadline", "faq", "reminders")


class CampaignErrors(Exception):
    """Every problem found in a campaign file, one line each: ``path (line N): message``."""

    def __init__(self, errors: list[str], file: str | Path | None = None) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)
        self.file = str(file) if file is not None else None

    def lines(self) -> list[str]:
        """The errors, each prefixed with the file name when known."""
        return [f"{self.file}: {e}" if self.file else e for e in self.errors]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def parse_file(path: str | Path, *, check_files: bool = True) -> CampaignSpec:
    """Read and validate a campaign file; raise ``CampaignErrors`` naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignErrors([f"document: cannot read the file: {exc}"], path) from None
    return parse_text(text, source=path, check_files=check_files)


def parse_text(
    text: str, *, source: str | Path | None = None, check_files: bool = True
) -> CampaignSpec:
    """Validate campaign YAML. ``source`` is the file (FAQ paths are relative to its folder);
    ``check_files=False`` skips checking that the FAQ file exists."""
    reader = Reader()
    src = Path(source).resolve() if source is not None else None
    root = compose(text, reader)
    spec = _read(reader, root, src, check_files) if root is not None else None
    if reader.errors or spec is None:
        raise CampaignErrors(sorted(reader.errors, key=_line_of), source)
    return spec


def _line_of(error: str) -> int:
    m = LINE_RE.search(error)
    return int(m.group(1)) if m else 0


def _read(reader: Reader, root: Node, src: Path | None, check_files: bool) -> CampaignSpec | None:
    top = reader.mapping(root, "", required=("version", "campaign", "units"), optional=TOP_KEYS[3:])
    if top is None:
        return None
    if "version" in top:
        version = reader.integer(top["version"], "version")
        if version is not None and version != 1:
            reader.error("version", top["version"], f"unsupported version {version} (expected 1)")
    head = _read_campaign(reader, top.get("campaign"), src, check_files)
    tz = ZoneInfo(head.get("timezone") or "Asia/Shanghai")
    units = read_units(reader, top.get("units"))
    quota_items = read_quota_items(reader, top.get("quota_items"), "quota_items")
    groups = read_groups(reader, top.get("groups"), "groups", units)
    keys = {q.key for q in quota_items}
    tasks = read_tasks(reader, top.get("tasks"), "tasks", units, keys, tz)
    interviews = read_interviews(reader, top.get("interviews"), "interviews", units, tz)
    if reader.errors or "slug" not in head:
        return None
    return CampaignSpec(
        slug=head["slug"],
        title=head["title"],
        timezone=head["timezone"],
        registration_deadline=head.get("registration_deadline"),
        faq=head.get("faq"),
        reminders=head["reminders"],
        units=tuple(units.units),
        quota_items=tuple(quota_items),
        groups=tuple(groups),
        tasks=tuple(tasks),
        interviews=tuple(interviews),
        source=src,
    )


def _read_campaign(
    reader: Reader, node: Node | None, src: Path | None, check_files: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"timezone": "Asia/Shanghai", "reminders": ReminderPolicy.default()}
    m = (
        reader.mapping(node, "campaign", required=("slug", "title"), optional=CAMPAIGN_KEYS)
        if node is not None
        else None
    )
    if m is None:
        return {}
    if "timezone" in m:
        name = reader.text(m["timezone"], "campaign.timezone")
        try:
            ZoneInfo(name or "")
            out["timezone"] = name
        except (ZoneInfoNotFoundError, ValueError):
            if name:
                reader.error("campaign.timezone", m["timezone"], f"unknown time zone {name!r}")
    tz = ZoneInfo(out["timezone"])
    slug = reader.text(m["slug"], "campaign.slug") if "slug" in m else None
    if slug is not None and not SLUG_RE.match(slug):
        reader.error("campaign.slug", m["slug"], f"{slug!r} must be lower-case letters, digits, -")
    elif slug is not None:
        out["slug"] = slug
    out["title"] = reader.text(m["title"], "campaign.title") if "title" in m else None
    if "registration_deadline" in m:
        at = reader.when(
            m["registration_deadline"], "campaign.registration_deadline", tz, DEADLINE_TIME
        )
        out["registration_deadline"] = at
    if "faq" in m:
        out["faq"] = _read_faq(reader, m["faq"], src, check_files)
    if "reminders" in m:
        out["reminders"] = _read_reminders(reader, m["reminders"]) or out["reminders"]
    return out


def _read_faq(reader: Reader, node: Node, src: Path | None, check_files: bool) -> Path | None:
    rel = reader.text(node, "campaign.faq")
    if rel is None:
        return None
    base = src.parent if src is not None else Path.cwd()
    path = (base / rel).resolve()
    if check_files and not path.is_file():
        reader.error("campaign.faq", node, f"FAQ file {rel!r} not found (looked for {path})")
    return path


def _read_reminders(reader: Reader, node: Node) -> ReminderPolicy | None:
    optional = (*REMINDER_KINDS, "quiet_hours", "office_hours")
    m = reader.mapping(node, "campaign.reminders", optional=optional)
    if m is None:
        return None
    data: dict[str, Any] = dict(DEFAULT_REMINDERS)
    ok = True
    for kind in REMINDER_KINDS:
        if kind not in m:
            continue
        offsets = []
        for item in reader.texts(m[kind], f"campaign.reminders.{kind}"):
            try:
                offsets.append(str(ReminderOffset.parse(item.value)))
            except ValueError as exc:
                reader.error(item.path, item.node, str(exc))
                ok = False
        data[kind] = offsets
    if "quiet_hours" in m:
        quiet = reader.text(m["quiet_hours"], "campaign.reminders.quiet_hours")
        if quiet is not None and not QUIET_RE.match(quiet):
            reader.error(
                "campaign.reminders.quiet_hours", m["quiet_hours"], f"{quiet!r} is not HH:MM-HH:MM"
            )
            ok = False
        data["quiet_hours"] = quiet
    if "office_hours" in m:
        from bot.when.office import OfficeHours

        hours = reader.text(m["office_hours"], "campaign.reminders.office_hours")
        try:
            data["office_hours"] = str(OfficeHours.parse(hours or ""))
        except ValueError as exc:
            reader.error("campaign.reminders.office_hours", m["office_hours"], str(exc))
            ok = False
    return ReminderPolicy.from_json(data) if ok else None
