"""Question normalisation: Traditional → Simplified, full-width → half-width, no noise, synonyms."""

from pathlib import Path

import pytest

from bot.faq.normalize import Synonyms, normalize_question, normalize_text

CONFIG = Path(__file__).resolve().parents[2] / "config" / "faq"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("採集員是真的嗎？", "采集员是真的吗"),
        ("ＡＢＣ　１２３！", "abc123"),
        ("收费吗😀😀 ", "收费吗"),
        ("  请问，「二标四实」是什么？？ ", "请问二标四实是什么"),
        ("\t房東\n", "房东"),
        ("!!!", ""),
    ],
)
def test_normalize_text(raw: str, expected: str):
    assert normalize_text(raw) == expected


def test_synonyms_map_to_canonical_longest_first():
    synonyms = Synonyms({"房东": ["出租人", "业主"], "中介": ["中介机构", "房屋中介"]})
    assert synonyms.apply("出租人和中介机构") == "房东和中介"
    assert normalize_question("業主要做什麼？", synonyms) == "房东要做什么"


def test_stopwords_are_dropped_but_never_to_nothing():
    synonyms = Synonyms({}, ["请问", "吗"])
    assert synonyms.strip_stopwords("请问收费吗") == "收费"
    assert synonyms.strip_stopwords("请问吗") == "请问吗"


def test_shipped_synonyms_load():
    synonyms = Synonyms.load(CONFIG / "synonyms.yaml")
    assert synonyms.apply("承租人") == "租客"
    assert synonyms.apply("出租人") == "房东"
    assert synonyms.apply("要钱") == "收费"


def test_bad_synonym_file(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text("synonyms: [房东]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="synonyms"):
        Synonyms.load(path)
