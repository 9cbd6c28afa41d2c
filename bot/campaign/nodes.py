"""Reading a composed YAML node tree with line numbers, collecting every error on the way.

Each reader returns the value, or ``None`` after recording an error of the form
``tasks[3].deadline (line 41): '2013-11-31' is not a date`` (lines 1-based, list indexes 0-based).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

TAG = "tag:yaml.org,2002:"
WHEN_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
TYPE_NAMES = {
    "str": "text",
    "int": "an integer",
    "float": "a number",
    "bool": "true/false",
    "null": "nothing (null)",
    "timestamp": "a date",
}


class Item(NamedTuple):
    """A string read from the file, with where it was."""

    value: str
    node: Node
    path: str


def line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return TYPE_NAMES.get(str(node.tag).removeprefix(TAG), str(node.tag))


class Reader:
    """Typed access to nodes; errors go to ``self.errors`` instead of being raised."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def error(self, path: str, node: Node | None, message: str) -> None:
        where = f" (line {line(node)})" if node is not None else ""
        self.errors.append(f"{path or 'document'}{where}: {message}")

    def mapping(
        self,
        node: Node,
        path: str,
        *,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> dict[str, Node] | None:
        """A mapping with string keys; unknown, duplicate and missing keys are errors."""
        if not isinstance(node, MappingNode):
            self.error(path, node, f"expected a mapping, got {describe(node)}")
            return None
        allowed = required + optional
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            sub = f"{path}.{key}" if path else key
            if key in out:
                self.error(sub, key_node, f"duplicate key {key!r}")
            elif key not in allowed:
                self.error(sub, key_node, f"unknown key {key!r} (allowed: {', '.join(allowed)})")
            else:
                out[key] = value
        for key in required:
            if key not in out:
                self.error(path, node, f"missing required key {key!r}")
        return out

    def sequence(self, node: Node, path: str) -> list[Node] | None:
        if isinstance(node, ScalarNode) and node.tag == TAG + "null":
            return []
        if not isinstance(node, SequenceNode):
            self.error(path, node, f"expected a list, got {describe(node)}")
            return None
        return list(node.value)

    def scalar(self, node: Node, path: str, kind: str) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != TAG + kind:
            self.error(path, node, f"expected {TYPE_NAMES[kind]}, got {describe(node)}")
            return None
        return self._constructor.construct_object(node)

    def text(self, node: Node, path: str, *, nonempty: bool = True) -> str | None:
        value = self.scalar(node, path, "str")
        if value is None:
            return None
        value = str(value).strip()
        if nonempty and not value:
            self.error(path, node, "must not be empty")
            return None
        return value

    def integer(self, node: Node, path: str, *, minimum: int | None = None) -> int | None:
        value = self.scalar(node, path, "int")
        if value is None:
            return None
        if minimum is not None and value < minimum:
            self.error(path, node, f"{value} is below the minimum {minimum}")
            return None
        return int(value)

    def texts(self, node: Node | None, path: str) -> list[Item]:
        """A list of non-empty strings (a single string counts as a one-item list), each with
        its node and path."""
        if node is None:
            return []
        if isinstance(node, ScalarNode) and node.tag == TAG + "str":
            pairs: list[tuple[Node, str]] = [(node, path)]
        else:
            pairs = [(n, f"{path}[{i}]") for i, n in enumerate(self.sequence(node, path) or [])]
        out = []
        for item, sub in pairs:
            value = self.text(item, sub)
            if value is not None:
                out.append(Item(value, item, sub))
        return out

    def when(self, node: Node, path: str, tz: tzinfo, default_time: time) -> datetime | None:
        """``YYYY-MM-DD`` (at ``default_time``), ``YYYY-MM-DD HH:MM[:SS]`` local, or with an
        offset (``+08:00``/``Z``); returned aware, in ``tz``."""
        if not isinstance(node, ScalarNode) or node.tag not in (TAG + "str", TAG + "timestamp"):
            if isinstance(node, ScalarNode) and node.tag == TAG + "int":
                self.error(path, node, f"{node.value!r} is not a date (use YYYY-MM-DD)")
            else:
                self.error(path, node, f"expected a date, got {describe(node)}")
            return None
        raw = str(node.value).strip()
        m = WHEN_RE.match(raw)
        if not m:
            hint = "use YYYY-MM-DD or YYYY-MM-DD HH:MM"
            self.error(path, node, f"{raw!r} is not a date ({hint})")
            return None
        y, mo, d, hh, mm, ss, off = m.groups()
        try:
            day = date(int(y), int(mo), int(d))
        except ValueError:
            self.error(path, node, f"{raw!r} is not a date")
            return None
        try:
            tod = time(int(hh), int(mm), int(ss or 0)) if hh is not None else default_time
        except ValueError:
            self.error(path, node, f"{raw!r}: not a time of day")
            return None
        if off is None:
            return datetime.combine(day, tod, tzinfo=tz)
        return datetime.combine(day, tod, tzinfo=_offset(off)).astimezone(tz)


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def compose(text: str, reader: Reader) -> Node | None:
    """Compose YAML (no construction: every node keeps its line); bad YAML is one error."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = exc.problem or exc.context or "malformed"
        reader.errors.append(f"document{where}: bad YAML: {problem}")
        return None
    except yaml.YAMLError as exc:
        reader.errors.append(f"document: bad YAML: {exc}")
        return None
    if node is None:
        reader.errors.append("document (line 1): the file is empty")
    return node
