"""``make bench``: run every benchmark module in bench/ (each has ``main()``) and print figures.

``python -m bench faq_latency`` runs one. Figures are printed, never asserted: machines are noisy.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
import time
from pathlib import Path

import bench


def main(argv: list[str]) -> int:
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"cpus={len(__import__('os').sched_getaffinity(0))} python={platform.python_version()}"
    )
    failed = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        entry = getattr(module, "main", None)
        if entry is None:
            continue
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        try:
            entry()
        except Exception as exc:  # a broken benchmark must not hide the others
            failed += 1
            print(f"{name}: FAILED: {type(exc).__name__}: {exc}")
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
