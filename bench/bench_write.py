"""Time `newsdistill write` on 10 articles of about 800 words, start-up included, next to
sumy's LexRank on the same text (the extractive baseline a user would otherwise pick).

Articles: the first 10 documents of summhay-news topic_news1 (about 800 words each), read
from ../shared/eval-data and written to a temporary folder as .txt files.

sumy's own tokenizer needs NLTK's punkt data, which cannot be downloaded here, so the
baseline gets a small adapter that splits sentences with nupunkt (the same splitter we use)
and words with a regular expression. Both sides are timed as whole processes.

Run: .venv/bin/python bench/bench_write.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import eval_path, table  # noqa: E402

LEXRANK = r"""
import re, sys, pathlib
import nupunkt
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.nlp.stemmers import Stemmer

class Tok:
    language = "english"
    def to_sentences(self, text):
        return [s.strip() for s in nupunkt.sent_tokenize(text) if s.strip()]
    def to_words(self, sentence):
        return re.findall(r"[A-Za-z0-9']+", sentence)

folder, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
text = "\n\n".join(p.read_text() for p in sorted(folder.glob("*.txt")))
parser = PlaintextParser.from_string(text, Tok())
summarizer = LexRankSummarizer(Stemmer("english"))
for s in summarizer(parser.document, n):
    print(s)
"""


def run(cmd: list[str], runs: int) -> tuple[float, float, str]:
    times, out = [], ""
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t)
        out = proc.stdout
    return statistics.median(times), min(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    data = eval_path("summhay-news", "topic_news1.json")
    if data is None:
        return 0
    docs = json.loads(data.read_text())["documents"][:10]
    exe = Path(sys.executable).parent / "newsdistill"
    with tempfile.TemporaryDirectory() as tmp:
        for k, d in enumerate(docs):
            Path(tmp, f"doc{k:02d}.txt").write_text(d["document_text"])
        words = sum(len(d["document_text"].split()) for d in docs)
        ours_med, ours_min, out = run(
            [str(exe), "write", tmp, "--format", "json", "--quiet"], args.runs
        )
        digest = json.loads(out)
        n_sent = sum(len(s["sentences"]) for s in digest["stories"])
        lex_med, lex_min, _ = run(
            [sys.executable, "-c", LEXRANK, tmp, str(max(n_sent, 1))], args.runs
        )
        import_med, _, _ = run([sys.executable, "-c", "import newsdistill.cli"], args.runs)
    print(
        f"# bench_write — {dt.date.today()} — 10 articles, {words} words, median of {args.runs} runs"
    )
    print(table(
        ["command (whole process)", "median s", "best s", "sentences out"],
        [["newsdistill write (offline engine)", ours_med, ours_min, n_sent],
         [f"sumy LexRank, same {n_sent} sentences", lex_med, lex_min, n_sent],
         ["python -c 'import newsdistill.cli' (floor)", import_med, "", ""]],
    ))  # fmt: skip
    print(f"target: newsdistill write under 2 s -> {'met' if ours_med < 2.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
