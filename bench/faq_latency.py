"""FAQ matcher latency (p50/p99) on a generated 1000-entry KB, and dev-set accuracy.

Baselines measured in the same run: plain char 1–2-gram TF-IDF (latency) and rapidfuzz WRatio
(accuracy). The hybrid mode (e5 model) is timed on the evaluation KB: its cost is the model's
forward pass per question, which does not depend on the KB size; embedding 1000 entries would
take most of the minute this benchmark may use.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.faq.embedding import model_available
from bot.faq.evaluate import evaluate, read_eval_set
from bot.faq.kb import FaqEntry, load_faq
from bot.faq.matcher import build_matcher, load_chitchat
from bot.faq.normalize import Synonyms

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "faq"
EVAL_DIRS = [ROOT / "tests" / "data" / "faq_eval"]  # the measured sets, kept in the repository

SUBJECTS = [
    "房东",
    "租客",
    "中介",
    "采集员",
    "居住登记",
    "出租屋",
    "企业",
    "网格员",
    "社区",
    "证件",
    "预约",
    "投诉",
    "门牌",
    "消防设施",
    "户口",
    "合同",
    "水电",
    "停车",
    "垃圾分类",
    "疫苗",
]
ACTIONS = [
    "需要做什么",
    "怎么办理",
    "去哪里问",
    "要不要收费",
    "有什么期限",
    "怎么投诉",
    "要准备什么",
    "会有什么后果",
    "能不能线上办",
    "找谁负责",
]
PLACES = ["东城", "南城", "虎门", "长安", "塘厦"]


def generated_kb(n: int = 1000) -> list[FaqEntry]:
    combos = [(s, a, p) for s in SUBJECTS for a in ACTIONS for p in PLACES][:n]
    return [
        FaqEntry(
            id=f"q{i}",
            question=f"{p}的{s}{a}？",
            alt=(f"{s}在{p}{a}", f"请问{p}{s}{a}"),
            answer=f"关于{p}{s}的问题，请咨询{p}相关部门。",
        )
        for i, (s, a, p) in enumerate(combos)
    ]


def percentiles(fn: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    for q in questions[:20]:
        fn(q)
    times = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def queries(entries: list[FaqEntry], n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        e = rng.choice(entries)
        out.append(
            e.question.replace("的", "").replace("？", "吗") + rng.choice(["", "呀", "谢谢"])
        )
    return out + ["大家好", "今天几点开会", "收到谢谢"] * 10


def plain_tfidf(entries: list[FaqEntry]) -> Callable[[str], object]:
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
    matrix = vec.fit_transform([e.question for e in entries])
    return lambda q: int(np.argmax((matrix @ vec.transform([q]).T).toarray()))


def rapidfuzz_top1(kb: list[FaqEntry], rows: list[tuple[str, str | None]]) -> float:
    texts = {e.id: e.question for e in kb}
    hits = [process.extractOne(q, texts, scorer=fuzz.WRatio) for q, exp in rows if exp]
    answerable = [exp for _, exp in rows if exp]
    return sum(h[2] == exp for h, exp in zip(hits, answerable, strict=True)) / len(answerable)


def main() -> None:
    rng = random.Random(7)
    synonyms = Synonyms.load(CONFIG / "synonyms.yaml")
    chitchat = load_chitchat(CONFIG / "chitchat.yaml")
    big = generated_kb()
    qs = queries(big, 470, rng)
    start = time.perf_counter()
    lexical = build_matcher(big, synonyms=synonyms, chitchat=chitchat, mode="lexical")
    build_ms = (time.perf_counter() - start) * 1000
    p50, p99 = percentiles(lexical.score, qs)  # uncached: every question scored afresh
    b50, b99 = percentiles(plain_tfidf(big), qs)
    print(
        f"faq lexical, {len(big)} entries: build {build_ms:.0f} ms, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    print(f"baseline plain char TF-IDF argmax: p50 {b50:.2f} ms, p99 {b99:.2f} ms")
    print(f"ratio lexical/baseline p99: {p99 / b99:.2f}x (goal p99 <= 5 ms)")

    eval_dir = next((d for d in EVAL_DIRS if (d / "faq_kb.yaml").is_file()), None)
    if eval_dir is None:
        print("dev set not found (tests/data/faq_eval/faq_kb.yaml): accuracy figures skipped")
        return
    kb = list(load_faq(eval_dir / "faq_kb.yaml").entries)
    sets = {
        "dev": read_eval_set(eval_dir / "faq_dev.tsv"),
        "held-out": read_eval_set(ROOT / "tests" / "data" / "faq_heldout.tsv"),
    }
    modes = ["lexical", "hybrid"] if model_available() else ["lexical"]
    for mode in modes:
        matcher = build_matcher(kb, synonyms=synonyms, chitchat=chitchat, mode=mode)  # type: ignore[arg-type]
        for name, rows in sets.items():
            r = evaluate(matcher, rows)
            print(
                f"faq {mode} {name}: top-1 {100 * r.top1:.1f}% ({r.correct}/{r.answerable}), "
                f"chit-chat answered {100 * r.chitchat_rate:.1f}% "
                f"({r.chitchat_answered}/{r.chitchat})"
            )
        if mode == "hybrid":
            all_q = [q for rows in sets.values() for q, _ in rows] * 2
            h50, h99 = percentiles(matcher.score, all_q)
            print(
                f"faq hybrid (cascade) latency on {len(kb)} entries: "
                f"p50 {h50:.2f} ms, p99 {h99:.2f} ms"
            )
            r50, r99 = percentiles(matcher.match, all_q)
            print(f"faq hybrid, asked before (memory): p50 {r50:.3f} ms, p99 {r99:.3f} ms")
    fuzz_top1 = rapidfuzz_top1(kb, sets["dev"])
    print(f"baseline rapidfuzz WRatio dev top-1: {100 * fuzz_top1:.1f}% (answers all chit-chat)")


if __name__ == "__main__":
    main()
