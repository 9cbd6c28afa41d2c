"""``coordbot run`` for benchmarks: ``python -m bench._coordbot run [--unlimited]``.

``--unlimited`` lifts the bot's own flood limiter (``bot.flood.FloodLimiter``: 30 sends/s, as
Telegram allows) so the benchmark measures what the bot can process, not the limit it obeys.
"""

from __future__ import annotations

import sys

from bot import flood
from bot.cli import main

if __name__ == "__main__":
    if "--unlimited" in sys.argv:
        sys.argv.remove("--unlimited")
        defaults = flood.FloodLimiter.__init__.__kwdefaults__
        assert defaults is not None and "per_second" in defaults
        defaults["per_second"] = 1_000_000
    main()
