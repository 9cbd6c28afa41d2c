"""Row ids typed by people or carried in button data: one parser for every command.

An id is what a database row can have: a positive 64-bit integer (SQLite's INTEGER and
PostgreSQL's BIGINT). Anything else, including ``99999999999999999999``, is not an id, so a
handler answers its usage line instead of passing a number the database cannot bind.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """``"12"``, ``"#12"`` or ``"１２"`` → 12; None for anything that cannot name a row."""
    ref = (text or "").strip().removeprefix("#").removeprefix("＃")
    if not ref.isdecimal() or len(ref) > 19:
        return None
    value = int(ref)
    return value if 0 < value <= MAX_ID else None
