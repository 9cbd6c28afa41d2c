"""/done arguments: task references and quota counts in Chinese and English; progress arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.evidence.media import NotAccepted, analyse, phash_distance, sniff
from bot.evidence.parse import normalize, parse_done, to_number
from bot.evidence.progress import ItemProgress
from bot.evidence.render import progress_text, translator
from bot.i18n import Catalog


@dataclass
class Item:
    key: str
    name: str
    aliases: list[str] = field(default_factory=list)


ITEMS = [
    Item("posters", "海报", ["宣传海报", "张贴海报", "poster", "posters"]),
    Item("banners", "标语", ["横幅", "宣传标语", "悬挂标语", "banner", "banners"]),
]


@pytest.mark.parametrize(
    ("text", "ref", "counts"),
    [
        ("9 海报120 标语12", "9", {"posters": 120, "banners": 12}),
        ("海报 120 张", "", {"posters": 120}),
        ("标语十二条", "", {"banners": 12}),
        ("标语两条", "", {"banners": 2}),
        ("海报一百二十张", "", {"posters": 120}),
        ("posters=120", "", {"posters": 120}),
        ("Posters: 3 BANNERS=4", "", {"posters": 3, "banners": 4}),
        ("９ 海报１２０", "9", {"posters": 120}),  # full-width digits
        ("9 张贴海报120，悬挂标语10", "9", {"posters": 120, "banners": 10}),
        ("9 海报100 宣传海报20", "9", {"posters": 120}),  # the same item twice adds up
        ("任务9 海报1", "任务9", {"posters": 1}),
        ("海报", "海报", {}),  # a title fragment, not a count
        ("公交在线", "公交在线", {}),
        ("9", "9", {}),
    ],
)
def test_counts_and_task_reference(text: str, ref: str, counts: dict[str, int]) -> None:
    args = parse_done(text, ITEMS)
    assert args.task_ref == ref
    assert args.counts == counts
    assert args.unknown == []


def test_task_number_forms() -> None:
    assert parse_done("9 海报1", ITEMS).task_number == 9
    assert parse_done("任务 9", ITEMS).task_number == 9
    assert parse_done("#12", ITEMS).task_number == 12
    assert parse_done("task 3 posters=1", ITEMS).task_number == 3
    assert parse_done("第5项", ITEMS).task_number == 5
    assert parse_done("海报", ITEMS).task_number is None
    assert parse_done("", ITEMS).task_number is None


def test_unknown_item_is_named_back() -> None:
    args = parse_done("9 海报120 气球3 balloons=2", ITEMS)
    assert args.counts == {"posters": 120}
    assert args.unknown == ["气球", "balloons"]


def test_absurd_count_is_refused() -> None:
    args = parse_done("9 海报99999999", ITEMS)
    assert args.counts == {} and args.too_large == ["海报99999999"]


def test_numbers_and_normalisation() -> None:
    assert to_number("十二") == 12
    assert to_number("两百") == 200
    assert to_number("120") == 120
    assert normalize("海报　１２０") == "海报 120"


def test_progress_arithmetic_and_text() -> None:
    posters = ItemProgress("posters", "海报", "张", 120, 100)
    banners = ItemProgress("banners", "标语", "条", 6, 10)
    assert posters.reached and posters.missing == 0
    assert not banners.reached and banners.missing == 4
    zh = translator(Catalog(), "zh-CN")
    assert progress_text(zh, [posters, banners]) == "海报 120/100 ✓，标语 6/10 还差4"
    en = translator(Catalog(), "en")
    assert progress_text(en, [banners]) == "标语 6/10, 4 to go"


def test_sniffing_goes_by_bytes_not_names() -> None:
    assert sniff(b"%PDF-1.4 ...") == ("application/pdf", "pdf")
    assert sniff(b"\xff\xd8\xff\xe0rest") == ("image/jpeg", "jpg")
    assert sniff(b"PK\x03\x04 a zip named photo.jpg") is None
    with pytest.raises(NotAccepted):
        analyse(b"plain text, not a picture")
    with pytest.raises(NotAccepted):
        analyse(b"\xff\xd8\xff but truncated garbage")


def test_phash_distance() -> None:
    assert phash_distance("ff00", "ff00") == 0
    assert phash_distance("ff00", "ff01") == 1
    assert phash_distance("0000", "ffff") == 16


@pytest.mark.parametrize(
    ("text", "negative", "missing"),
    [
        ("9 海报-5", ["海报-5"], []),
        ("9 海报 -5 标语6", ["海报 -5"], []),
        ("9 posters=-3", ["posters=-3"], []),
        ("9 海报－5", ["海报-5"], []),  # a full-width minus
        ("9 海报", [], ["海报"]),
        ("9 海报120 标语", [], ["标语"]),
        ("海报", [], []),  # a title fragment
        ("9 海报120 标语6", [], []),
    ],
)
def test_negative_and_missing_counts_are_named(
    text: str, negative: list[str], missing: list[str]
) -> None:
    args = parse_done(text, ITEMS)
    assert (args.negative, args.missing) == (negative, missing)
    assert all(v > 0 for v in args.counts.values())
