"""Character n-gram TF-IDF on numpy alone: the FAQ matcher's lexical stage.

It computes what scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(1, n),
sublinear_tf=True)`` computes (lower-cased text; runs of whitespace as one space; smooth idf
``ln((1 + docs) / (1 + df)) + 1``; ``1 + ln(count)``; rows scaled to unit length), which
``tests/unit/test_faq_tfidf.py`` checks against scikit-learn itself. Written out because
scikit-learn with scipy costs the running bot ~100 MB and 1–2 ms of input validation per
question; here a question is a dict of a few dozen n-grams and a score is one ``bincount``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

Vector = dict[int, float]  # column -> weight, unit length
_WHITESPACE = re.compile(r"\s\s+")


def char_ngrams(text: str, n_max: int) -> list[str]:
    """Every 1..n_max character n-gram of ``text``, as scikit-learn's "char" analyzer."""
    text = _WHITESPACE.sub(" ", text.lower())
    size = len(text)
    grams = list(text)
    for n in range(2, min(n_max, size) + 1):
        grams.extend(text[i : i + n] for i in range(size - n + 1))
    return grams


class CharTfidf:
    """Vocabulary and idf from ``fit``; ``vector`` maps a text to its unit TF-IDF vector."""

    def __init__(self, ngram_max: int = 2) -> None:
        self.ngram_max = ngram_max
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0)

    def fit(self, docs: Sequence[str]) -> CharTfidf:
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(char_ngrams(doc, self.ngram_max)))
        self.vocabulary = {gram: i for i, gram in enumerate(sorted(df))}
        n = len(docs)
        self.idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in sorted(df)])
        return self

    def vector(self, text: str) -> Vector:
        vocabulary, idf = self.vocabulary, self.idf
        counts = Counter(g for g in char_ngrams(text, self.ngram_max) if g in vocabulary)
        weights = {
            vocabulary[g]: (1 + math.log(c)) * float(idf[vocabulary[g]]) for g, c in counts.items()
        }
        return unit(weights)


def unit(weights: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {k: w / norm for k, w in weights.items()} if norm > 0 else {}


def combine(a: Vector, b: Vector, b_weight: float) -> Vector:
    """``unit(a + b_weight * b)``."""
    out = dict(a)
    for k, w in b.items():
        out[k] = out.get(k, 0.0) + b_weight * w
    return unit(out)


class Postings:
    """Rows of unit vectors stored by column, so a query's dot product with every row only
    touches the columns the query has."""

    def __init__(self, rows: Iterable[Vector], n_columns: int) -> None:
        by_column: list[list[tuple[int, float]]] = [[] for _ in range(n_columns)]
        n_rows = 0
        for r, row in enumerate(rows):
            n_rows = r + 1
            for col, w in row.items():
                by_column[col].append((r, w))
        self.n_rows = n_rows
        self.starts = np.zeros(n_columns + 1, dtype=np.int64)
        np.cumsum([len(c) for c in by_column], out=self.starts[1:])
        flat = [p for column in by_column for p in column]
        self.rows = np.array([r for r, _ in flat], dtype=np.int64)
        self.weights = np.array([w for _, w in flat], dtype=np.float64)

    def dot(self, query: Vector) -> np.ndarray:
        """Cosine similarity of ``query`` with every row."""
        if not query:
            return np.zeros(self.n_rows)
        starts = self.starts
        spans = [(starts[c], starts[c + 1], w) for c, w in query.items()]
        rows = np.concatenate([self.rows[a:b] for a, b, _ in spans])
        weights = np.concatenate([self.weights[a:b] * w for a, b, w in spans])
        return np.bincount(rows, weights=weights, minlength=self.n_rows)
