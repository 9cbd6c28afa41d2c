"""What a campaign load changed, counted by kind of row; and the fingerprint of a spec."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.campaign.spec import CampaignSpec

KINDS = ("campaign", "unit", "quota item", "task", "interview", "group")


@dataclass
class LoadReport:
    slug: str
    campaign_id: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    withdrawn: Counter[str] = field(default_factory=Counter)
    deactivated: Counter[str] = field(default_factory=Counter)
    unbound: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any(c.total() for c in self._counters().values())

    def _counters(self) -> dict[str, Counter[str]]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "withdrawn": self.withdrawn,
            "deactivated": self.deactivated,
            "unbound": self.unbound,
        }

    def summary(self) -> str:
        """``created 1 campaign, 65 units, 15 tasks; updated 1 task`` or ``no changes``."""
        parts = []
        for verb, counter in self._counters().items():
            items = [_plural(counter[k], k) for k in KINDS if counter[k]]
            if items:
                parts.append(f"{verb} {', '.join(items)}")
        return "; ".join(parts) or "no changes"

    def as_json(self) -> dict[str, Any]:
        return {verb: dict(c) for verb, c in self._counters().items() if c}


def _plural(n: int, kind: str) -> str:
    return f"{n} {kind}" if n == 1 else f"{n} {kind}s"


def spec_hash(spec: CampaignSpec) -> str:
    data = asdict(spec)
    data.pop("source", None)
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
