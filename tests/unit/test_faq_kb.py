"""FAQ loader: valid files load; every kind of error names the entry, the field and the line."""

from pathlib import Path

import pytest

from bot.faq.kb import FaqError, load_faq, parse_faq

BROKEN = Path(__file__).resolve().parents[1] / "data" / "faq_broken"
CONFIG = Path(__file__).resolve().parents[2] / "config" / "faq"


@pytest.mark.parametrize(
    ("name", "line", "where", "reason"),
    [
        ("duplicate-id.yaml", 6, "entries[1] (id 'fee').id", "duplicate id (first used on line 3)"),
        ("empty-answer.yaml", 5, "entries[0] (id 'fee').answer", "must not be empty"),
        ("empty-question.yaml", 4, "entries[0] (id 'fee').question", "non-empty text"),
        ("unknown-key.yaml", 6, "entries[0] (id 'fee').anwser_en", "unknown key"),
        ("bad-id.yaml", 3, "entries[0] (id 'Fee_Question').id", "[a-z0-9-]+"),
        ("missing-answer.yaml", 3, "entries[0] (id 'fee').answer", "missing"),
        ("bad-alt.yaml", 5, "entries[0] (id 'fee').alt", "list of texts"),
        ("not-yaml.yaml", 5, "yaml", ""),
    ],
)
def test_each_error_names_line_entry_and_field(name: str, line: int, where: str, reason: str):
    with pytest.raises(FaqError) as info:
        load_faq(BROKEN / name)
    problem = info.value.problems[0]
    assert (problem.line, problem.where) == (line, where)
    assert reason in problem.message
    message = str(info.value)
    assert message.startswith(f"{BROKEN / name}: line {line}: {where}")
    assert "\n" not in message


def test_several_errors_are_all_reported():
    text = (
        "version: 1\nentries:\n  - id: a\n    question: q\n  - id: a\n    answer: x\n    foo: 1\n"
    )
    with pytest.raises(FaqError) as info:
        parse_faq(text, "inline.yaml")
    kinds = {(p.line, p.message.split(" ")[0]) for p in info.value.problems}
    assert (3, "missing") in kinds  # first entry has no answer
    assert (5, "duplicate") in kinds
    assert (7, "unknown") in kinds
    assert "more)" in str(info.value)


def test_unknown_top_level_key_and_missing_entries():
    with pytest.raises(FaqError, match="line 1: entrys: unknown key"):
        parse_faq("entrys: []\n")
    with pytest.raises(FaqError, match="entries: must be a list"):
        parse_faq("version: 1\n")


def test_missing_file_is_a_faq_error():
    with pytest.raises(FaqError, match="cannot read"):
        load_faq(BROKEN / "does-not-exist.yaml")


def test_valid_entry_fields():
    text = (
        "version: 1\nlocale: zh-CN\nentries:\n"
        "  - id: fee-1\n    question: 收费吗？\n    alt: [要钱吗]\n    tags: [收费]\n"
        "    answer: >-\n      不\n      收费。\n"
    )
    entry = parse_faq(text).entries[0]
    assert (entry.id, entry.question, entry.alt, entry.tags) == (
        "fee-1",
        "收费吗？",
        ("要钱吗",),
        ("收费",),
    )
    assert entry.answer == "不收费。"  # folded line breaks between Chinese vanish
    assert entry.line == 4


@pytest.mark.parametrize(
    ("name", "minimum"),
    [("household-survey-2018.yaml", 30), ("quality-city-2013-liaisons.yaml", 8)],
)
def test_shipped_faq_files_are_valid(name: str, minimum: int):
    faq = load_faq(CONFIG / name)
    assert len(faq.entries) >= minimum
    assert all(e.answer and e.question for e in faq.entries)
