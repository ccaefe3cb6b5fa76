"""The verifier against a probe of small edits an LLM news bot makes: how many slip through.

bench/data/probe.jsonl holds 17 invented events (one to three outlets each, written for this
project) and 260 claims about them: faithful paraphrases (must be ``supported``), assistant
chatter (must be ``not_news``) and single edits of one kind each (must not be ``supported``):
a role or title, a noun, a cause, a count ("a child" for "two children"), an ordinal, a
qualifier ("nearly" for "more than"), percent for percentage points, a swapped subject and
object, a hedge stated as fact, a warrant read as an arrest, and the kinds of the planted
suite. Unlike the planted suite (tests/fixtures/planted, every case right, a test), this is a
measurement: it was written to find what the verifier misses, and much of it still does.

Run: .venv/bin/python bench/bench_probe.py [--nli] [--list]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table  # noqa: E402
from newsdistill.models import Page  # noqa: E402
from newsdistill.pipeline import make_articles  # noqa: E402
from newsdistill.verify import SourceIndex, verify_sentence  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "probe.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nli", action="store_true", help="with the contradiction model")
    ap.add_argument("--list", action="store_true", help="list every misjudged claim")
    args = ap.parse_args()
    model = None
    if args.nli:
        from newsdistill import nli

        model = nli.load()
    total: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    misjudged = []
    for line in DATA.read_text().splitlines():
        event = json.loads(line)
        pages = [
            Page(
                source=f"{event['event']}-{k}", title=s["title"], text=s["text"], outlet=s["outlet"]
            )
            for k, s in enumerate(event["sources"])
        ]
        index = SourceIndex(make_articles(pages), model=model)
        for c in event["claims"]:
            v = verify_sentence(c["claim"], index)
            kind = c["kind"] if c["expect"] == "edit" else c["expect"]
            ok = v.label != "supported" if c["expect"] == "edit" else v.label == c["expect"]
            total[kind] += 1
            if not ok:
                wrong[kind] += 1
                misjudged.append((event["event"], kind, c["claim"], v.label, v.reason))
    edits = [k for k in total if k not in ("supported", "not_news")]
    rows = [[k, total[k], wrong[k]] for k in sorted(edits)]
    rows += [
        [
            "all edits (judged supported)",
            sum(total[k] for k in edits),
            sum(wrong[k] for k in edits),
        ],
        ["paraphrases (not supported)", total["supported"], wrong["supported"]],
        ["chatter (not not_news)", total["not_news"], wrong["not_news"]],
    ]
    print(f"Probe of small edits ({DATA.name}; {'words + model' if args.nli else 'words only'})")
    print(table(["kind", "claims", "misjudged"], rows))
    if args.list:
        for event, kind, claim, label, reason in misjudged:
            print(f"[{event}/{kind}] {label}: {claim}\n    {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
