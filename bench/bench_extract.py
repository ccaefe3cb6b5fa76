"""Extraction benchmark: our ``extract`` next to plain ``trafilatura.extract`` in one run.

Data: ../shared/eval-data/article-extraction-benchmark relative to the repository (181 real
pages with hand-made ground-truth article bodies; never copied into the repository). When the
folder is absent the benchmark prints a skip message and exits 0.

Metric, as the benchmark's README describes it: text is tokenized with ``\\w+`` and lowercased;
per document, true/false positives and false negatives are counted over the multisets of word
4-gram shingles of prediction and ground truth; precision and recall are averaged over the
documents and F1 is the harmonic mean of the two averages. A page our gate rejects counts as an
empty prediction (precision and recall 0), so the gate cannot improve our score.

Usage::

    .venv/bin/python bench/bench_extract.py [--limit N] [--show-rejected] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "eval-data" / "article-extraction-benchmark"
TOKEN = re.compile(r"\w+")
N = 4


def shingles(text: str, n: int = N) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams; a text shorter than n words is one shingle of all its words."""
    tokens = TOKEN.findall(text.lower())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def precision_recall(truth: str, pred: str) -> tuple[float, float]:
    """Per-document shingle precision and recall."""
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    if tp == 0:
        return 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn)


@dataclass
class Result:
    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    seconds: float = 0.0
    per_doc: dict[str, tuple[float, float]] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)

    def add(self, doc_id: str, truth: str, pred: str, seconds: float) -> None:
        self.add_scored(doc_id, *precision_recall(truth, pred), seconds)

    def add_scored(self, doc_id: str, p: float, r: float, seconds: float) -> None:
        self.times[doc_id] = seconds
        self.precision.append(p)
        self.recall.append(r)
        self.per_doc[doc_id] = (p, r)
        self.seconds += seconds

    def row(self) -> str:
        n = len(self.precision) or 1
        p = sum(self.precision) / n
        r = sum(self.recall) / n
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        ms = 1000 * self.seconds / n
        return f"| {self.name:<34} | {f1:.3f} | {p:.3f} | {r:.3f} | {ms:8.1f} |"


def plain_trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--show-rejected", action="store_true", help="list gate rejections")
    parser.add_argument("--worst", type=int, default=0, help="list our N worst pages by F1")
    args = parser.parse_args(argv)

    truth_file = DATA / "ground-truth.json"
    if not truth_file.exists():
        print(f"skip: extraction benchmark data not found at {DATA}")
        return 0

    sys.path.insert(0, str(REPO / "src"))
    from newsdistill.errors import SourceError
    from newsdistill.extract import extract
    from newsdistill.sources import read

    truth: dict[str, dict[str, str]] = json.loads(truth_file.read_text(encoding="utf-8"))
    ids = sorted(truth)
    if args.limit:
        ids = ids[: args.limit]

    from newsdistill.extract import detect_language

    ours = Result("newsdistill extract, gated")
    ungated = Result("newsdistill extract, gate off")
    plain = Result("trafilatura.extract (defaults)")
    plain_en = Result("trafilatura.extract (defaults)")
    ours_en = Result("newsdistill extract, gated")
    # The ground truth's language decides which pages are English, not our own extraction.
    english = {k for k in ids if detect_language(truth[k]["articleBody"]) in ("en", None)}
    rejected: list[tuple[str, str]] = []
    for doc_id in ids:
        path = DATA / "html" / f"{doc_id}.html.gz"
        body = truth[doc_id]["articleBody"]
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        _timed(plain, doc_id, body, lambda h=html: plain_trafilatura(h))

        doc = read(str(path))
        start = time.perf_counter()
        try:
            text = extract(doc).text
        except SourceError as exc:
            text = ""
            rejected.append((doc_id, exc.reason))
        elapsed = time.perf_counter() - start
        ours.add(doc_id, body, text, elapsed)
        if not text:
            text = _ungated_text(doc)
        ungated.add(doc_id, body, text, elapsed)
        if doc_id in english:
            plain_en.add_scored(doc_id, *plain.per_doc[doc_id], plain.times[doc_id])
            ours_en.add_scored(doc_id, *ours.per_doc[doc_id], ours.times[doc_id])

    print(f"article-extraction-benchmark: {len(ids)} pages, 4-gram shingle P/R averaged per page\n")
    print(f"| {'extractor':<34} | F1    | prec. | recall | ms/page  |")
    print(f"|{'-' * 36}|-------|-------|--------|----------|")
    for result in (plain, ungated, ours):
        print(result.row())
    label = f"English pages only ({len(english)})"
    print(f"| {label:<34} |       |       |        |          |")
    for result in (plain_en, ours_en):
        print(result.row())
    print("\npublished: trafilatura 2.0.0 F1 0.958, best (Zyte AutoExtract 2019) 0.970")
    print(f"\ngate rejections: {len(rejected)} of {len(ids)}")
    foreign = [r for k, r in rejected if k not in english]
    print(f"  non-English pages (by ground truth): {len(foreign)}")
    for kind, count in Counter(_reason_kind(r) for r in foreign).most_common():
        print(f"    {count:3d}  {kind}")
    print(f"  English pages: {len(rejected) - len(foreign)}")
    reasons = Counter(_reason_kind(r) for k, r in rejected if k in english)
    for kind, count in reasons.most_common():
        print(f"    {count:3d}  {kind}")
    if args.show_rejected:
        for doc_id, reason in rejected:
            print(f"  {doc_id[:12]}  {truth[doc_id]['url']}  {reason}")
    if args.worst:
        print(f"\nour {args.worst} worst pages (F1, P, R vs trafilatura F1):")
        scored = sorted(ours.per_doc.items(), key=lambda kv: _f1(*kv[1]))
        for doc_id, (p, r) in scored[: args.worst]:
            print(
                f"  {doc_id[:12]} F1 {_f1(p, r):.3f} P {p:.3f} R {r:.3f} "
                f"(plain {_f1(*plain.per_doc[doc_id]):.3f})  {truth[doc_id]['url']}"
            )
    return 0


def _timed(result: Result, doc_id: str, truth: str, fn: Callable[[], str]) -> None:
    start = time.perf_counter()
    pred = fn()
    result.add(doc_id, truth, pred, time.perf_counter() - start)


def _ungated_text(doc: object) -> str:
    """The text we would have produced without the gate, to show what the gate costs."""
    from newsdistill.extract import ExtractOptions, extract

    try:
        return extract(
            doc,
            ExtractOptions(
                min_words=0, check_language=False, paywall_max_words=0, max_boilerplate=1.0
            ),
        ).text  # type: ignore[arg-type]
    except Exception:
        return ""


def _reason_kind(reason: str) -> str:
    return re.sub(r"\d+", "N", reason)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    sys.exit(main())
