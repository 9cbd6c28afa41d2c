"""The matcher's own char n-gram TF-IDF gives scikit-learn's TfidfVectorizer scores (scikit-learn
is a test dependency only: the bot does not load it)."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.faq.evaluate import read_eval_set
from bot.faq.kb import load_faq
from bot.faq.tfidf import CharTfidf, Postings, char_ngrams, combine

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "config" / "faq" / "household-survey-2018.yaml"
HELDOUT = ROOT / "tests" / "data" / "faq_heldout.tsv"


def corpus() -> tuple[list[str], list[str]]:
    entries = load_faq(KB).entries
    docs = [t for e in entries for t in (e.question, *e.alt, e.answer)]
    questions = [q for q, _ in read_eval_set(HELDOUT)]
    return docs, [*questions, "", "  Ａ  b\tC  ", "未见过的字龘", "x"]


@pytest.mark.parametrize("n_max", [1, 2, 3])
def test_scores_equal_scikit_learn(n_max: int) -> None:
    docs, queries = corpus()
    ours = CharTfidf(n_max).fit(docs)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(1, n_max), sublinear_tf=True).fit(docs)
    assert ours.vocabulary == theirs.vocabulary_
    np.testing.assert_allclose(ours.idf, theirs.idf_, rtol=1e-12)
    rows = Postings((ours.vector(d) for d in docs), len(ours.vocabulary))
    matrix = theirs.transform(docs)
    for q in queries:
        expected = (matrix @ theirs.transform([q]).T).toarray().ravel()
        np.testing.assert_allclose(rows.dot(ours.vector(q)), expected, atol=1e-12)


def test_ngrams_and_combination() -> None:
    assert char_ngrams("Ab  c", 2) == ["a", "b", " ", "c", "ab", "b ", " c"]
    assert char_ngrams("x", 3) == ["x"]
    both = combine({0: 1.0}, {1: 1.0}, 0.5)
    assert both[0] == pytest.approx(2 / 5**0.5) and both[1] == pytest.approx(1 / 5**0.5)
    assert combine({}, {}, 0.3) == {}
    assert Postings([{}], 3).dot({1: 1.0}).tolist() == [0.0]
