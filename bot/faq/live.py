"""The live knowledge base: the campaign's FAQ file plus the edits made in chat.

The file is the seed; a database row with the same id overrides it (``published``), hides it
(``removed``) or waits for review (``proposed``, ignored until approved). One matcher is built
per change, in a worker thread, and swapped in atomically; ``version`` counts the swaps.
Embeddings are cached by text, so a rebuild after ``/faq add`` embeds only the new texts.
The matcher (numpy) is imported by the first build, not with this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy.orm import Session

from bot.faq.answering import no_match
from bot.faq.embedding import Embeds, model_available
from bot.faq.kb import FaqEntry, load_faq
from bot.faq.normalize import Synonyms
from bot.settings import ROOT
from storage import questions
from storage.models.core import Campaign
from storage.models.questions import FaqEntryRow

if TYPE_CHECKING:
    import numpy as np

    from bot.faq.matcher import FaqMatcher, Match, Mode

log = logging.getLogger(__name__)
CONFIG_DIR = ROOT / "config" / "faq"
# Suggest candidates scoring at least this share of the answer threshold (below it, in hybrid
# mode, unrelated questions and small talk score alike, up to about 0.43 on the held-out sets).
SUGGEST_SHARE = 0.95
# New questions scored at once: the model takes those waiting in one batch (bot/faq/batching.py),
# so a rush needs as many threads as the chats handled at once (settings.workers, 32 by default);
# asyncio's default pool has 6 on two cores.
MATCH_THREADS = 32


class CachingEmbedder:
    """Remembers the vectors of texts it has embedded (KB texts), so a rebuild after an edit
    embeds only the new ones; questions (``query``) go to the model each time."""

    def __init__(self, model: Embeds) -> None:
        self.model = model
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._cache_lock = threading.Lock()

    def _cached(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (kind, t) not in self._cache]
        if missing:
            embed = self.model.queries if kind == "q" else self.model.passages
            vectors = embed(missing)
            with self._cache_lock:
                self._cache.update({(kind, t): v for t, v in zip(missing, vectors, strict=True)})
        import numpy as np

        return np.stack([self._cache[(kind, t)] for t in texts])

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached("q", texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached("p", texts)

    def query(self, text: str) -> np.ndarray:
        return self.model.query(text)


_SHARED: dict[str, CachingEmbedder] = {}
_SHARED_LOCK = threading.Lock()


def shared_embedder() -> CachingEmbedder:
    """One model per bot (its child process starts on first use), shared by every live KB.

    One engine thread: the bot's event loop needs the other core. Two threads make a question
    ~30 % faster alone but cost ~50 % more CPU (the OpenMP threads spin between layers), and
    under a rush CPU is what runs out (bench/throughput.py, "none repeated")."""
    with _SHARED_LOCK:
        if "e5" not in _SHARED:
            from bot.faq.model_process import ModelProcess

            _SHARED["e5"] = CachingEmbedder(ModelProcess(threads=1))
        return _SHARED["e5"]


def merge_entries(file_entries: Iterable[FaqEntry], rows: Iterable[FaqEntryRow]) -> list[FaqEntry]:
    """File entries, overridden or removed by published/removed rows; proposals ignored."""
    merged: dict[str, FaqEntry] = {e.id: e for e in file_entries}
    for row in rows:
        if row.state == "removed":
            merged.pop(row.entry_id, None)
        elif row.state == "published":
            merged[row.entry_id] = FaqEntry(
                id=row.entry_id,
                question=row.question,
                answer=row.answer,
                alt=tuple(row.alt or ()),
                tags=tuple(row.tags or ()),
            )
    return list(merged.values())


def file_entries_of(session: Session, campaign_id: int) -> tuple[FaqEntry, ...]:
    """The campaign's FAQ file entries (empty when the campaign has none); FaqError if broken."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not campaign.faq_file:
        return ()
    return load_faq(Path(campaign.faq_file)).entries


def current_entries(session: Session, campaign_id: int) -> list[FaqEntry]:
    """What the bot answers from right now: the file plus published edits."""
    return merge_entries(
        file_entries_of(session, campaign_id), questions.entry_rows(session, campaign_id)
    )


def load_words(name: str, key: str) -> list[str]:
    path = CONFIG_DIR / name
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = data.get(key, []) if isinstance(data, dict) else []
    return [str(w) for w in words]


@dataclass
class LiveFaq:
    campaign_id: int
    file_entries: tuple[FaqEntry, ...]
    mode: Mode = "auto"
    synonyms: Synonyms = field(default_factory=Synonyms)
    language: dict[str, Any] = field(default_factory=dict)  # language_config() (config/faq)
    complaint_words: list[str] = field(default_factory=list)
    matcher: FaqMatcher | None = None
    entries: dict[str, FaqEntry] = field(default_factory=dict)
    version: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _pool: ThreadPoolExecutor | None = None  # threads scoring new questions (MATCH_THREADS)

    @classmethod
    def from_config(cls, campaign_id: int, file_entries: Sequence[FaqEntry], mode: Mode) -> LiveFaq:
        from bot.faq.language import language_config

        language = language_config(CONFIG_DIR)
        return cls(
            campaign_id=campaign_id,
            file_entries=tuple(file_entries),
            mode=mode,
            synonyms=language["synonyms"] or Synonyms(),
            language=language,
            complaint_words=load_words("complaints.yaml", "words"),
        )

    @property
    def loaded(self) -> bool:
        return self.matcher is not None

    def build(self, rows: Sequence[FaqEntryRow]) -> tuple[FaqMatcher | None, dict[str, FaqEntry]]:
        """A new matcher over the merged entries (blocking: run it in a worker thread)."""
        entries = merge_entries(self.file_entries, rows)
        if not entries:
            return None, {}
        from bot.faq.matcher import build_matcher
        from bot.memory import trim

        use_model = self.mode == "hybrid" or (self.mode == "auto" and model_available())
        matcher = build_matcher(
            entries,
            **{**self.language, "synonyms": self.synonyms},
            mode="hybrid" if use_model else "lexical",
            embedder=shared_embedder() if use_model else None,
        )
        trim()  # the build's scratch (embedding batches, n-gram counts) goes back to the system
        return matcher, {e.id: e for e in entries}

    async def reload(self, db: Any) -> int:
        """Read the edits, rebuild off the loop, swap; returns the new version."""
        async with self._lock:
            rows = await db.run(questions.entry_rows, self.campaign_id)
            matcher, entries = await asyncio.to_thread(self.build, rows)
            self.matcher, self.entries = matcher, entries
            self.version += 1
            self._ready.set()
            log.info("FAQ v%d: %d entries (%s)", self.version, len(entries), self.mode)
            return self.version

    async def first_build(self, db: Any) -> None:
        """The build at start, in the background; questions wait for it (``wait_ready``)."""
        try:
            await self.reload(db)
        except Exception:
            log.exception("FAQ could not be built: questions go to staff")
        finally:
            self._ready.set()

    async def wait_ready(self, timeout: float = 60) -> None:
        """Until the first build is done (or failed: then questions go to staff)."""
        if self._ready.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout)

    async def match(self, text: str) -> Match:
        matcher = self.matcher
        if matcher is None:
            return no_match()
        # A question asked before is answered from memory, here; a new one is scored in a
        # thread (the model takes milliseconds).
        found = matcher.remembered(text)
        if found is not None:
            return found
        if self._pool is None:
            self._pool = ThreadPoolExecutor(MATCH_THREADS, thread_name_prefix="faq-match")
        return await asyncio.get_running_loop().run_in_executor(self._pool, matcher.match, text)

    @property
    def suggest_floor(self) -> float:
        """Candidates scoring below this are noise, not worth a suggestion button."""
        matcher = self.matcher
        if matcher is None:
            return 1.0
        p = matcher.params
        return SUGGEST_SHARE * (
            p.hybrid_threshold if matcher.mode == "hybrid" else p.lexical_threshold
        )

    def is_chitchat(self, text: str) -> bool:
        matcher = self.matcher
        if matcher is None:
            return False
        return matcher.is_chitchat(matcher._norm(text))

    def small_talk(self, text: str) -> str | None:
        """greeting, thanks, presence, bot, ack, bye, emoji or other; None for a question."""
        matcher = self.matcher
        return matcher.small_talk(text) if matcher is not None else None
