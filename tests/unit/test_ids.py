"""The one parser of typed and button ids."""

from __future__ import annotations

import pytest

from bot.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("#12", 12),
        (" #7 ", 7),
        ("１２", 12),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("12a", None),
        ("", None),
        (None, None),
        ("#", None),
    ],
)
def test_parse_id(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected
