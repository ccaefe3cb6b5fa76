"""Benchmark the verifier: SummEdits, FaithBench, the planted-error suite, and speed.

Usage:  .venv/bin/python bench/bench_verify.py [--skip-summedits] [--skip-faithbench] [--nli]

--nli runs every part with the contradiction model too (the ``nli`` extra) and calibrates
``verify.MODEL_CONTRADICTS`` on the non-news SummEdits files.

Evaluation data is read from ../shared/eval-data (relative to the repository); a benchmark
whose data is absent prints a skip message. Nothing from it is copied into the repository.

SummEdits: the checker sees only ``doc`` and ``summary``. The decision threshold on the
continuous score is calibrated on the non-news files only (best balanced accuracy pooled
over them) and news is reported as held out, at that threshold.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from newsdistill.pipeline import Options, load_pages, make_articles
from newsdistill.verify import (
    MODEL_CONTRADICTS,
    PAIR_THRESHOLD,
    PairResult,
    SourceIndex,
    check_pair,
    summary_sentences,
    verify_sentence,
)

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval-data"
PLANTED = ROOT / "tests" / "fixtures" / "planted"


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return 0.5 * (float((pred[y == 1] == 1).mean()) + float((pred[y == 0] == 0).mean()))


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def summedits(model: Any = None) -> None:
    folder = EVAL / "summedits"
    if not folder.is_dir():
        print(f"SummEdits: skipped ({folder} not found)\n")
        return
    scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with_model: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for f in sorted(folder.glob("summedits_*.json")):
        data = json.loads(f.read_text())
        # With a threshold above 1 the model's probabilities are recorded and never acted
        # on: the scores are the word checks' own, and one pass serves both tables.
        results = [check_pair(x["doc"], x["summary"], model, model_threshold=2.0) for x in data]
        s = np.array([r.score for r in results])
        y = np.array([int(x["label"]) for x in data])
        scores[f.stem.removeprefix("summedits_")] = (s, y)
        if model is not None:
            p = np.array([_worst_contradiction(r) for r in results])
            with_model[f.stem.removeprefix("summedits_")] = (s >= PAIR_THRESHOLD, p)
    calib = [k for k in scores if k != "news"]
    s_cal = np.concatenate([scores[k][0] for k in calib])
    y_cal = np.concatenate([scores[k][1] for k in calib])
    grid = np.round(np.arange(0.0, 1.0, 0.01), 2)
    accs = [balanced_accuracy(y_cal, (s_cal >= t).astype(int)) for t in grid]
    th = float(grid[int(np.argmax(accs))])
    print(
        f"SummEdits balanced accuracy (threshold calibrated on the {len(calib)} non-news files: "
        f"{th:.2f}; verify.PAIR_THRESHOLD = {PAIR_THRESHOLD:.2f})"
    )
    rows = []
    for k, (s, y) in scores.items():
        role = "held out" if k == "news" else "calibration"
        rows.append(
            [
                k,
                role,
                str(len(y)),
                f"{100 * balanced_accuracy(y, (s >= th).astype(int)):.1f}",
                f"{100 * balanced_accuracy(y, (s >= PAIR_THRESHOLD).astype(int)):.1f}",
            ]
        )
    s_all = np.concatenate([v[0] for v in scores.values()])
    y_all = np.concatenate([v[1] for v in scores.values()])
    rows.append(
        [
            "all",
            "",
            str(len(y_all)),
            f"{100 * balanced_accuracy(y_all, (s_all >= th).astype(int)):.1f}",
            f"{100 * balanced_accuracy(y_all, (s_all >= PAIR_THRESHOLD).astype(int)):.1f}",
        ]
    )
    print(table(rows, ["file", "role", "pairs", "bal.acc (calibrated)", "bal.acc (shipped)"]))
    print(
        "Published on news: SummaC 61.9, QAFactEval 74.4, Gemini-pro 77.6, GPT-4 83.3, "
        "humans 90.0\n"
    )
    if with_model:
        _summedits_model(scores, with_model)


def _worst_contradiction(result: PairResult) -> float:
    """The highest contradiction probability the model gave any sentence (0 if none asked).
    A pair is inconsistent under threshold T exactly when its word checks say so or this
    reaches T, which is how ``check_pair`` decides with the model."""
    return max((s.verdict.contradiction or 0.0 for s in result.sentences), default=0.0)


def _summedits_model(
    scores: dict[str, tuple[np.ndarray, np.ndarray]],
    with_model: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    """Consistent = the word checks' verdict and a worst contradiction probability below T;
    T calibrated on the non-news files, news held out."""
    calib = [k for k in with_model if k != "news"]
    y_cal = np.concatenate([scores[k][1] for k in calib])
    grid = np.round(np.arange(0.5, 1.0, 0.01), 2)

    def cons(k: str, t: float) -> np.ndarray:
        lex, p = with_model[k]
        return lex & (p < t)

    accs = [
        balanced_accuracy(y_cal, np.concatenate([cons(k, t) for k in calib]).astype(int))
        for t in grid
    ]
    th = float(grid[int(np.argmax(accs))])
    print(
        f"SummEdits with the contradiction model (consistent = word checks consistent and "
        f"worst contradiction < T; T calibrated on the non-news files: {th:.2f}; "
        f"verify.MODEL_CONTRADICTS = {MODEL_CONTRADICTS:.2f})"
    )
    rows = []
    for k in with_model:
        y = scores[k][1]
        rows.append(
            [
                k,
                "held out" if k == "news" else "calibration",
                f"{100 * balanced_accuracy(y, (scores[k][0] >= PAIR_THRESHOLD).astype(int)):.1f}",
                f"{100 * balanced_accuracy(y, cons(k, th).astype(int)):.1f}",
                f"{100 * balanced_accuracy(y, cons(k, MODEL_CONTRADICTS).astype(int)):.1f}",
            ]
        )
    y_all = np.concatenate([scores[k][1] for k in with_model])
    rows.append(
        [
            "all",
            "",
            f"{100 * balanced_accuracy(y_all, np.concatenate([scores[k][0] >= PAIR_THRESHOLD for k in with_model]).astype(int)):.1f}",
            f"{100 * balanced_accuracy(y_all, np.concatenate([cons(k, th) for k in with_model]).astype(int)):.1f}",
            f"{100 * balanced_accuracy(y_all, np.concatenate([cons(k, MODEL_CONTRADICTS) for k in with_model]).astype(int)):.1f}",
        ]
    )
    print(
        table(rows, ["file", "role", "words only", "+ model (calibrated T)", "+ model (shipped)"])
    )
    near = [
        f"{t:.2f}: {100 * balanced_accuracy(scores['news'][1], cons('news', t).astype(int)):.1f}"
        for t in (th - 0.04, th - 0.02, th, th + 0.02)
        if "news" in with_model and 0.5 <= t < 1.0
    ]
    print("news at neighbouring T:", ", ".join(near))
    print()


def faithbench(model: Any = None) -> None:
    folder = EVAL / "faithbench"
    if not folder.is_dir():
        print(f"FaithBench: skipped ({folder} not found)\n")
        return
    # Sentence level: a summary sentence is hallucinated when an annotator marked an
    # "Unwanted" span inside it; the verifier flags every sentence that is not supported.
    tp = fp = fn = tn = 0
    for f in sorted((folder / "data_for_release").glob("batch_*.json")):
        for sample in json.loads(f.read_text())["samples"]:
            summary = sample["summary"]
            spans = [
                (a["summary_start"], a["summary_end"])
                for a in sample["annotations"]
                if any(str(lab).startswith("Unwanted") for lab in a["label"])
                and a.get("summary_start") is not None
            ]
            result = check_pair(sample["source"], summary, model)
            pos = 0
            for checked in result.sentences:
                start = summary.find(checked.text[:20], pos)
                start = pos if start < 0 else start
                end = start + len(checked.text)
                pos = end
                gold = any(s < end and e > start for s, e in spans)
                flagged = checked.verdict.label != "supported"
                tp += gold and flagged
                fp += flagged and not gold
                fn += gold and not flagged
                tn += not gold and not flagged
    # Summary level: hallucinated = worst label "Unwanted".
    stp = sfp = sfn = 0
    with open(folder / "FaithBench.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gold = row["worst-label"].startswith("Unwanted")
            flagged = not check_pair(row["source"], row["summary"], model).consistent
            stp += gold and flagged
            sfp += flagged and not gold
            sfn += gold and not flagged
    p = lambda a, b: 100 * a / (a + b) if a + b else 0.0  # noqa: E731
    print(
        "FaithBench hallucination detection (flagged = any verdict other than supported"
        + (", with the contradiction model)" if model is not None else ")")
    )
    print(
        table(
            [
                [
                    "sentences (Unwanted span inside)",
                    str(tp + fn),
                    f"{p(tp, fp):.1f}",
                    f"{p(tp, fn):.1f}",
                    f"{100 * (tp + fn) / max(1, tp + fp + fn + tn):.1f}",
                ],
                [
                    "summaries (worst label Unwanted)",
                    str(stp + sfn),
                    f"{p(stp, sfp):.1f}",
                    f"{p(stp, sfn):.1f}",
                    "",
                ],
            ],
            ["level", "positives", "precision", "recall", "base rate"],
        )
    )
    print()


def planted_index(
    sources: list[str], cache: dict[tuple[str, ...], SourceIndex], model: Any = None
) -> SourceIndex:
    """The index of one case's source articles (paths relative to tests/fixtures/planted)."""
    key = tuple(sources)
    if key not in cache:
        pages, skipped = load_pages([str(PLANTED / s) for s in sources], Options())
        if skipped:
            raise SystemExit(f"planted sources skipped: {skipped}")
        cache[key] = SourceIndex(make_articles(pages), model=model)
    return cache[key]


def planted(model: Any = None) -> None:
    indexes: dict[tuple[str, ...], SourceIndex] = {}
    ok: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[str] = []
    for line in (PLANTED / "planted.jsonl").read_text().splitlines():
        case = json.loads(line)
        got = verify_sentence(case["summary"], planted_index(case["sources"], indexes, model)).label
        if got != case["expected"]:
            misses.append(f"  {case['id']} {case['kind']}: {case['expected']}->{got}")
        total[case["kind"]] += 1
        ok[case["kind"]] += got == case["expected"]
        confusion[(case["expected"], got)] += 1
    rows = [[k, str(total[k]), str(ok[k]), f"{100 * ok[k] / total[k]:.0f}"] for k in total]
    rows.append(
        [
            "all",
            str(sum(total.values())),
            str(sum(ok.values())),
            f"{100 * sum(ok.values()) / sum(total.values()):.0f}",
        ]
    )
    print(
        f"Planted-error suite (tests/fixtures/planted, {len(indexes)} events; "
        "exact verdict expected" + ("; with the contradiction model)" if model else ")")
    )
    print(table(rows, ["kind", "cases", "correct", "%"]))
    errors = [f"{e}->{g}: {n}" for (e, g), n in sorted(confusion.items()) if e != g]
    print("errors (expected->got):", ", ".join(errors) or "none")
    print("\n".join(misses))
    print()


def speed(model: Any = None) -> None:
    from newsdistill.sampledata import samples_dir

    files = [str(p) for p in sorted(samples_dir().glob("*.html"))]
    files += [str(p) for p in sorted(PLANTED.glob("*.txt"))]  # the Orlen event only
    files += [str(p) for p in sorted((ROOT / "tests" / "fixtures" / "events").glob("e05-*.txt"))]
    articles = make_articles(load_pages(files[:10], Options())[0])
    t0 = time.perf_counter()
    index = SourceIndex(articles)
    _ = index.discrepancies
    build = time.perf_counter() - t0
    rewritten = [
        json.loads(line)["summary"] for line in (PLANTED / "planted.jsonl").read_text().splitlines()
    ]
    claims = [s.text for a in articles for s in a.sentences]
    claims += [
        json.loads(line)["summary"] for line in (PLANTED / "planted.jsonl").read_text().splitlines()
    ]
    claims = summary_sentences(" ".join(claims[:300]))[:300]
    t0 = time.perf_counter()
    for c in claims:
        verify_sentence(c, index)
    dt = time.perf_counter() - t0
    n_src = sum(len(a.sentences) for a in articles)
    rows = [
        [
            "words",
            str(len(articles)),
            str(n_src),
            f"{build * 1000:.0f}",
            f"{len(claims)} (source and planted sentences)",
            f"{len(claims) / dt:.0f}",
        ]
    ]
    if model is not None:
        # Source sentences stated word for word never reach the model: time rewritten
        # sentences only (the planted summaries), each one new to the model's cache.
        index = SourceIndex(articles, model=model)
        _ = index.discrepancies
        t0 = time.perf_counter()
        for c in rewritten:
            verify_sentence(c, index)
        dt = time.perf_counter() - t0
        rows.append(
            [
                "words + model",
                str(len(articles)),
                str(n_src),
                "",
                f"{len(rewritten)} (planted sentences)",
                f"{len(rewritten) / dt:.0f}",
            ]
        )
    print("Speed (one process)")
    print(
        table(
            rows,
            ["checks", "articles", "source sentences", "index ms", "claims", "sentences/s"],
        )
    )
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-summedits", action="store_true")
    ap.add_argument("--skip-faithbench", action="store_true")
    ap.add_argument("--nli", action="store_true", help="also with the contradiction model")
    args = ap.parse_args()
    model = None
    if args.nli:
        from newsdistill.nli import ModelMissing, load

        try:
            model = load()
        except ModelMissing as exc:
            print(f"--nli: {exc}", file=sys.stderr)
            return 1
    planted()
    if model is not None:
        planted(model)
    speed(model)
    if not args.skip_summedits:
        summedits(model)
    if not args.skip_faithbench:
        faithbench()
        if model is not None:
            faithbench(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
