"""Load and validate FAQ YAML files (format: shared/docs/faq-format.md), with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

ID_PATTERN = re.compile(r"[a-z0-9-]+")
TOP_KEYS = {"version", "locale", "entries"}
ENTRY_KEYS = {"id", "question", "alt", "answer", "tags"}
# YAML folding (`>-`) turns line breaks into spaces; between Chinese characters they are noise.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_FOLD_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    alt: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class FaqFile:
    entries: tuple[FaqEntry, ...]
    locale: str = "zh-CN"
    version: int = 1


@dataclass(frozen=True)
class Problem:
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.where}: {self.message}"


class FaqError(ValueError):
    """A FAQ file that cannot be used; `problems` lists every error found (line, entry, field)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {problems[0]}{more}")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: MappingNode, where: str, out: list[Problem]) -> dict[str, tuple[Node, Node]]:
    items: dict[str, tuple[Node, Node]] = {}
    for key, value in node.value:
        name = str(key.value) if isinstance(key, ScalarNode) else "?"
        if name in items:
            out.append(Problem(_line(key), f"{where}.{name}", "duplicate key"))
        items[name] = (key, value)
    return items


def _text(node: Node, where: str, out: list[Problem]) -> str:
    if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        if isinstance(node, ScalarNode) and node.value and node.tag != "tag:yaml.org,2002:null":
            return str(node.value).strip()
        out.append(Problem(_line(node), where, "must be a non-empty text"))
        return ""
    if not str(node.value).strip():
        out.append(Problem(_line(node), where, "must not be empty"))
    return _FOLD_SPACE.sub("", str(node.value).strip())


def _texts(node: Node, where: str, out: list[Problem]) -> tuple[str, ...]:
    if not isinstance(node, SequenceNode):
        out.append(Problem(_line(node), where, "must be a list of texts"))
        return ()
    values = [_text(item, f"{where}[{i}]", out) for i, item in enumerate(node.value)]
    return tuple(v for v in values if v)


def _entry(node: Node, index: int, seen: dict[str, int], out: list[Problem]) -> FaqEntry | None:
    where = f"entries[{index}]"
    if not isinstance(node, MappingNode):
        out.append(Problem(_line(node), where, "must be a mapping with id, question, answer"))
        return None
    items = _mapping(node, where, out)
    id_node = items.get("id", (None, None))[1]
    entry_id = str(id_node.value) if isinstance(id_node, ScalarNode) else ""
    if entry_id:
        where = f"{where} (id {entry_id!r})"
    for name, (key, _) in items.items():
        if name not in ENTRY_KEYS:
            out.append(Problem(_line(key), f"{where}.{name}", "unknown key"))
    for required in ("id", "question", "answer"):
        if required not in items:
            out.append(Problem(_line(node), f"{where}.{required}", "missing"))
    if id_node is not None:
        if not ID_PATTERN.fullmatch(entry_id):
            out.append(Problem(_line(id_node), f"{where}.id", "must match [a-z0-9-]+"))
        elif entry_id in seen:
            msg = f"duplicate id (first used on line {seen[entry_id]})"
            out.append(Problem(_line(id_node), f"{where}.id", msg))
        else:
            seen[entry_id] = _line(id_node)
    texts = {
        name: _text(items[name][1], f"{where}.{name}", out)
        for name in ("question", "answer")
        if name in items
    }
    lists = {
        name: _texts(items[name][1], f"{where}.{name}", out)
        for name in ("alt", "tags")
        if name in items
    }
    return FaqEntry(
        id=entry_id,
        question=texts.get("question", ""),
        answer=texts.get("answer", ""),
        alt=lists.get("alt", ()),
        tags=lists.get("tags", ()),
        line=_line(node),
    )


def parse_faq(text: str, source: str = "<faq>") -> FaqFile:
    """Parse FAQ YAML text; raise FaqError naming the line, the entry and the field."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FaqError(source, [Problem(line, "yaml", str(reason))]) from None
    out: list[Problem] = []
    if not isinstance(root, MappingNode):
        line = _line(root) if root is not None else 1
        raise FaqError(source, [Problem(line, "file", "must be a mapping with 'entries'")])
    top = _mapping(root, "file", out)
    for name, (key, _) in top.items():
        if name not in TOP_KEYS:
            out.append(Problem(_line(key), name, "unknown key"))
    entries_node = top.get("entries", (None, None))[1]
    entries: list[FaqEntry] = []
    if not isinstance(entries_node, SequenceNode):
        line = _line(entries_node) if entries_node is not None else _line(root)
        out.append(Problem(line, "entries", "must be a list of entries"))
    else:
        seen: dict[str, int] = {}
        for i, node in enumerate(entries_node.value):
            entry = _entry(node, i, seen, out)
            if entry is not None:
                entries.append(entry)
    locale_node = top.get("locale", (None, None))[1]
    locale = str(locale_node.value) if isinstance(locale_node, ScalarNode) else "zh-CN"
    version_node = top.get("version", (None, None))[1]
    version = 1
    if version_node is not None and not (
        isinstance(version_node, ScalarNode) and str(version_node.value) == "1"
    ):
        out.append(Problem(_line(version_node), "version", "only version 1 is supported"))
    if out:
        raise FaqError(source, sorted(out, key=lambda p: p.line))
    return FaqFile(entries=tuple(entries), locale=locale, version=version)


def load_faq(path: str | Path) -> FaqFile:
    """Read and validate a FAQ file; FaqError for a missing, unreadable or invalid file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FaqError(str(p), [Problem(0, "file", f"cannot read: {reason}")]) from None
    return parse_faq(text, source=str(p))
