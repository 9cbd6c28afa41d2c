"""Text entities like Telegram computes them: offsets in UTF-16 code units, HTML parse_mode."""

from __future__ import annotations

import re
from typing import Any

from bot.localapi.models import bad_request

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _offset(text: str, index: int) -> int:
    return utf16_len(text[:index])


def auto_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's message: bot commands and @mentions."""
    found: list[tuple[int, int, str]] = []
    if "/" in text:
        found += [(m.start(), m.end(), "bot_command") for m in _COMMAND.finditer(text)]
    if "@" in text:
        covered = {i for s, e, _ in found for i in range(s, e)}
        found += [(m.start(), m.end(), "mention") for m in _MENTION.finditer(text)]
        found = [f for f in found if f[2] != "mention" or f[0] not in covered]
    found.sort()
    return [
        {"type": kind, "offset": _offset(text, s), "length": utf16_len(text[s:e])}
        for s, e, kind in found
    ]


def _decode_entity(raw: str, i: int) -> tuple[str, int]:
    """Decode an HTML entity starting at raw[i] == '&'; return (text, next index)."""
    end = raw.find(";", i + 1, i + 12)
    if end == -1:
        return "&", i + 1
    name = raw[i + 1 : end]
    if name in _NAMED:
        return _NAMED[name], end + 1
    if name.startswith("#"):
        try:
            code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
            return chr(code), end + 1
        except (ValueError, OverflowError):
            return "&", i + 1
    return "&", i + 1


def _byte_offset(raw: str, i: int) -> int:
    return len(raw[:i].encode("utf-8"))


def parse_html(raw: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); errors read like Telegram's."""
    out: list[str] = []
    plain_len = 0  # UTF-16 length of the text produced so far
    stack: list[tuple[str, int, dict[str, Any]]] = []
    extra: dict[str, Any]
    entities: list[dict[str, Any]] = []
    i, n = 0, len(raw)

    def fail(text: str) -> Exception:
        return bad_request(f"can't parse entities: {text}")

    while i < n:
        ch = raw[i]
        if ch == "&":
            piece, i = _decode_entity(raw, i)
            out.append(piece)
            plain_len += utf16_len(piece)
            continue
        if ch != "<":
            j = i
            while j < n and raw[j] not in "<&":
                j += 1
            piece = raw[i:j]
            out.append(piece)
            plain_len += utf16_len(piece)
            i = j
            continue
        begin = i
        close = raw.find(">", i)
        if close == -1:
            raise fail(f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}")
        body = raw[i + 1 : close]
        i = close + 1
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {_byte_offset(raw, begin)}")
            open_name, start, extra = stack.pop()
            if name != open_name:
                raise fail(
                    f"Unmatched end tag at byte offset {_byte_offset(raw, begin)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            length = plain_len - start
            if length > 0:
                entities.append(
                    {"type": _TAGS[open_name], "offset": start, "length": length, **extra}
                )
            continue
        parts = body.split(None, 1)
        name = parts[0].lower() if parts else ""
        if name not in _TAGS:
            raise fail(f'Unsupported start tag "{name}" at byte offset {_byte_offset(raw, begin)}')
        attrs = parts[1] if len(parts) > 1 else ""
        extra = {}
        if name == "a":
            m = re.search(r"""href\s*=\s*["']([^"']*)["']""", attrs)
            extra["url"] = m.group(1) if m else ""
        if name == "span" and "tg-spoiler" not in attrs:
            raise fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(raw, begin)}'
            )
        stack.append((name, plain_len, extra))
    if stack:
        raise fail(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def render(
    text: str, parse_mode: str | None, given: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Turn what the bot sent into (visible text, entities)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("markdown", "markdownv2"):
        return text, []  # not parsed: the text is shown as sent
    return text, list(given or [])
