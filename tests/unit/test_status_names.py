"""Unit names as people type them: full names, aliases, fragments, Traditional forms, typos."""

from __future__ import annotations

import pytest

from bot.status.names import UnitName, UnitNames, normalize_name

UNITS = UnitNames(
    [
        UnitName(1, "虎门镇", ("虎门",)),
        UnitName(2, "长安镇", ("长安",)),
        UnitName(3, "东城街道", ("东城",)),
        UnitName(4, "市城管局", ("城管局",)),
        UnitName(5, "东莞出入境检验检疫局", ("检验检疫局", "东莞检验检疫局")),
        UnitName(6, "中国电信东莞分公司", ("中国电信",)),
        UnitName(7, "中国移动东莞分公司", ("中国移动",)),
        UnitName(8, "厚街镇", ("厚街",)),
    ]
)


@pytest.mark.parametrize("typed", ["虎门镇", "虎门", " 虎门镇 ", "虎門鎮", "虎门　镇"])
def test_full_names_and_aliases_match_exactly(typed: str) -> None:
    match = UNITS.match(typed)
    assert match.unit is not None and match.unit.name == "虎门镇"
    assert match.exact


def test_a_unique_fragment_matches_but_not_exactly() -> None:
    match = UNITS.match("检验检疫")
    assert match.unit is not None and match.unit.id == 5 and not match.exact


def test_an_ambiguous_fragment_offers_the_candidates() -> None:
    match = UNITS.match("东莞分公司")
    assert match.unit is None
    assert {u.id for u in match.suggestions} == {6, 7}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("虎們镇", "虎门镇"), ("虎们镇", "虎门镇"), ("厚接镇", "厚街镇"), ("长按镇", "长安镇")],
)
def test_close_typos_are_suggested_not_taken(typed: str, meant: str) -> None:
    match = UNITS.match(typed)
    assert match.unit is None
    assert match.suggestions and match.suggestions[0].name == meant


@pytest.mark.parametrize("typed", ["火星镇", "", "   ", "x"])
def test_unrelated_text_matches_nothing(typed: str) -> None:
    match = UNITS.match(typed)
    assert match.unit is None and match.suggestions == []


def test_normalize_folds_width_case_and_script() -> None:
    assert normalize_name("ＡＢＣ 東城") == "abc东城"
