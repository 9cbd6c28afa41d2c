"""Units, their aliases and tags: reading the ``units`` list and resolving names against it."""

from __future__ import annotations

import re

from yaml.nodes import Node

from bot.campaign.nodes import Item, Reader
from bot.campaign.spec import UNIT_KINDS, UnitSpec

TAG_RE = re.compile(r"^\S+$")


class Directory:
    """Every name a unit can be called by: its name, an alias, or a tag (many units)."""

    def __init__(self, units: list[UnitSpec]) -> None:
        self.units = units
        self.names: dict[str, str] = {}  # name or alias -> canonical name
        self.tags: dict[str, list[str]] = {}
        for unit in units:
            self.names.setdefault(unit.name, unit.name)
            for alias in unit.aliases:
                self.names.setdefault(alias, unit.name)
            for tag in unit.tags:
                self.tags.setdefault(tag, []).append(unit.name)

    def resolve(self, ref: str) -> list[str] | None:
        """Canonical unit names that ``ref`` stands for, or None if it names nothing."""
        if ref in self.names:
            return [self.names[ref]]
        return list(self.tags[ref]) if ref in self.tags else None

    def resolve_all(self, reader: Reader, refs: list[Item]) -> tuple[list[str], set[str]]:
        """(canonical names in order without repeats, names given directly rather than by tag).

        Unknown names are errors."""
        out: list[str] = []
        direct: set[str] = set()
        for ref in refs:
            names = self.resolve(ref.value)
            if names is None:
                reader.error(ref.path, ref.node, f"unknown unit or tag {ref.value!r}")
                continue
            if ref.value not in self.tags:
                direct.add(names[0])
            out.extend(n for n in names if n not in out)
        return out, direct


def read_units(reader: Reader, node: Node | None, path: str = "units") -> Directory:
    """Read ``units``; a name, alias or tag that could mean two things is an error."""
    units: list[UnitSpec] = []
    items = reader.sequence(node, path) if node is not None else None
    if node is not None and items == []:
        reader.error(path, node, "at least one unit is needed")
    owner: dict[str, tuple[str, str]] = {}  # word -> (unit name, "name"|"alias")
    tag_refs: dict[str, Item] = {}
    for i, item in enumerate(items or []):
        p = f"{path}[{i}]"
        m = reader.mapping(item, p, required=("name",), optional=("aliases", "kind", "tags"))
        if m is None or "name" not in m:
            continue
        name = reader.text(m["name"], f"{p}.name")
        if name is None:
            continue
        if name in owner:
            other, what = owner[name]
            message = f"{name!r} is already the {what} of {other!r}"
            reader.error(
                f"{p}.name", m["name"], message if other != name else "duplicate unit name"
            )
            continue
        owner[name] = (name, "name")
        kind = "other"
        if "kind" in m:
            kind = reader.text(m["kind"], f"{p}.kind") or "other"
            if kind not in UNIT_KINDS:
                reader.error(
                    f"{p}.kind", m["kind"], f"{kind!r} is not one of {', '.join(UNIT_KINDS)}"
                )
        aliases: list[str] = []
        for alias in reader.texts(m.get("aliases"), f"{p}.aliases"):
            if alias.value == name or alias.value in aliases:
                continue
            if alias.value in owner:
                other, what = owner[alias.value]
                reader.error(
                    alias.path, alias.node, f"{alias.value!r} is already the {what} of {other!r}"
                )
                continue
            owner[alias.value] = (name, "alias")
            aliases.append(alias.value)
        tags: list[str] = []
        for tag in reader.texts(m.get("tags"), f"{p}.tags"):
            if not TAG_RE.match(tag.value):
                reader.error(tag.path, tag.node, f"tag {tag.value!r} must not contain spaces")
            elif tag.value not in tags:
                tags.append(tag.value)
                tag_refs.setdefault(tag.value, tag)
        units.append(UnitSpec(name=name, kind=kind, aliases=tuple(aliases), tags=tuple(tags)))
    for tag in tag_refs.values():
        if tag.value in owner:
            unit, what = owner[tag.value]
            reader.error(
                tag.path, tag.node, f"{tag.value!r} is both a tag and the {what} of unit {unit!r}"
            )
    return Directory(units)
