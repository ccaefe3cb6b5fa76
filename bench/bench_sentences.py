"""Compare sentence splitters on hand-labelled news text that trips naive splitters.

Cases are written for this project: each is a paragraph with the expected sentences. Scored:
share of cases split exactly right, and boundary precision/recall. Splitters: nupunkt (what
we ship), our wrapper around it (quote joining), pysbd (if installed: pip install pysbd), and
a naive regex split on ". " as the floor.

Run: .venv/bin/python bench/bench_sentences.py
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table  # noqa: E402

CASES: list[list[str]] = [
    ["The U.S. Coast Guard said the tanker ran aground at 4 p.m. on Tuesday.", "No one was hurt."],
    [
        "Dr. Amara Osei, the county health officer, urged residents to stay inside.",
        "Schools closed early.",
    ],
    [
        "Officials said 1,300 people left their homes.",
        "About 2.5 percent of them went to shelters.",
    ],
    ["J. R. Maddox, a spokesman, declined to comment.", "The company said it would cooperate."],
    ['"We are ready. We have been ready for weeks," the mayor said.', "The council agreed."],
    ["The meeting ended at 11:52 p.m. Thursday.", "A second vote is set for Dec. 3."],
    ["Prices rose in Jan. and Feb. but fell in March.", "Economists were surprised."],
    ["The firm, based in St. Louis, employs 400 people.", "It was founded in 1962."],
    ["Gov. Ellen Park signed the bill on Friday.", "Sen. Ray Alvarez voted against it."],
    ["The vote was 5-4.", "Councilor Kim Takeda cast the deciding ballot."],
    ["Is the bridge safe?", "Engineers say they do not yet know."],
    [
        "The company reported $2.4 million in losses vs. a profit a year earlier.",
        "Shares fell 3 percent.",
    ],
    ["The U.N. Security Council met on Monday.", "Delegates from 15 nations attended."],
    ["She moved to Washington, D.C., in 2019.", "She now leads the agency."],
    ["The rocket lifted off at 6:04 a.m. local time.", "It reached orbit nine minutes later."],
    ["Mr. Okafor and Mrs. Lee met at 10 a.m.", "They spoke for an hour."],
    ["Police said the suspect, 34, was arrested without incident.", "Charges are expected Monday."],
    ["The report, released Wed., runs to 212 pages.", "It makes 40 recommendations."],
    ['"It is over," she said.', '"We won."', "Supporters cheered outside."],
    ["Inflation hit 3.5% in Oct., the highest since 2023.", "The central bank meets next week."],
]


def naive(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def nupunkt_plain(text: str) -> list[str]:
    import nupunkt

    return [s.strip() for s in nupunkt.sent_tokenize(text) if s.strip()]


def ours(text: str) -> list[str]:
    from newsdistill.sentences import split_sentences

    return [s.text for s in split_sentences(text, "a1")]


def pysbd_split(text: str) -> list[str]:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    return [s.strip() for s in seg.segment(text) if s.strip()]


def boundaries(sents: list[str]) -> set[int]:
    out, pos = set(), 0
    for s in sents[:-1]:
        pos += len(s.replace(" ", ""))
        out.add(pos)
    return out


def score(split) -> tuple[float, float, float, float]:
    exact = tp = fp = fn = 0
    t = time.perf_counter()
    for case in CASES:
        text = " ".join(case)
        got = split(text)
        exact += got == case
        g, p = boundaries(case), boundaries(got)
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    ms = (time.perf_counter() - t) * 1000
    return exact / len(CASES), tp / max(1, tp + fp), tp / max(1, tp + fn), ms


def main() -> int:
    splitters = [
        ("naive regex", naive),
        ("nupunkt", nupunkt_plain),
        ("newsdistill (nupunkt + quotes)", ours),
    ]
    try:
        import pysbd  # noqa: F401

        splitters.append(("pysbd", pysbd_split))
    except ImportError:
        print("pysbd not installed: skipped (pip install pysbd)", file=sys.stderr)
    rows = []
    for name, fn in splitters:
        fn(CASES[0][0])  # warm up (model loading)
        exact, p, r, ms = score(fn)
        rows.append([name, exact, p, r, ms])
    print(f"# bench_sentences — {dt.date.today()} — {len(CASES)} hand-written news cases")
    print(table(["splitter", "exact", "boundary P", "boundary R", "ms total"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
