"""SummHay news: coverage and citation of our --query story against stored LLM outputs.

For each of the 5 news haystacks (100 synthetic articles, 7-9 sub-topic queries, gold
insights and the articles that state each insight) this writes ONE newsdistill story per
query from all 100 articles, and scores it with the offline judge in bench/summhay_judge.py
next to: LexRank and TextRank (sumy) baselines of the same length, a plain query-similarity
baseline, and every stored LLM summary in the data files (full haystack and with each
retriever). Before that it reports the judge's agreement with SummHay's human coverage
labels (eval_benchmark_data.json): calibrated on the conversation domain, held out on news.

Our story: Page(source=f"doc{i}", text=document_text, outlet=article_source) for the 100
documents -> pipeline.make_articles -> pipeline.write_event(articles, Options(write=
WriteOptions(words=N, query=<sub-topic>))). No clustering. Each story sentence (lede, body,
background, what's next) is one bullet; it cites the distinct articles of its citations. N is
the mean word count of the stored LLM summaries. The query is the sub-topic statement
("Fuel types and their impact on performance"), the text the SummHay prompts gave the LLMs;
``--query-field query`` uses the short question instead ("Impact of fuel types on
performance?").

Baselines: every document is split into sentences with nupunkt (sentences under 6 words
dropped); the 150 sentences most similar to the query (TF-IDF cosine, newsdistill's
TermSpace over the topic's sentences) are the candidates; LexRank / TextRank rank them
(sumy, with an adapter tokenizer: nupunkt sentences, regex words, because sumy's own needs
NLTK data that is absent) and sentences are taken best first until N words. Each
selected sentence is a bullet citing the one document it came from. "QueryTop" takes the
candidates in query-similarity order instead.

Run: .venv/bin/python bench/bench_summhay.py [--limit Q] [--topics 1,2] [--verbose]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import eval_path, table  # noqa: E402
from summhay_judge import (  # noqa: E402
    Agreement,
    Bullet,
    Example,
    Judge,
    Settings,
    SummaryScore,
    agreement,
    bullet_text,
    calibrate,
    parse_bullets,
)

HUMAN = {"fully_covered": "FULL", "partially_covered": "PARTIAL", "not_covered": "NO"}
LLM_JUDGE = {"FULL_COVERAGE": "FULL", "PARTIAL_COVERAGE": "PARTIAL", "NO_COVERAGE": "NO"}
OURS = "newsdistill --query"
CALIBRATION = 3  # queries per haystack the writer's query constants were tuned on
OURS_CAL = f"{OURS} (calibration)"
OURS_HELD = f"{OURS} (held out)"
BASELINE_POOL = 150
MIN_BASELINE_WORDS = 6


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# 1. Judge agreement with the human labels


def _topic_key(entry: dict[str, Any]) -> str:
    return str(entry.get("topic_fn") or entry.get("topic_id"))


def judge_agreement(path: Path) -> Settings:
    """Print the judge's agreement with the human labels; return the settings in use."""
    data = json.loads(path.read_text())
    domain = {_topic_key(e): ("news" if "topic_id" in e else "conversation") for e in data}
    corpora: dict[str, list[str]] = defaultdict(list)
    for e in data:
        corpora[_topic_key(e)] += [i["insight"] for i in e["reference_insights"]]
        corpora[_topic_key(e)] += [bullet_text(x) for x in e["summary"]]
    corpora = {k: list(dict.fromkeys(v)) for k, v in corpora.items()}
    examples: list[Example] = []
    ex_domain: list[str] = []
    ex_bullet: list[str] = []  # the human's covering line ("no_selection" when none)
    llm: dict[str, list[str]] = defaultdict(list)
    for e in data:
        text = {i["insight_id"]: i["insight"] for i in e["reference_insights"]}
        lines = tuple(bullet_text(x) for x in e["summary"])  # index = the human's candidate_id
        preds = {k[len("predictions_") :]: v for k, v in e.items() if k.startswith("predictions_")}
        for a in e["annotation"]:
            human = HUMAN[a["coverage"]]
            examples.append(Example(_topic_key(e), text[a["insight_id"]], lines, human))
            ex_domain.append(domain[_topic_key(e)])
            ex_bullet.append(str(a["candidate_id"]))
            for name, p in preds.items():
                by_id = {x["insight_id"]: LLM_JUDGE.get(x["coverage"], "NO") for x in p}
                llm[name].append(by_id.get(a["insight_id"], "NO"))

    calibration = [e for e, d in zip(examples, ex_domain, strict=True) if d == "conversation"]
    found, _ = calibrate(calibration, corpora)
    settings = Settings()
    judges = {t: Judge(c, settings) for t, c in corpora.items()}
    covers = [judges[e.topic].cover(e.insight, e.bullets) for e in examples]
    ours = [c[0] for c in covers]
    human = [e.human for e in examples]

    def rows_for(name: str, pred: list[str], with_bullets: bool) -> list[list[object]]:
        rows: list[list[object]] = []
        for dom in ("conversation", "news", "all"):
            idx = [i for i, d in enumerate(ex_domain) if dom in ("all", d)]
            a: Agreement = agreement([pred[i] for i in idx], [human[i] for i in idx])
            bullet = "-"
            if with_bullets:
                both = [i for i in idx if ours[i] != "NO" and human[i] != "NO"]
                same = sum(str(covers[i][2]) == ex_bullet[i] for i in both)
                bullet = f"{100 * same / len(both):.1f}" if both else "-"
            role = {"conversation": "calibration", "news": "held out", "all": "all"}[dom]
            label = f"{dom} ({role})" if name.startswith("ours") else dom
            rows.append([name, label, a.n, 100 * a.accuracy3, a.kappa3, 100 * a.accuracy2,
                         a.kappa2, bullet])  # fmt: skip
        return rows

    rows = rows_for("ours (lexical judge)", ours, True)
    for name in sorted(llm):
        rows += [r for r in rows_for(f"LLM judge {name}", llm[name], False)]
    print("## Judge agreement with SummHay human coverage labels (eval_benchmark_data.json)\n")
    print(f"settings in use: {settings}")
    same = "same" if found == settings else "DIFFERENT - update Settings defaults"
    print(f"grid search on the conversation labels finds: {found} ({same})\n")
    print(
        table(
            ["judge", "labels", "n", "acc3 %", "kappa3", "acc2 %", "kappa2", "same bullet %"],
            rows,
        )
    )
    print(
        "\nacc3/kappa3: FULL/PARTIAL/NO; acc2/kappa2: covered or not. 'same bullet': when the "
        "judge and the human both find the insight covered, how often they pick the same line.\n"
    )
    return settings


# ---------------------------------------------------------------------------------------------
# 2. Systems


@dataclass
class SystemScores:
    scores: list[SummaryScore] = field(default_factory=list)
    words: list[int] = field(default_factory=list)
    bullets: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def summary_words(bullets: Sequence[Bullet]) -> int:
    return sum(len(b.text.split()) for b in bullets)


def stored_summaries(subtopic: dict[str, Any]) -> dict[str, list[Bullet]]:
    """Stored LLM outputs by system name ("gpt-4o" = full haystack, "oracle_gpt-4o", ...)."""
    out = {}
    for key, lines in subtopic.get("summaries", {}).items():
        if isinstance(lines, str):
            lines = lines.splitlines()
        out[key.removeprefix("summary_subtopic_")] = parse_bullets(lines)
    return out


def our_story(
    articles: list[Any], query: str, words: int, dropped: list[int] | None = None
) -> list[Bullet]:
    """Our --query story as bullets; ``dropped`` collects how many sentences the verifier
    withheld."""
    from newsdistill.pipeline import Options, write_event
    from newsdistill.write.offline import WriteOptions

    story = write_event(articles, Options(write=WriteOptions(words=words, query=query)))
    if dropped is not None:
        dropped.append(len(story.dropped))
    doc_of = {a.id: int(a.page.source.removeprefix("doc")) for a in articles}
    return [
        Bullet(s.text, frozenset(doc_of[c.article] for c in s.citations if c.article in doc_of))
        for s in story.sentences
    ]


def make_articles(documents: list[dict[str, Any]]) -> list[Any]:
    from newsdistill.models import Page
    from newsdistill.pipeline import make_articles as make

    pages = [
        Page(source=f"doc{i}", title="", text=d["document_text"],
             outlet=(d.get("document_metadata") or {}).get("article_source"))
        for i, d in enumerate(documents)
    ]  # fmt: skip
    return make(pages)


class Baselines:
    """Query-filtered extractive baselines over one haystack (see module docstring)."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        import nupunkt

        from newsdistill.vectors import TermSpace

        self.sentences: list[tuple[int, str]] = []
        seen: set[str] = set()
        for i, d in enumerate(documents):
            for para in re.split(r"\n\s*\n", d["document_text"]):
                for s in nupunkt.sent_tokenize(para):
                    s = s.strip()
                    if len(s.split()) >= MIN_BASELINE_WORDS and s not in seen:
                        seen.add(s)
                        self.sentences.append((i, s))
        self.space = TermSpace(s for _, s in self.sentences)
        self.matrix = self.space.sparse_matrix([s for _, s in self.sentences])

    def candidates(self, query: str) -> list[int]:
        import numpy as np

        q = self.space.sparse_matrix([query])
        sim = np.asarray((self.matrix @ q.T).todense()).ravel()
        return [int(k) for k in np.argsort(-sim, kind="stable")[:BASELINE_POOL]]

    def summarize(self, method: str, query: str, words: int) -> list[Bullet]:
        cands = self.candidates(query)
        order = cands if method == "QueryTop" else self._rank(method, cands)
        out: list[Bullet] = []
        used = 0
        for k in order:
            if used >= words:
                break
            doc, text = self.sentences[k]
            out.append(Bullet(text, frozenset({doc})))
            used += len(text.split())
        return out

    def _rank(self, method: str, cands: list[int]) -> list[int]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer

        tok = _SumyTokenizer()
        sents = [Sentence(self.sentences[k][1], tok) for k in cands]
        document = ObjectDocumentModel([Paragraph(sents)])
        cls = LexRankSummarizer if method == "LexRank" else TextRankSummarizer
        summarizer = cls(Stemmer("english"))
        ranked: list[Any] = []

        def capture(infos: list[Any]) -> list[Any]:
            ranked.extend(infos)  # sumy passes the sentences sorted by rating, best first
            return infos

        summarizer(document, capture)
        index = {s: cands[n] for n, s in reversed(list(enumerate(sents)))}
        return [index[i.sentence] for i in ranked]


class _SumyTokenizer:
    """sumy's tokenizer needs NLTK punkt data (absent); nupunkt + a regex stand in."""

    language = "english"

    def to_sentences(self, text: str) -> list[str]:
        import nupunkt

        return [s.strip() for s in nupunkt.sent_tokenize(text) if s.strip()]

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"[A-Za-z0-9']+", sentence)


# ---------------------------------------------------------------------------------------------
# 3. The run


def mean_stored_words(topics: list[dict[str, Any]]) -> tuple[float, float]:
    """Mean words of all stored LLM summaries, and of the full-haystack ones."""
    every, full = [], []
    for t in topics:
        for st in t["subtopics"]:
            for name, bullets in stored_summaries(st).items():
                n = summary_words(bullets)
                every.append(n)
                if "_" not in name:
                    full.append(n)
    return statistics.mean(every), statistics.mean(full)


def run(args: argparse.Namespace, settings: Settings) -> None:
    paths = [eval_path("summhay-news", f"topic_news{k}.json") for k in args.topics]
    if any(p is None for p in paths):
        return
    topics = [json.loads(p.read_text()) for p in paths if p is not None]
    every, full = mean_stored_words(topics)
    words = round(every)
    print(f"## SummHay news: {len(topics)} haystacks x 100 articles, judge {settings}\n")
    print(f"stored LLM summaries: mean {every:.1f} words (full-haystack ones {full:.1f}); "
          f"our story and the baselines target N = {words} words")  # fmt: skip
    print(f"query given to our writer and the baselines: the '{args.query_field}' field\n")

    systems: dict[str, SystemScores] = defaultdict(SystemScores)
    build_times: list[float] = []
    peaks: list[float] = []
    dropped: list[int] = []
    examples: list[Diagnosis] = []
    for t_index, topic in zip(args.topics, topics, strict=True):
        path = f"news{t_index}"
        docs = topic["documents"]
        subtopics = topic["subtopics"][: args.limit] if args.limit else topic["subtopics"]
        corpus = [i["insight"] for st in topic["subtopics"] for i in st["insights"]]
        for st in topic["subtopics"]:
            corpus += [b.text for bs in stored_summaries(st).values() for b in bs]
        judge = Judge(dict.fromkeys(corpus), settings)
        t0 = time.perf_counter()
        articles = make_articles(docs)
        build_times.append(time.perf_counter() - t0)
        base = Baselines(docs)
        for q_index, st in enumerate(subtopics):
            query = st[args.query_field]
            insights = [(i["insight_id"], i["insight"]) for i in st["insights"]]
            gold = {iid: {k for k, d in enumerate(docs) if (d.get(f"label_{iid}") or 0) > 0}
                    for iid, _ in insights}  # fmt: skip

            def add(
                name: str,
                make: Callable[[], list[Bullet]],
                insights: list[tuple[str, str]] = insights,
                gold: dict[str, set[int]] = gold,
                judge: Judge = judge,
            ) -> list[Bullet]:
                t = time.perf_counter()
                bullets = make()
                elapsed = time.perf_counter() - t
                s = judge.score(insights, bullets, gold)
                rec = systems[name]
                rec.scores.append(s)
                rec.words.append(summary_words(bullets))
                rec.bullets.append(len(bullets))
                rec.seconds.append(elapsed)
                return bullets

            if q_index == 0:  # peak memory of one whole story, articles included, traced apart
                tracemalloc.start()
                our_story(make_articles(docs), query, words)
                peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
            ours = add(OURS, lambda: our_story(articles, query, words, dropped))  # noqa: B023
            # The query-story constants in write/offline.py were tuned on the first
            # CALIBRATION queries of each haystack; the rest are held out.
            split = OURS_CAL if q_index < CALIBRATION else OURS_HELD
            for attr in ("scores", "words", "bullets", "seconds"):
                getattr(systems[split], attr).append(getattr(systems[OURS], attr)[-1])
            if args.verbose:
                examples.append(_diagnose(path, judge, insights, gold, ours,
                                          systems[OURS].scores[-1], base))  # fmt: skip
            for method in ("LexRank", "TextRank", "QueryTop"):
                add(f"{method} (query pool)", lambda: base.summarize(method, query, words))  # noqa: B023
            for name, bullets in stored_summaries(st).items():
                add(name, lambda: bullets)  # noqa: B023
            s = systems[OURS].scores[-1]
            secs = systems[OURS].seconds[-1]
            log(f"news{t_index} q{q_index + 1}: cov {s.coverage:.1f} cit "
                f"{s.citation or 0:.1f} joint {s.joint:.1f} ({secs:.1f}s)")  # fmt: skip

    print_results(systems, words)
    story_s = systems[OURS].seconds
    print(f"\n## Time and memory (our story, {len(story_s)} stories, 100 articles each)\n")
    build = statistics.median(build_times)
    print(f"make_articles (100 articles into sentences): median {build:.2f}s per haystack")
    print(f"write_event --query: median {statistics.median(story_s):.2f}s, "
          f"max {max(story_s):.2f}s per story")  # fmt: skip
    print(f"peak traced memory of make_articles + write_event (first query of each "
          f"haystack): max {max(peaks):.0f} MiB")  # fmt: skip
    print(f"sentences withheld by the verifier: {sum(dropped)} in {len(dropped)} stories")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this whole benchmark process (eval JSON and all systems): {rss:.0f} MiB")
    if args.verbose:
        print_diagnostics(examples)


def _agg(rec: SystemScores) -> list[object]:
    cits = [s.citation for s in rec.scores if s.citation is not None]
    covered = [r for s in rec.scores for r in s.results if r.covered]
    p = 100 * statistics.mean(r.precision for r in covered) if covered else 0.0
    r_ = 100 * statistics.mean(r.recall for r in covered) if covered else 0.0
    return [
        statistics.mean(s.coverage for s in rec.scores),
        statistics.mean(cits) if cits else 0.0,
        statistics.mean(s.joint for s in rec.scores),
        len(rec.scores),
        p,
        r_,
        round(statistics.mean(rec.words)),
        round(statistics.mean(rec.bullets), 1),
    ]


def print_results(systems: dict[str, SystemScores], words: int) -> None:
    rows = []
    for name, rec in systems.items():
        kind = "ours" if name.startswith(OURS) else "baseline" if "(query pool)" in name else (
            "LLM full haystack" if "_" not in name else "LLM + retriever")  # fmt: skip
        rows.append([name, kind, *_agg(rec)])
    rows.sort(key=lambda r: -float(r[4]))  # type: ignore[arg-type]
    print(f"\n## Side by side (same judge; sorted by joint; N = {words} words)\n")
    print(table(["system", "kind", "coverage", "citation", "joint", "n queries",
                 "cit P", "cit R", "words", "bullets"], rows))  # fmt: skip
    print("\ncoverage, citation, joint: SummHay scores (0-100) averaged over queries; citation "
          "over queries with at least one covered insight. cit P / cit R: mean citation "
          "precision / recall over covered insights.")  # fmt: skip
    full = [r for r in rows if r[1] == "LLM full haystack"]
    ours = next(r for r in rows if r[0] == OURS)
    print(
        f"\nours on the calibration queries (first {CALIBRATION} of each haystack, which the "
        f"writer's query constants were tuned on) and on the other, held-out queries:"
    )
    print(table(["system", "coverage", "citation", "joint", "n queries", "cit P", "cit R",
                 "words", "bullets"],
                [[n, *_agg(systems[n])] for n in (OURS, OURS_CAL, OURS_HELD) if n in systems]))  # fmt: skip
    if full:
        best = max(full, key=lambda r: float(r[4]))  # type: ignore[arg-type]
        print(f"\ntarget: joint above every stored LLM output -> ours {ours[4]:.1f} vs best stored "
              f"{max(float(r[4]) for r in rows if r[1].startswith('LLM')):.1f} (best full haystack "
              f"{best[0]} {best[4]:.1f}); citation >= 74 -> ours {ours[3]:.1f}")  # fmt: skip


@dataclass
class Diagnosis:
    topic: str
    score: SummaryScore
    support: dict[str, int]  # insight id -> number of gold documents
    ceiling: dict[str, str]  # insight id -> best label any single gold-doc sentence gets
    bullets_on_insight: int  # our bullets that cover at least one insight of the query
    bullets: int
    cited_per_bullet: list[int]


def _diagnose(topic: str, judge: Judge, insights: list[tuple[str, str]],
              gold: dict[str, set[int]], bullets: list[Bullet], score: SummaryScore,
              base: Baselines) -> Diagnosis:  # fmt: skip
    ceiling = {}
    for iid, text in insights:
        best = max((judge.match(text, s) for d, s in base.sentences if d in gold[iid]), default=0.0)
        ceiling[iid] = judge.label(best)
    on = sum(any(judge.label(judge.match(t, b.text)) != "NO" for _, t in insights) for b in bullets)
    return Diagnosis(topic, score, {i: len(gold[i]) for i, _ in insights}, ceiling, on,
                     len(bullets), [len(b.docs) for b in bullets])  # fmt: skip


def print_diagnostics(diags: list[Diagnosis]) -> None:
    """Where our story loses: which insights it reaches, and how its citations compare."""
    print("\n## Diagnostics (our story)\n")
    bands = [(1, 3), (4, 7), (8, 15), (16, 100)]
    rows = []
    for lo, hi in bands:
        rs = [(r, d) for d in diags for r in d.score.results if lo <= d.support[r.insight_id] <= hi]
        if rs:
            ours = 100 * sum(r.covered for r, _ in rs) / len(rs)
            ceiling = 100 * sum(d.ceiling[r.insight_id] != "NO" for r, d in rs) / len(rs)
            rows.append([f"{lo}-{hi}", len(rs), ours, ceiling])
    print(table(["gold docs per insight", "insights", "ours covered %",
                 "one gold-doc sentence covers %"], rows))  # fmt: skip
    res = [r for d in diags for r in d.score.results]
    full_ceiling = sum(d.ceiling[r.insight_id] == "FULL" for d in diags for r in d.score.results)
    print(f"\ninsights FULLY stated by some single sentence of a gold document (judge): "
          f"{100 * full_ceiling / len(res):.1f}%")  # fmt: skip
    on = sum(d.bullets_on_insight for d in diags)
    total = sum(d.bullets for d in diags)
    print(f"our bullets that cover at least one gold insight of their query: {on}/{total} "
          f"({100 * on / total:.1f}%)")  # fmt: skip
    cov = [r for r in res if r.covered]
    cited = [n for d in diags for n in d.cited_per_bullet]
    gold_n = [d.support[r.insight_id] for d in diags for r in d.score.results if r.covered]
    print(f"documents cited per bullet: mean {statistics.mean(cited):.1f}; gold documents per "
          f"covered insight: mean {statistics.mean(gold_n):.1f}; covered insights with a "
          f"citation hit: {sum(r.f1 > 0 for r in cov)}/{len(cov)}")  # fmt: skip
    by_topic: dict[str, list[SummaryScore]] = defaultdict(list)
    for d in diags:
        by_topic[d.topic].append(d.score)
    print()
    print(table(["haystack", "queries", "coverage", "citation", "joint"],
                [[t, len(s), statistics.mean(x.coverage for x in s),
                  statistics.mean(x.citation or 0.0 for x in s),
                  statistics.mean(x.joint for x in s)] for t, s in by_topic.items()]))  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="queries per haystack (0 = all)")
    ap.add_argument("--topics", default="1,2,3,4,5", help="haystacks to run, e.g. 1,3")
    ap.add_argument("--query-field", choices=("subtopic", "query"), default="subtopic")
    ap.add_argument("--skip-agreement", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="print diagnostics of our story")
    args = ap.parse_args()
    args.topics = [int(x) for x in args.topics.split(",")]
    print(f"# bench_summhay — {dt.date.today()}\n")
    settings = Settings()
    if not args.skip_agreement:
        path = eval_path("summhay-news", "eval_benchmark_data.json")
        if path is not None:
            settings = judge_agreement(path)
    run(args, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
