"""The allocator tuning reaches glibc (this machine's libc) and is harmless to repeat."""

import platform

import pytest

from bot.memory import limit_arenas, trim


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_arena_cap_and_trim_reach_glibc() -> None:
    assert limit_arenas(2) is True
    assert limit_arenas(2) is True
    trim()
