"""Reading ``quota_items``, ``groups``, ``tasks`` and ``interviews`` (after ``units``)."""

from __future__ import annotations

import re
from datetime import time, tzinfo

from yaml.nodes import MappingNode, Node

from bot.campaign.directory import Directory
from bot.campaign.nodes import Item, Reader, describe
from bot.campaign.spec import (
    DEADLINE_TIME,
    GROUP_PURPOSES,
    INTERVIEW_TIME,
    GroupSpec,
    InterviewSpec,
    QuotaItemSpec,
    TaskSpec,
)

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _items(reader: Reader, node: Node | None, path: str) -> list[Node]:
    return (reader.sequence(node, path) or []) if node is not None else []


def _nonempty(reader: Reader, node: Node, path: str) -> list[Item]:
    before = len(reader.errors)
    refs = reader.texts(node, path)
    if not refs and len(reader.errors) == before:
        reader.error(path, node, "at least one unit is needed")
    return refs


def read_quota_items(reader: Reader, node: Node | None, path: str) -> list[QuotaItemSpec]:
    out: list[QuotaItemSpec] = []
    words: dict[str, str] = {}  # every word a user may type -> item key
    for i, item in enumerate(_items(reader, node, path)):
        p = f"{path}[{i}]"
        m = reader.mapping(item, p, required=("key", "name"), optional=("measure", "aliases"))
        if m is None or "key" not in m or "name" not in m:
            continue
        key, name = reader.text(m["key"], f"{p}.key"), reader.text(m["name"], f"{p}.name")
        measure = (
            reader.text(m["measure"], f"{p}.measure", nonempty=False) if "measure" in m else ""
        )
        if key is None or name is None:
            continue
        if not KEY_RE.match(key):
            reader.error(f"{p}.key", m["key"], f"{key!r} must be lower-case letters, digits, _")
            continue
        if key in (q.key for q in out):
            reader.error(f"{p}.key", m["key"], f"duplicate quota item key {key!r}")
            continue
        aliases: list[str] = []
        for word in [
            (name, m["name"], f"{p}.name"),
            *reader.texts(m.get("aliases"), f"{p}.aliases"),
        ]:
            value, wnode, wpath = word
            if words.get(value, key) != key:
                reader.error(wpath, wnode, f"{value!r} already names quota item {words[value]!r}")
            elif value not in aliases and value != name:
                aliases.append(value)
            words.setdefault(value, key)
        out.append(QuotaItemSpec(key=key, name=name, measure=measure or "", aliases=tuple(aliases)))
    return out


def read_groups(reader: Reader, node: Node | None, path: str, units: Directory) -> list[GroupSpec]:
    out: list[GroupSpec] = []
    for i, item in enumerate(_items(reader, node, path)):
        p = f"{path}[{i}]"
        m = reader.mapping(
            item, p, required=("chat_id",), optional=("title", "purpose", "units", "tags")
        )
        if m is None or "chat_id" not in m:
            continue
        chat_id = reader.integer(m["chat_id"], f"{p}.chat_id")
        title = reader.text(m["title"], f"{p}.title", nonempty=False) if "title" in m else ""
        purpose = reader.text(m["purpose"], f"{p}.purpose") if "purpose" in m else "unit"
        if purpose is not None and purpose not in GROUP_PURPOSES:
            reader.error(
                f"{p}.purpose",
                m["purpose"],
                f"{purpose!r} is not one of {', '.join(GROUP_PURPOSES)}",
            )
        if chat_id is not None and chat_id in (g.chat_id for g in out):
            reader.error(f"{p}.chat_id", m["chat_id"], f"chat {chat_id} is listed twice")
            continue
        bound_units: list[str] = []
        tags: list[str] = []
        for ref in reader.texts(m.get("units"), f"{p}.units"):
            if ref.value in units.tags:
                tags.append(ref.value)
            elif ref.value in units.names:
                bound_units.append(units.names[ref.value])
            else:
                reader.error(ref.path, ref.node, f"unknown unit or tag {ref.value!r}")
        for ref in reader.texts(m.get("tags"), f"{p}.tags"):
            if ref.value in units.tags:
                tags.append(ref.value)
            else:
                reader.error(ref.path, ref.node, f"unknown tag {ref.value!r}")
        if chat_id is not None and purpose in GROUP_PURPOSES:
            out.append(
                GroupSpec(
                    chat_id=chat_id,
                    title=title or "",
                    purpose=purpose or "unit",
                    units=tuple(dict.fromkeys(bound_units)),
                    tags=tuple(dict.fromkeys(tags)),
                )
            )
    return out


def read_tasks(
    reader: Reader,
    node: Node | None,
    path: str,
    units: Directory,
    quota_keys: set[str],
    tz: tzinfo,
) -> list[TaskSpec]:
    out: list[TaskSpec] = []
    required = ("number", "title", "deadline", "responsible")
    optional = ("starts", "assisting", "quota", "notes", "phase")
    for i, item in enumerate(_items(reader, node, path)):
        p = f"{path}[{i}]"
        m = reader.mapping(item, p, required=required, optional=optional)
        if m is None or any(k not in m for k in required):
            continue
        number = reader.integer(m["number"], f"{p}.number", minimum=1)
        if number is not None and number in (t.number for t in out):
            reader.error(f"{p}.number", m["number"], f"task number {number} is used twice")
            number = None
        title = reader.text(m["title"], f"{p}.title")
        deadline = reader.when(m["deadline"], f"{p}.deadline", tz, DEADLINE_TIME)
        starts = None
        if "starts" in m:
            starts = reader.when(m["starts"], f"{p}.starts", tz, time(0, 0))
        if starts and deadline and starts > deadline:
            reader.error(f"{p}.starts", m["starts"], "starts after the deadline")
        responsible_refs = _nonempty(reader, m["responsible"], f"{p}.responsible")
        assisting_refs = reader.texts(m.get("assisting"), f"{p}.assisting")
        responsible, r_direct = units.resolve_all(reader, responsible_refs)
        assisting, _ = units.resolve_all(reader, assisting_refs)
        for ref in assisting_refs:
            names = units.resolve(ref.value)
            if names and ref.value not in units.tags and names[0] in r_direct:
                reader.error(ref.path, ref.node, f"{ref.value!r} is also responsible")
        quota = _read_quota(reader, m.get("quota"), f"{p}.quota", quota_keys)
        notes = reader.text(m["notes"], f"{p}.notes", nonempty=False) if "notes" in m else ""
        phase = reader.text(m["phase"], f"{p}.phase", nonempty=False) if "phase" in m else ""
        if number is None or title is None or deadline is None or not responsible:
            continue
        out.append(
            TaskSpec(
                number=number,
                title=title,
                deadline=deadline,
                starts=starts,
                responsible=tuple(responsible),
                assisting=tuple(n for n in assisting if n not in responsible),
                quota=tuple(quota),
                notes=notes or "",
                phase=phase or "",
                responsible_refs=tuple(r.value for r in responsible_refs),
                assisting_refs=tuple(r.value for r in assisting_refs),
            )
        )
    return out


def _read_quota(
    reader: Reader, node: Node | None, path: str, keys: set[str]
) -> list[tuple[str, int]]:
    if node is None:
        return []
    if not isinstance(node, MappingNode):
        reader.error(path, node, f"expected a mapping like {{posters: 100}}, got {describe(node)}")
        return []
    out: list[tuple[str, int]] = []
    for key_node, value in node.value:
        key = str(key_node.value)
        if key not in keys:
            known = ", ".join(sorted(keys)) or "none"
            reader.error(f"{path}.{key}", key_node, f"{key!r} is not a quota item (known: {known})")
            continue
        if key in (k for k, _ in out):
            reader.error(f"{path}.{key}", key_node, f"duplicate key {key!r}")
            continue
        target = reader.integer(value, f"{path}.{key}", minimum=0)
        if target is not None:
            out.append((key, target))
    return out


def read_interviews(
    reader: Reader, node: Node | None, path: str, units: Directory, tz: tzinfo
) -> list[InterviewSpec]:
    out: list[InterviewSpec] = []
    required = ("number", "date", "units")
    for i, item in enumerate(_items(reader, node, path)):
        p = f"{path}[{i}]"
        m = reader.mapping(item, p, required=required, optional=("notes", "contact_days_before"))
        if m is None or any(k not in m for k in required):
            continue
        number = reader.integer(m["number"], f"{p}.number", minimum=1)
        if number is not None and number in (iv.number for iv in out):
            reader.error(f"{p}.number", m["number"], f"interview number {number} is used twice")
            number = None
        at = reader.when(m["date"], f"{p}.date", tz, INTERVIEW_TIME)
        refs = _nonempty(reader, m["units"], f"{p}.units")
        names, _ = units.resolve_all(reader, refs)
        notes = reader.text(m["notes"], f"{p}.notes", nonempty=False) if "notes" in m else ""
        days: int | None = 7
        if "contact_days_before" in m:
            days = reader.integer(m["contact_days_before"], f"{p}.contact_days_before", minimum=0)
        if number is None or at is None or not names or days is None:
            continue
        out.append(
            InterviewSpec(
                number=number,
                at=at,
                units=tuple(names),
                notes=notes or "",
                contact_days_before=days,
            )
        )
    return out
