"""A helper child for tests/unit/test_childpipe.py: echoes a request, or hangs on "hang"."""

from __future__ import annotations

import time
from typing import Any

from bot import childpipe


def answer(request: Any) -> Any:
    if request == "hang":
        time.sleep(3600)  # a helper that never answers (stuck in a library, say)
    return request


if __name__ == "__main__":
    childpipe.serve(answer)
