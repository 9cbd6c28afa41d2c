"""Deterministic fault injection: a seeded plan decides, per request, whether it misbehaves.

The n-th request of a method gets the same decision for the same seed, whatever the interleaving
with other methods. Kinds:

- ``server_error``: answered 500 or 502 without doing anything;
- ``flood``: answered 429 with ``parameters.retry_after``;
- ``timeout``: nothing is answered for ``timeout_delay`` seconds (set it longer than the client's
  read timeout), then the connection is closed; the request has no effect;
- ``drop``: the connection is closed without an answer; the request has no effect;
- ``lost_answer``: the request IS carried out (e.g. the message is sent), then the connection is
  closed: the client cannot know it succeeded (the classic duplicate-send trap).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from bot.localapi.models import SEND_METHODS

KINDS = ("server_error", "flood", "timeout", "drop", "lost_answer")
DEFAULT_KINDS = ("server_error", "flood", "timeout", "drop")


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 0  # for server_error: 500 or 502
    retry_after: int = 0  # for flood


@dataclass
class FaultPlan:
    seed: int = 0
    rate: float = 0.1
    kinds: tuple[str, ...] = DEFAULT_KINDS
    scope: str = "send"  # "send": send methods only; "all": every method, getUpdates and downloads
    methods: frozenset[str] | None = None  # explicit method names (overrides scope)
    timeout_delay: float = 6.0
    retry_after: int = 1
    skip_first: int = 0  # leave the first N eligible requests of each method alone
    counts: Counter[str] = field(default_factory=Counter)  # faults injected by kind
    log: list[tuple[str, int, str]] = field(default_factory=list)  # (method, n, kind)
    _seen: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {KINDS}")
        if self.scope not in ("send", "all"):
            raise ValueError("scope must be 'send' or 'all'")
        if self.methods is not None:
            self.methods = frozenset(m.lower() for m in self.methods)

    def applies_to(self, method: str) -> bool:
        name = method.lower()
        if self.methods is not None:
            return name in self.methods
        return self.scope == "all" or name in SEND_METHODS

    def decide(self, method: str) -> Fault | None:
        """The fault for the next request of ``method`` (None: behave)."""
        if self.rate <= 0 or not self.applies_to(method):
            return None
        name = method.lower()
        n = self._seen[name]
        self._seen[name] += 1
        if n < self.skip_first:
            return None
        digest = hashlib.blake2b(f"{self.seed}:{name}:{n}".encode(), digest_size=16).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        kind = self.kinds[digest[8] % len(self.kinds)]
        fault = Fault(
            kind,
            status=502 if digest[9] % 2 else 500,
            retry_after=max(1, self.retry_after),
        )
        self.counts[kind] += 1
        self.log.append((method, n, kind))
        return fault
