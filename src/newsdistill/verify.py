"""The verifier: judge every sentence of a story against the source articles.

Each sentence gets one of four verdicts (``models.VerdictLabel``):

``supported``
    a source unit (one source sentence, or two adjacent ones) holds most of the sentence's
    weighted content words *and* every number, date, name and quotation it states, with no
    conflicting cue. The evidence is that unit.
``contradicted``
    the sentence is well aligned with a source unit that says something else: another number
    of the same thing, another date, another name in the same place, a dropped or added
    negation or modality ("may", "plans to", "will"), an opposite word ("rejected" for
    "accepted", "warrant" for "arrest"), another speaker, an altered quotation, or one side
    of a figure the sources disagree on, stated without attribution.
``unsupported``
    nothing in the sources says it.
``not_news``
    assistant chatter or meta text ("Sure, here is a summary", "let me know if...").

The score of a verdict is continuous (0..1, "how supported"), so a threshold can be
calibrated; ``PAIR_THRESHOLD`` was calibrated on the non-news files of SummEdits only (see
bench/bench_verify.py), news is held out.

The index of source sentences is built once per set of articles (``SourceIndex``) and reused
for every sentence. See docs/verifier.md for the rules and their known limits.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from . import models
from .align import Aligner, SourceSentence
from .claims import (
    IRREGULAR,
    MODALS,
    MONTHS,
    WEEKDAYS,
    DateMention,
    Quantity,
    Token,
    as_written,
    date_mentions,
    fate,
    fate_class,
    is_year,
    modal_class,
    modal_positions,
    name_stems_midsentence,
    names,
    negation_positions,
    number_value,
    opposite_of,
    quantities,
    quote_key,
    quotes,
    split_quoted,
    times_of,
    tokens,
)
from .graphs import components
from .models import (
    Article,
    Citation,
    Dropped,
    Evidence,
    Page,
    Sentence,
    Story,
    StorySentence,
    Verdict,
)
from .textutil import NUMBER_WORDS, STOPWORDS, content_terms, normalize, numbers, stem

if TYPE_CHECKING:
    from .nli import ContradictionModel

# A story sentence is supported when its score reaches this (and nothing is missing or in
# conflict). It mirrors align.MIN_RECALL: most of the weighted content words must be there.
SUPPORT_SCORE = 0.6
# The pairs form (`check --pairs`) calls a summary consistent when its weakest sentence
# scores at least this. Calibrated on the seven non-news SummEdits files pooled (best
# balanced accuracy; bench/bench_verify.py prints it), never on the news file.
# The pair score (``check_pair``) is 0 when a sentence is contradicted or chatter (as in
# `check`, a contradiction is never consistent); otherwise (PAIR_BASE + weakest sentence
# score) / (1 + PAIR_BASE), times NEW_FACT_FACTOR for every name, number or opposite word
# the summary states and the document never does. On the calibration files a name or number
# absent from the whole document is the strongest sign of an inconsistent summary, while the
# word-recall score barely separates paraphrases from edits (calibration 59.2 balanced
# accuracy against 57.5 for the weakest score alone; the weights from a grid, the threshold
# as bench/bench_verify.py calibrates it, 2026-11-22; docs/verifier.md). The calibration
# accuracy is flat from 0.08 to 0.32; 0.08 is its first maximum.
PAIR_THRESHOLD = 0.08
PAIR_BASE = 0.5
NEW_FACT_FACTOR = 0.2
# A source unit "talks about the same thing" when it holds this share of the claim's weighted
# terms; only then can a conflicting number, name or cue make the sentence contradicted.
ALIGN_MIN = 0.45
# Two adjacent source sentences may support a sentence together (a summary often fuses
# them), at a small discount so that one sentence that says it all is preferred.
PAIR_DISCOUNT = 0.97
# Each number, date or name the evidence lacks halves the score: these are the facts a
# reader relies on, so one missing fact outweighs many matching common words.
MISSING_FACTOR = 0.5
CONFLICT_FACTOR = 0.2
# How many best-aligned source sentences are examined per claim.
CANDIDATES = 8
# Cue words act on a nearby word: "did not know", "may close", "plans to build".
CUE_WINDOW = 4
# With the contradiction model (``nli``, the ``--nli`` option), a sentence the word checks
# pass is contradicted when the model gives at least this probability that one of its
# MODEL_SENTENCES best-aligned source sentences contradicts it. Calibrated on the seven
# non-news SummEdits files (best pooled balanced accuracy of "consistent by the word checks
# and below this"; bench/bench_verify.py --nli prints it; 0.94-0.98 score within 0.3 points
# of each other on news, held out). The model gives about 0.6 to a faithful paraphrase, so
# only a confident contradiction counts.
MODEL_CONTRADICTS = 0.98
MODEL_SENTENCES = 2

_CHATTER = re.compile(
    r"""^\s*(sure|certainly|of\ course|absolutely|okay|ok)\b[,!.]
    |\b(here\ is|here's|below\ is|i\ have\ (written|prepared|compiled))\ (a|an|the|your|my)\b
        [^.]{0,40}\b(summary|story|article|overview|rewrite|version|report|digest)
    |\blet\ me\ know\b|\bfeel\ free\ to\b|\bhope\ (this|that|it)\ helps\b
    |\bif\ you\ (need|have|want|would\ like)\b[^.]{0,60}\b(clarification|questions?|help|more|
        information|details|changes)
    |\bas\ an\ ai\b|\blanguage\ model\b|\bi\ (cannot|can't|am\ unable\ to)\b|\bi'?m\ sorry\b
    |\bi\ apologi[sz]e\b|\bmy\ knowledge\ cutoff\b
    |\b(this|the\ above)\ (summary|story|article|text|report)\ (is|was|has\ been)\ (based|compiled|
        generated|written|created|produced|drawn)
    |\bbased\ on\ the\ (provided|given|supplied|following|above)\ (articles?|sources?|texts?|
        reports?|information)
    |\b(the|these)\ (provided|given|supplied)\ (articles?|sources?|texts?)\b
    |^\s*(summary|note|disclaimer|title|headline)\s*:\s*$
    |\b(in\ this\ (summary|article),\ i)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_ATTRIBUTION = re.compile(
    r"""\b(according\ to|said|says|say|reported|reports|told|estimated|estimates|put\ the|
    counted|gave\ the|citing|cited)\b|\bbetween\b|\bto\b\s*\d|\d\s*(-|to|or)\s*\d""",
    re.IGNORECASE | re.VERBOSE,
)
_SPEECH = frozenset({"said", "says", "say", "told", "added", "stated", "announced", "confirmed"})
_PREPOSITIONS = frozenset({"to", "of", "for", "at", "with", "from", "in", "on", "by"})


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscrepancySide:
    """One source's value for a figure the sources disagree on."""

    value: str  # as the source writes it, e.g. "12 people"
    citation: Citation
    text: str  # the source sentence


@dataclass(frozen=True)
class Discrepancy:
    """Sources giving different values for the same quantity of the same event."""

    what: str  # what is counted ("injur", "$") as a stem; a hint, not prose
    sides: tuple[DiscrepancySide, ...]

    def values(self) -> list[str]:
        return list(dict.fromkeys(s.value for s in self.sides))


@dataclass(frozen=True)
class CheckedSentence:
    """One sentence of a checked summary with the verifier's verdict."""

    text: str
    verdict: Verdict


@dataclass(frozen=True)
class CheckResult:
    """The verdict on every sentence of a summary, and the sources' disagreements."""

    sentences: tuple[CheckedSentence, ...]
    discrepancies: tuple[Discrepancy, ...] = ()

    @property
    def all_supported(self) -> bool:
        return all(s.verdict.label == "supported" for s in self.sentences)

    @property
    def score(self) -> float:
        """The weakest sentence decides: one invented fact spoils a summary."""
        return min((s.verdict.score for s in self.sentences), default=0.0)

    def to_json(self) -> dict[str, object]:
        """The JSON form printed by ``newsdistill check --format json``."""
        return {
            "sentences": [
                {
                    "text": s.text,
                    "verdict": s.verdict.label,
                    "score": round(s.verdict.score, 4),
                    "reason": s.verdict.reason,
                    "evidence": [evidence_json(e) for e in s.verdict.evidence],
                    **(
                        {"contradiction": round(s.verdict.contradiction, 4)}
                        if s.verdict.contradiction is not None
                        else {}
                    ),
                }
                for s in self.sentences
            ],
            "discrepancies": [discrepancy_json(d) for d in self.discrepancies],
        }


@dataclass(frozen=True)
class PairResult:
    """The judgement of one (document, summary) pair: the batch form for benchmarks."""

    consistent: bool
    score: float
    sentences: tuple[CheckedSentence, ...]


def evidence_json(e: Evidence) -> dict[str, object]:
    return {
        "article": e.citation.article,
        "sentence": e.citation.sentence,
        "text": e.text,
        "score": round(e.score, 4),
    }


def discrepancy_json(d: Discrepancy) -> dict[str, object]:
    return {
        "what": d.what,
        "values": d.values(),
        "sides": [
            {
                "value": s.value,
                "article": s.citation.article,
                "sentence": s.citation.sentence,
                "text": s.text,
            }
            for s in d.sides
        ],
    }


# --- the index --------------------------------------------------------------------------------


@dataclass
class _Facts:
    """What one source sentence states, precomputed once."""

    toks: list[Token]
    quantities: list[Quantity]
    dates: set[tuple[str, str]]
    names: set[str]
    stems: set[str]
    quote_text: str  # quote_key of the whole sentence, for verbatim quote checks
    date_mentions: list[DateMention] = field(default_factory=list)


@dataclass
class _Unit:
    """Evidence examined for one claim: one source sentence or two adjacent ones."""

    members: tuple[int, ...]  # indexes into SourceIndex.items
    recall: float


class SourceIndex:
    """Every source sentence of a set of articles, indexed for verification.

    Build it once per set of articles; ``window=2`` lets two adjacent sentences of one
    article support a claim together (long single documents, fused summary sentences).
    Article titles are indexed too (sentence id ``<article>.title``), so a headline taken
    from a title can be supported by it.
    """

    _cache: ClassVar[dict[tuple[int, ...], tuple[list[Article], SourceIndex]]] = {}

    @classmethod
    def shared(
        cls, articles: Sequence[Article], model: ContradictionModel | None = None
    ) -> SourceIndex:
        """The story index (``window=1``, titles indexed) for these articles, built once and
        reused by the writer (discrepancies) and the verification gate; with ``model``, its
        sentences are also checked with the contradiction model. The last few sets are kept;
        the cache holds the articles so their ids stay valid. One index serves both: with
        another model, a shallow copy shares the sentences, facts and discrepancies."""
        key = tuple(id(a) for a in articles)
        hit = cls._cache.get(key)
        if hit is None:
            hit = (list(articles), cls(articles, window=1, model=model))
            if len(cls._cache) >= 4:
                cls._cache.pop(next(iter(cls._cache), key), None)
            cls._cache[key] = hit
        index = hit[1]
        if index.model is not model:
            _ = index._compared  # computed once, before the copy, so both share it
            index = copy.copy(index)
            index.model = model
        return index

    def __init__(
        self,
        articles: Sequence[Article],
        *,
        window: int = 2,
        titles: bool = True,
        model: ContradictionModel | None = None,
        model_threshold: float = MODEL_CONTRADICTS,
    ) -> None:
        self.articles = list(articles)
        self.window = window
        self.model = model  # the contradiction model, when sentences are checked with it
        self.model_threshold = model_threshold
        indexed = [_with_title(a) if titles else a for a in self.articles]
        self.aligner = Aligner(indexed)
        self.items: list[SourceSentence] = self.aligner.items
        self.facts: list[_Facts] = []
        mid: set[str] = set()
        for item in self.items:
            toks = tokens(item.sentence.text)
            mid |= name_stems_midsentence(toks)
            mentions = date_mentions(toks)
            self.facts.append(
                _Facts(
                    toks,
                    quantities(toks),
                    {(m.kind, m.value) for m in mentions},
                    set(),
                    {t.stem for t in toks},
                    quote_key(item.sentence.text),
                    mentions,
                )
            )
        self.known_names = frozenset(mid)
        for f in self.facts:
            f.names = names(f.toks, self.known_names)
        self.position = {id(it): k for k, it in enumerate(self.items)}
        self._next: dict[int, int] = {}
        for k in range(len(self.items) - 1):
            a, b = self.items[k], self.items[k + 1]
            if a.article.id == b.article.id and not a.sentence.id.endswith(".title"):
                self._next[k] = k + 1

    @cached_property
    def _compared(self) -> tuple[list[Discrepancy], list[_Update]]:
        return _compare_sources(self)

    @cached_property
    def stems(self) -> set[str]:
        """Every word stem of every source sentence."""
        return set().union(*(f.stems for f in self.facts))

    @cached_property
    def numbers(self) -> set[str]:
        """Every number the sources state, canonical ("1,300" -> "1300", "twelve" -> "12")."""
        return set().union(*(numbers(it.sentence.text) for it in self.items))

    @cached_property
    def by_citation(self) -> dict[Citation, int]:
        """The index of each source sentence (``items``, ``facts``) by its citation."""
        return {it.citation: k for k, it in enumerate(self.items)}

    @property
    def discrepancies(self) -> list[Discrepancy]:
        return self._compared[0]

    @property
    def updates(self) -> list[_Update]:
        """Figures a later report (or the report itself) marks as superseded."""
        return self._compared[1]

    def evidence(self, unit: _Unit, score: float) -> tuple[Evidence, ...]:
        return tuple(
            Evidence(self.items[k].citation, self.items[k].sentence.text, round(score, 4))
            for k in unit.members
        )

    def units(self, text: str) -> list[_Unit]:
        """Candidate evidence for ``text``: best-aligned sentences and, with ``window=2``,
        each of them joined with its neighbour."""
        scored = self.aligner.scored(text)[:CANDIDATES]
        index_of = self.position
        out = [_Unit((index_of[id(it)],), r) for r, it in scored]
        if self.window >= 2:
            terms = content_terms(text)
            seen: set[tuple[int, int]] = set()
            for r, it in scored:
                k = index_of[id(it)]
                for pair in ((k, self._next.get(k)), (_prev(self._next, k), k)):
                    if pair[0] is None or pair[1] is None or pair in seen:
                        continue
                    seen.add(pair)  # type: ignore[arg-type]
                    union = self.items[pair[0]].terms | self.items[pair[1]].terms
                    rec = self.aligner.space.recall(terms, set(union)) * PAIR_DISCOUNT
                    if rec > r:
                        out.append(_Unit((pair[0], pair[1]), rec))  # type: ignore[arg-type]
        return out


def _prev(nxt: dict[int, int], k: int) -> int | None:
    return k - 1 if nxt.get(k - 1) == k else None


def _with_title(a: Article) -> Article:
    title = normalize(a.page.title or "")
    if not title:
        return a
    head = Sentence(f"{a.id}.title", title, 0, 0, -1, -1)
    return Article(a.id, a.page, [head, *a.sentences], a.copies)


def articles_from_text(doc: str, article_id: str = "a1", title: str = "") -> list[Article]:
    """One article from a bare document (the pairs form and SummEdits)."""
    from .sentences import split_sentences

    page = Page(source=article_id, title=title, text=doc)
    return [Article(article_id, page, split_sentences(doc, article_id))]


# --- judging one sentence ---------------------------------------------------------------------


def is_chatter(text: str) -> bool:
    """True for assistant chatter and meta text that is not news."""
    # A quotation in a news sentence is someone's words, not the writer's ("I cannot ask...").
    outside = re.sub(r'"[^"]*"', '""', normalize(text))
    return bool(_CHATTER.search(outside))


@dataclass
class _Judgement:
    unit: _Unit
    score: float
    missing: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def verify_sentence(text: str, index: SourceIndex) -> Verdict:
    """Judge one sentence against the indexed sources."""
    if is_chatter(text):
        return Verdict("not_news", 0.0, "assistant chatter or meta text, not news")
    claim = _Claim.of(text, index)
    if not claim.terms:
        return Verdict("unsupported", 0.0, "no content words to check")
    units = index.units(text)
    if not units:
        return Verdict("unsupported", 0.0, "no source sentence shares its content words")
    judged = [_judge(claim, u, index) for u in units]
    best = max(judged, key=lambda j: (j.score, j.unit.recall))
    q_issue = _quote_issue(claim, index)
    clean = not best.missing and not best.conflicts and q_issue is None
    if clean and best.score >= SUPPORT_SCORE:
        disc = _discrepancy_issue(claim, index, best.unit)
        if disc is not None:
            reason, ev = disc
            return Verdict("contradicted", best.score * CONFLICT_FACTOR, reason, ev)
        # The model reads the evidence that supports it: another outlet's sentence giving
        # another figure for a disputed fact must not undo an attributed one.
        found = model_contradiction(text, index, best.unit.members)
        if found is not None and found[0] >= index.model_threshold:
            return _model_verdict(found, best.score * CONFLICT_FACTOR, index)
        evidence = index.evidence(best.unit, best.score)
        return Verdict(
            "supported", best.score, "stated by the source", evidence, found and found[0]
        )
    # Not supported: is it contradicted by a source about the same thing?
    aligned = [j for j in judged if j.unit.recall >= ALIGN_MIN and j.conflicts]
    if q_issue is not None and q_issue[0] == "altered":
        k = q_issue[1]
        ev = (Evidence(index.items[k].citation, index.items[k].sentence.text, 0.0),)
        return Verdict(
            "contradicted", min(best.score, 0.1), "quotation differs from the source", ev
        )
    if aligned:
        c = max(aligned, key=lambda j: j.unit.recall)
        score = min(best.score, c.score)
        return Verdict("contradicted", score, "; ".join(c.conflicts), index.evidence(c.unit, score))
    reasons = best.missing or (
        [] if best.score >= SUPPORT_SCORE else ["too little of it is in the sources"]
    )
    if q_issue is not None:
        reasons = ["quotation not found in any source", *reasons]
        best.score = min(best.score, 0.1)
    found = model_contradiction(text, index)
    if found is not None and found[0] >= index.model_threshold:
        return _model_verdict(found, min(best.score, 0.1), index)
    return Verdict(
        "unsupported",
        best.score,
        "; ".join(reasons),
        index.evidence(best.unit, best.score),
        found and found[0],
    )


def _model_verdict(found: tuple[float, int], score: float, index: SourceIndex) -> Verdict:
    p, k = found
    ev = (Evidence(index.items[k].citation, index.items[k].sentence.text, 0.0),)
    reason = f"the contradiction model reads the source as saying otherwise (p={p:.2f})"
    return Verdict("contradicted", score, reason, ev, p)


def model_contradiction(
    text: str, index: SourceIndex, members: Sequence[int] = ()
) -> tuple[float, int] | None:
    """(probability, source sentence): the highest probability the contradiction model gives
    that the source contradicts it: ``members`` (the sentences that support it) read as one
    passage, or else each of its ``MODEL_SENTENCES`` best-aligned source sentences. None without a model, without an aligned sentence, or
    when a source states the sentence word for word (a sentence cannot contradict itself)."""
    if index.model is None:
        return None
    ks = list(members) or [
        index.position[id(it)] for _, it in index.aligner.scored(text)[:MODEL_SENTENCES]
    ]
    key = quote_key(text)
    if not ks or any(index.facts[k].quote_text == key for k in ks):
        return None
    if members:  # evidence that states it together: read as one passage
        passage = " ".join(index.items[k].sentence.text for k in ks)
        return float(index.model.contradiction([(passage, text)])[0]), ks[0]
    probs = index.model.contradiction([(index.items[k].sentence.text, text) for k in ks])
    i = int(np.argmax(probs))
    return float(probs[i]), ks[i]


@dataclass
class _Claim:
    text: str
    toks: list[Token]
    terms: list[str]
    quantities: list[Quantity]
    dates: set[tuple[str, str]]
    names: set[str]
    quotes: list[str]
    mentions: list[DateMention]

    @classmethod
    def of(cls, text: str, index: SourceIndex) -> _Claim:
        toks = tokens(text)
        mentions = date_mentions(toks)
        return cls(
            text,
            toks,
            content_terms(text),
            quantities(toks),
            {(m.kind, m.value) for m in mentions},
            names(toks, index.known_names),
            quotes(text),
            mentions,
        )


def _judge(claim: _Claim, unit: _Unit, index: SourceIndex) -> _Judgement:
    facts = [index.facts[k] for k in unit.members]
    j = _Judgement(unit, unit.recall)
    ev_q = [q for f in facts for q in f.quantities]
    ev_fates = {id(q): fate(f.toks, q, f.quantities) for f in facts for q in f.quantities}
    ranged = _ranged_units(claim.quantities)
    # Fates settled on the claim's figures: the source gives them too, or the figure itself
    # is new to the source.
    settled: set[str] = set()
    for q in claim.quantities:
        said = fate(claim.toks, q, claim.quantities)
        # "12 people died" / "killed 12 people": one count of the dead, in other words.
        matched = [
            e
            for e in ev_q
            if q.matches(e)
            or (
                q.same_value(e)
                and q.currency == e.currency
                and _same_people(q, said, e, ev_fates[id(e)])
            )
        ]
        if matched:
            # The figure is right; is what happened to them? ("four passengers were injured"
            # where the four died and eleven others were injured.)
            theirs = [ev_fates[id(e)] for e in matched]
            known = sorted(f for f in theirs if f is not None)
            qualifier = _qualifier_issue(q, matched)
            if qualifier is not None:
                (j.conflicts if qualifier[0] else j.missing).append(qualifier[1])
            if said is not None and len(known) == len(theirs) and said not in known:
                j.conflicts.append(f"fate: {q.text!r} {said} where the source has them {known[0]}")
            elif said is not None and said in known:
                settled.add(said)
            continue
        if q.unit in ranged and _found_elsewhere(q, index, claim):
            continue
        other = [e for e in ev_q if q.same_kind(e)]
        # "2 million euros" for "$2 million", "40 people" for "40 families": same figure,
        # something else counted.
        recounted = [e for e in ev_q if q.same_value(e) and (q.currency or q.unit)]
        if recounted and (q.currency and recounted[0].currency or q.unit and recounted[0].unit):
            j.conflicts.append(f"unit: {q.text!r} where the source has {recounted[0].text!r}")
        elif other:
            j.conflicts.append(f"number: {q.text!r} where the source has {other[0].text!r}")
        else:
            j.missing.append(f"number {q.text!r} not in the source")
            if said is not None:
                # "Two people died" where the sources count only the injured: an invented
                # toll, not the injured said to be dead; its fate word is not an opposite.
                settled.add(said)
    ev_dates = set().union(*(f.dates for f in facts))
    ranged = {k for k, _ in claim.dates if sum(1 for k2, _ in claim.dates if k2 == k) >= 2}
    for kind, value in sorted(claim.dates - ev_dates):
        if kind in ranged and _date_elsewhere((kind, value), index, claim):
            continue  # "between 2031 and 2032": each end from a source that gives it
        if any(k == kind for k, _ in ev_dates):
            j.conflicts.append(f"date: the source gives another {kind}")
        else:
            j.missing.append(f"{kind} not in the source")
    ev_names = set().union(*(f.names for f in facts))
    ev_stems = set().union(*(f.stems for f in facts))
    # "Philippines" / "Philippine": the stemmer strips a plural "es" whole, so a trailing "e"
    # is not a different name.
    loose = {x.rstrip("e") for x in ev_stems}
    missing_names = sorted(
        n for n in claim.names if n not in ev_stems and n.rstrip("e") not in loose
    )
    if missing_names:
        others = ev_names - claim.names - {t.stem for t in claim.toks}
        if others and unit.recall >= 0.6:
            j.conflicts.append(
                f"name: {', '.join(missing_names)} where the source names someone or somewhere else"
            )
        else:
            j.missing.extend(f"name {n!r} not in the source" for n in missing_names)
    unattributed = _unattributed_quotation(claim, unit, index)
    if unattributed:
        j.missing.append(unattributed)
    frames = _frames(claim.toks, facts)
    j.missing.extend(_substitutions(frames))
    j.missing.extend(_lost_hedges(frames))
    j.missing.extend(_pending_acts(claim.toks, facts))
    j.conflicts.extend(_exchanges(frames))
    j.conflicts.extend(_miscounts(frames))
    j.conflicts.extend(_time_conflicts(claim.toks, facts))
    ev_toks = [t for f in facts for t in (*f.toks, _BREAK)]
    j.conflicts.extend(_cue_conflicts(claim.toks, ev_toks))
    j.conflicts.extend(_opposite_conflicts(claim.toks, ev_stems, settled))
    j.conflicts.extend(_relation_conflicts(claim, ev_toks, ev_names))
    j.score = (
        unit.recall * MISSING_FACTOR ** len(j.missing) * CONFLICT_FACTOR ** min(1, len(j.conflicts))
    )
    return j


_BREAK = Token(".", ".", ".", -1)

# Words that say the same in a sentence's frame: swapping one for another is no new fact.
_INTERCHANGEABLE = tuple(
    frozenset(stem(w) for w in group)
    for group in (
        _SPEECH | {"according", "reported", "reports", "report"},
        {"injured", "hurt", "wounded"},
        {"former", "ex"},
    )
)
# How many words on each side a swapped span may have ("a storage room" / "a loading bay").
_SWAP_SPAN = 3


_Ops = Sequence[tuple[str, int, int, int, int]]


@dataclass(frozen=True)
class _Frame:
    """A claim aligned word by word (on ``_key``) with one evidence sentence; the stop at
    the end of either is left out, so a change in the last word is framed by the sentence's
    end."""

    claim: list[Token]
    ev: list[Token]
    ops: _Ops

    @classmethod
    def of(cls, claim: list[Token], ev: list[Token]) -> _Frame:
        claim, ev = _trimmed(claim), _trimmed(ev)
        ops = SequenceMatcher(
            None, [_key(t) for t in claim], [_key(t) for t in ev], autojunk=False
        ).get_opcodes()
        return cls(claim, ev, ops)

    def framed(self, n: int, open_end: bool = True) -> bool:
        """The block at ``n`` has a matching content word on each side (or the sentence's
        start or, with ``open_end``, its end on both sides there)."""
        _op, i1, i2, j1, j2 = self.ops[n]
        end = open_end and i2 == len(self.claim) and j2 == len(self.ev)
        return _anchored(self.ops, n - 1, self.claim, i1 == 0 and j1 == 0) and _anchored(
            self.ops, n + 1, self.claim, end
        )

    def replaced(self) -> list[tuple[int, list[Token], list[Token]]]:
        """Short spans of the claim that stand where the evidence has other words."""
        return [
            (n, self.claim[i1:i2], self.ev[j1:j2])
            for n, (op, i1, i2, j1, j2) in enumerate(self.ops)
            if op == "replace" and max(i2 - i1, j2 - j1) <= _SWAP_SPAN
        ]


def _trimmed(toks: list[Token]) -> list[Token]:
    end = len(toks)
    while end and not toks[end - 1].text[0].isalnum():
        end -= 1
    return toks[:end]


def _frames(claim: list[Token], facts: Sequence[_Facts]) -> list[_Frame]:
    return [_Frame.of(claim, f.toks) for f in facts]


def _substitutions(frames: Sequence[_Frame]) -> list[str]:
    """Words put in the place of the source's, in an otherwise matching frame: "Police chief
    Maren Oduya said" where the source has "Fire chief Maren Oduya said", "the fire
    destroyed a school" for "a hotel". Word recall barely notices one new word among many
    matching ones; the frame shows it stands where the source says something else. Both
    spans must hold a content word the other side lacks, and the frame must hold a content
    word on each side of the swap (or start the sentence on both sides there)."""
    out: list[str] = []
    for fr in frames:
        claim_keys, fact_keys = {_key(t) for t in fr.claim}, {_key(t) for t in fr.ev}
        for n, said, theirs in fr.replaced():
            # A last word swapped is too often the same said otherwise ("the dead" / "those
            # killed", "feed on" / "eat"): the frame must go on after the swap.
            if abs(len(said) - len(theirs)) > 1 or not fr.framed(n, open_end=False):
                continue  # a word or two for a word or two, not a clause for a word
            new = [t for t in said if _swappable(t) and _key(t) not in fact_keys]
            old = [t for t in theirs if _swappable(t) and _key(t) not in claim_keys]
            if not new or not old or _same_sense(new, old) or _named(new) != _named(old):
                continue  # a name for its description ("Quillon" / "the company") is no swap
            out.append(f"{as_written(said)!r} where the source has {as_written(theirs)!r}")
    return out[:1]


def _exchanges(frames: Sequence[_Frame]) -> list[str]:
    """Two figures or words that trade places: "a loss of $12 million, compared with a profit
    of $45 million" where the source has the loss at $45 million and the profit at $12
    million; "failed in the centre but held in the north" for "held ... but failed ...".
    Every word is in the source, in the same sentence, so recall cannot see it."""
    for fr in frames:
        spans = [(tuple(map(_key, a)), tuple(map(_key, b)), a, b) for _n, a, b in fr.replaced()]
        for k, (ca, ea, said, theirs) in enumerate(spans):
            for cb, eb, _s, _t in spans[k + 1 :]:
                if ca == eb and cb == ea and any(_is_content(t) for t in said):
                    return [f"swap: {as_written(said)!r} and {as_written(theirs)!r} trade places "
                            "against the source"]  # fmt: skip
    return []


# "a child" where the source has "two children": the counted noun agrees, the count does not.
_ONE = frozenset({"a", "an", "one"})
_BE = (frozenset({"was", "were"}), frozenset({"is", "are"}), frozenset({"has", "have"}))
_PLURALS = {"child": "children", "person": "people", "man": "men", "woman": "women"}


def _miscounts(frames: Sequence[_Frame]) -> list[str]:
    """A count changed in the source's frame that the figure check cannot see: "a child was
    among the dead" for "two children were", "up from 13" for "up from 15" (a number with
    no counted noun after it)."""
    for fr in frames:
        for n, said, theirs in fr.replaced():
            if not fr.framed(n) or len(said) != len(theirs):
                continue
            counted = len(said) > 1 or _counted_next(fr, n)
            a, b = number_value(said[0]), number_value(theirs[0])
            if said[0].lower in _ONE and counted:
                a = 1.0
            if theirs[0].lower in _ONE and counted:
                b = 1.0
            if a is None or b is None or a == b or is_year(said[0]) or is_year(theirs[0]):
                continue
            if all(_same_word(x, y) for x, y in zip(said[1:], theirs[1:], strict=True)):
                if len(said) == 1 and counted:  # name what is counted
                    _op, _i1, i2, _j1, j2 = fr.ops[n]
                    said, theirs = fr.claim[i2 - 1 : i2 + 1], fr.ev[j2 - 1 : j2 + 1]
                return [f"number: {as_written(said)!r} where the source has {as_written(theirs)!r}"]
    return []


def _counted_next(fr: _Frame, n: int) -> bool:
    """The words after the replaced span match and begin with a content word: what is
    counted ("[a] volunteer" / "[three] volunteers")."""
    if n + 1 >= len(fr.ops) or fr.ops[n + 1][0] != "equal":
        return False
    return _is_content(fr.claim[fr.ops[n + 1][1]])


def _same_word(a: Token, b: Token) -> bool:
    """The same word but for grammatical number ("child"/"children", "was"/"were")."""
    if _key(a) == _key(b):
        return True
    pair = {a.lower, b.lower}
    return any(pair <= group for group in _BE) or any(pair == {s, p} for s, p in _PLURALS.items())


# Words by which a source holds back from stating something as fact.
_HEDGES = frozenset(
    """believed thought reportedly allegedly alleged possibly possible probably likely
    may might could suspected apparently unconfirmed accused appeared appears seemed seems
    expected""".split()
)


def _lost_hedges(frames: Sequence[_Frame]) -> list[str]:
    """The claim states as fact what the source hedges: "Renvik was in Portugal" where the
    source says he "was believed to be in Portugal"; "increases would follow" for "were
    possible". The hedge stands in the source's frame where the claim has none."""
    for fr in frames:
        for n, (op, i1, i2, j1, j2) in enumerate(fr.ops):
            if op not in ("insert", "replace") or j2 - j1 > _SWAP_SPAN + 1 or i2 - i1 > _SWAP_SPAN:
                continue
            hedge = [t for t in fr.ev[j1:j2] if t.lower in _HEDGES]
            if hedge and not any(t.lower in _HEDGES for t in fr.claim[i1:i2]) and fr.framed(n):
                return [f"the source hedges it: {as_written(fr.ev[j1:j2])!r}"]
    return []


# Nouns after which an action word names something pending, not done: an "arrest warrant"
# is no arrest, a "murder inquiry" no murder established.
_PENDING = frozenset(
    """warrant warrants order orders investigation investigations inquiry inquiries probe
    charge charges allegation allegations attempt attempts threat threats plan plans
    request requests bid""".split()
)


def _pending_acts(claim: list[Token], facts: Sequence[_Facts]) -> list[str]:
    """ "Police arrested Renvik" where the source has only "an arrest warrant for Renvik"."""
    ev = [(t, f.toks[k + 1] if k + 1 < len(f.toks) else _BREAK) for f in facts for k, t in
          enumerate(f.toks)]  # fmt: skip
    for t in claim:
        if (
            not t.lower.endswith("ed")
            or not _is_content(t)
            or any(e.lower == t.lower for e, _ in ev)
        ):
            continue
        uses = [(e, nxt) for e, nxt in ev if _key(e) == _key(t)]
        if uses and all(nxt.lower in _PENDING for _e, nxt in uses):
            e, nxt = uses[0]
            return [f"{t.text!r} where the source has only {e.text + ' ' + nxt.text!r}"]
    return []


def _time_conflicts(claim: list[Token], facts: Sequence[_Facts]) -> list[str]:
    """ "Thursday morning" where the source has "Thursday evening", "last winter" for "last
    summer". A source that names no season or part of the day leaves the claim's alone."""
    ours = times_of(claim)
    theirs: set[tuple[str, str]] = set().union(*(times_of(f.toks) for f in facts))
    for kind, value in sorted(ours - theirs):
        other = sorted(v for k, v in theirs if k == kind)
        if other:
            return [f"time: {value!r} where the source has {other[0]!r}"]
    return []


def _anchored(ops: _Ops, n: int, claim: list[Token], edge: bool) -> bool:
    """The block next to a swap matches on a content word (or the swap ends the sentence)."""
    if not 0 <= n < len(ops):
        return edge
    op, i1, i2, _j1, _j2 = ops[n]
    return op == "equal" and any(_is_content(t) for t in claim[i1:i2])


def _swappable(t: Token) -> bool:
    """A content word whose swap is judged here: not a figure (quantities are judged on their
    own), not punctuation or a stop word."""
    return _is_content(t) and not any(c.isdigit() for c in t.text)


def _named(span: list[Token]) -> bool:
    return any(t.text[:1].isupper() and t.lower not in STOPWORDS for t in span)


def _same_sense(new: list[Token], old: list[Token]) -> bool:
    """The two spans say the same: "told" / "said", "Ex-mayor" / "Former mayor"."""
    keys_new, keys_old = _parts(new), _parts(old)
    keys_new, keys_old = keys_new - keys_old, keys_old - keys_new
    return any(keys_new <= group and keys_old <= group for group in _INTERCHANGEABLE)


def _parts(span: list[Token]) -> set[str]:
    return {stem(p) for t in span for p in t.lower.split("-") if p}


# Words that attribute a sentence to someone ("..., Kemper said", "according to", "warned").
_ATTRIBUTING = _SPEECH | {
    "according", "argued", "argues", "warned", "warns", "insisted", "insists", "called",
    "calls", "described", "describes", "believes", "believe", "wrote", "writes", "urged",
    "urges", "claimed", "claims", "denied", "admitted", "acknowledged", "quoted",
}  # fmt: skip


def _unattributed_quotation(claim: _Claim, unit: _Unit, index: SourceIndex) -> str | None:
    """Why the claim needs a speaker: the source says it only inside someone's quotation
    ('"It is a step in the right direction," said Joris Kemper') and the claim states it as
    plain fact ("The decision is seen as a step in the right direction"), with no quotation
    marks and no one it is attributed to. None when it is fine."""
    if claim.quotes or any(t.lower in _ATTRIBUTING for t in claim.toks):
        return None
    quoted: set[str] = set()
    free: set[str] = set()
    for k in unit.members:
        inside, outside = split_quoted(index.items[k].sentence.text)
        quoted.update(content_terms(inside))
        free.update(content_terms(outside))
    terms = set(claim.terms)
    only_quoted = terms & quoted - free
    if len(only_quoted) >= QUOTED_TERMS and len(only_quoted) >= 0.5 * len(terms & (quoted | free)):
        return "attribution: the source says this only in a quotation; say who said it"
    return None


# How many of a claim's terms must come from inside a quotation (and from nowhere else in the
# evidence) for it to need a speaker: a shared word or two is not a paraphrase of the quote.
QUOTED_TERMS = 3


def _ranged_units(qs: list[Quantity]) -> set[str]:
    """Units that the claim gives two values for: a range ("12 to 15 injured")."""
    seen: dict[tuple[str, str], int] = {}
    for q in qs:
        seen[(q.unit, q.currency)] = seen.get((q.unit, q.currency), 0) + 1
    return {u for (u, _), n in seen.items() if n >= 2}


def _found_elsewhere(q: Quantity, index: SourceIndex, claim: _Claim) -> bool:
    """A range's end stated by another well-aligned source sentence (another outlet)."""
    for r, it in index.aligner.scored(claim.text)[: CANDIDATES * 2]:
        if r < ALIGN_MIN:
            break
        k = index.position[id(it)]
        if any(q.matches(e) for e in index.facts[k].quantities):
            return True
    return False


def _date_elsewhere(date: tuple[str, str], index: SourceIndex, claim: _Claim) -> bool:
    """A date range's end stated by another well-aligned source sentence."""
    for r, it in index.aligner.scored(claim.text)[: CANDIDATES * 2]:
        if r < ALIGN_MIN:
            break
        if date in index.facts[index.position[id(it)]].dates:
            return True
    return False


def _positions(toks: Sequence[Token]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for k, t in enumerate(toks):
        out.setdefault(_key(t), []).append(k)
    return out


def _key(t: Token) -> str:
    # "vote"/"voted", "close"/"closed": a trailing "e" is not worth a mismatch here; nor is
    # an irregular past ("built"/"build").
    base = stem(IRREGULAR[t.lower]) if t.lower in IRREGULAR else t.stem
    return base.rstrip("e") if len(base) > 3 else base


def _is_content(t: Token) -> bool:
    return t.text[0].isalnum() and t.lower not in STOPWORDS


def _cue_conflicts(claim: list[Token], ev: list[Token]) -> list[str]:
    """Negation or modality that one side puts on a word and the other does not.

    A word is "cued" where a cue stands at most ``CUE_WINDOW`` tokens before it with no other
    content word between. The claim conflicts when a word it shares with the evidence is cued
    in every occurrence on one side and in none on the other."""
    out: list[str] = []
    # Negation is judged by parity over the aligned stretch, not word by word: "found no
    # evidence" and "did not find any evidence" say the same; "did not know" and "knew" do not.
    lo, hi = _aligned_span(claim, ev)
    if lo is not None and hi is not None:
        ev_neg = sum(1 for k in negation_positions(ev) if lo - CUE_WINDOW <= k <= hi)
        if len(negation_positions(claim)) % 2 != ev_neg % 2:
            out.append("negation: one side says not where the other does not")
    cl, ev_ = _cued(claim, modal_positions(claim)), _cued(ev, modal_positions(ev))
    for word, status in cl.items():
        other = ev_.get(word)
        if other and (status != {""} or other != {""}) and not (status & other):
            if "" in status or "" in other:
                out.append(
                    f"modality: one side has a modal word on {word!r} where the other does not"
                )
            else:
                out.append(
                    f"modality: {' / '.join(sorted(status))} on {word!r} where the source has "
                    f"{' / '.join(sorted(other))}"
                )
            break
    return out


def _aligned_span(claim: list[Token], ev: list[Token]) -> tuple[int | None, int | None]:
    """First and last evidence positions of the claim's content words, within the one
    evidence sentence that holds most of them."""
    keys = {_key(t) for t in claim if _is_content(t)}
    best: tuple[int, int | None, int | None] = (0, None, None)
    start = 0
    for k in range(len(ev) + 1):
        if k == len(ev) or ev[k] is _BREAK:
            hits = [p for p in range(start, k) if _is_content(ev[p]) and _key(ev[p]) in keys]
            if len(hits) > best[0]:
                best = (len(hits), hits[0], hits[-1])
            start = k + 1
    return best[1], best[2]


def _cued(toks: list[Token], cues: list[int]) -> dict[str, set[str]]:
    """For every content word: the kind of modal cue just before it (``claims.modal_class``:
    "possible", "intended", ...), or "" when none governs it."""
    cue_set = set(cues)
    governed: dict[int, str] = {}
    for c in cues:
        for k in range(c + 1, min(len(toks), c + 1 + CUE_WINDOW)):
            if toks[k].text in ".;:!?":
                break
            if _is_content(toks[k]) and k not in cue_set:
                # "could be expected to close": the first cue of a chain says how sure it is
                governed.setdefault(k, modal_class(toks[c].lower))
                break
    out: dict[str, set[str]] = {}
    for k, t in enumerate(toks):
        if _is_content(t) and k not in cue_set:
            out.setdefault(_key(t), set()).add(governed.get(k, ""))
    return out


# Units of a figure that counts people without saying what happened to them.
_PEOPLE_UNITS = frozenset({"", "peopl", "person"})


def _same_people(a: Quantity, fate_a: str | None, b: Quantity, fate_b: str | None) -> bool:
    """Both figures count the dead (or the injured, or the missing), in other words: "12
    people died" (unit "died") and "killed at least 12 people" (unit "people", killed)."""
    if not all(fate_class(q.unit) or q.unit in _PEOPLE_UNITS for q in (a, b)):
        return False
    fa, fb = fate_class(a.unit) or fate_a, fate_class(b.unit) or fate_b
    return fa is not None and fa == fb


def _qualifier_issue(q: Quantity, matched: Sequence[Quantity]) -> tuple[bool, str] | None:
    """The claim bounds a figure the other way from every source giving it ("nearly 600"
    where they say "more than 600": a conflict), or bounds one the sources only give as an
    estimate ("more than 2,000" for "about 2,000": not what they say). A bare figure for a
    bounded one, or a bound for a bare one, is left alone: "2,000 protesters" for "about
    2,000" is how summaries write."""
    if q.bound not in ("min", "max") or any(e.bound in ("", q.bound) for e in matched):
        return None
    said = f"qualifier: {q.text!r} as {_BOUND_SAYS[q.bound]} where the source gives it as"
    if all(e.bound in ("min", "max") for e in matched):
        return True, f"{said} {_BOUND_SAYS[matched[0].bound]}"
    return False, f"{said} {_BOUND_SAYS['approx']}"


_BOUND_SAYS = {"min": "a lower bound", "max": "an upper bound", "approx": "an estimate"}


def _opposite_conflicts(
    claim: list[Token], ev_stems: set[str], settled: AbstractSet[str] = frozenset()
) -> list[str]:
    """Words whose opposite the evidence has instead ("rejected" for "accepted"). A fate
    word ("killed") already settled on one of the claim's figures is not checked: "four
    passengers were killed" where the source has "four passengers died and 11 others were
    injured" (confirmed), or "two people died" where no source gives a toll (new)."""
    out = []
    claim_stems = {t.stem for t in claim}
    for t in claim:
        if t.stem in ev_stems or fate_class(t.stem) in settled:
            continue
        opp = opposite_of(t.stem) & ev_stems - claim_stems
        if opp:
            out.append(f"opposite: {t.text!r} where the source has {sorted(opp)[0]!r}")
    return out


def _relation_conflicts(claim: _Claim, ev: list[Token], ev_names: set[str]) -> list[str]:
    """The same words in another relation: a name tied to another action, another speaker."""
    out: list[str] = []
    speaker_c, speaker_e = _speaker(claim.toks), _speaker(ev)
    if speaker_c and speaker_e and not (speaker_c & speaker_e):
        out.append("speaker: the source attributes this to someone else")
    # The same word tying a name to two different things: "Kallas met the union" and "Weir
    # met the fishing cooperative" do not support "Kallas met the fishing cooperative".
    ev_pos = _positions(ev)
    content = [t for t in claim.toks if _is_content(t)]
    for a, b, c in zip(content, content[1:], content[2:], strict=False):
        if a.stem not in claim.names or b.stem in claim.names or c.pos - a.pos > 6:
            continue
        if any(t.lower in _JOINS for t in claim.toks[a.pos : c.pos]):
            continue
        pa, pb, pc = (ev_pos.get(_key(t), []) for t in (a, b, c))
        with_a = {y for y in pb if any(_distance(ev, x, y) <= 3 for x in pa)}
        with_c = {y for y in pb if any(_distance(ev, y, z) <= 4 for z in pc)}
        if with_a and with_c and not with_a & with_c:
            out.append(
                f"relation: in the source {b.text!r} {c.text!r} goes with someone else, "
                f"not {a.text!r}"
            )
            break
    # Roles swapped: "Police issued a warrant for Varga" does not support "Varga issued a
    # warrant for the police". The word just before a verb-like word is taken as its subject.
    for a, b in zip(content, content[1:], strict=False):
        if b.pos - a.pos > 2 or a.stem not in claim.names:
            continue
        after = {_key(t) for t in content if t.pos > b.pos}
        for y in ev_pos.get(_key(b), []):
            subj = next(
                (
                    ev[x]
                    for x in range(y - 1, max(-1, y - 4), -1)
                    if ev[x] is _BREAK or _is_content(ev[x])
                ),
                None,
            )
            if subj is None or subj is _BREAK or _key(subj) == _key(a):
                continue
            later = [ev[x] for x in range(y + 1, min(len(ev), y + 8)) if ev[x] is not _BREAK]
            if _key(subj) in after and any(_key(t) == _key(a) for t in later):
                out.append(f"relation: in the source {subj.text!r} {b.text!r}, not {a.text!r}")
                return out
    return out


_JOINS = frozenset({"and", "or", "but", ",", "while", "as", "with"})


def _distance(toks: list[Token], x: int, y: int) -> float:
    lo, hi = min(x, y), max(x, y)
    if any(t is _BREAK for t in toks[lo:hi]):
        return math.inf
    return hi - lo


def _inside_name(toks: Sequence[Token], j: int) -> bool:
    """ "and" between two capitalised words is part of a name ("Fire and Rescue Service")."""
    return 0 < j < len(toks) - 1 and toks[j - 1].text[0].isupper() and toks[j + 1].text[0].isupper()


def _speaker(toks: Sequence[Token]) -> set[str]:
    """Stems of who is said to have said it: "An aide to the minister said" -> {"aide"}."""
    for k, t in enumerate(toks):
        if t.lower not in _SPEECH:
            continue
        if k > 0 and toks[k - 1].lower in {"and", "but"}:
            continue  # "Kemper called it a step ... but said firms ...": the subject is earlier
        phrase: list[Token] = []
        j = -1 if _inverted(toks, k) else k - 1  # "There were no deaths, said Dr. Varga."
        while (
            j >= 0
            and toks[j].text not in ".;:!?"
            and (toks[j].lower not in {"that", "and", "but"} or _inside_name(toks, j))
        ):
            if toks[j].text == ",":
                if len(phrase) == 1 and phrase[0].lower in _RELATIVE:
                    # "... operated by Fjelltur Travel, which said": who "which" stands for
                    phrase = _antecedent(toks, j)
                    break
                if phrase and phrase[0].lower in _RELATIVE and toks[k - 1].text == ",":
                    phrase = []  # "Delcott, which owns the warehouse, said": the subject is before
                elif phrase:  # "..., police said": the speaker is after the comma
                    break
            else:
                phrase.insert(0, toks[j])
            j -= 1
        if len(phrase) > 8 or not phrase:  # "... , said Ruth Kallas, the minister": look after
            phrase = []
            for t2 in toks[k + 1 : k + 11]:
                if t2.text in ".;:!?" or t2.lower in {"that", "on", "in"}:
                    break
                if t2.text != ",":
                    phrase.append(t2)
        cut = next(
            (i for i, p in enumerate(phrase) if p.lower in _PREPOSITIONS and i > 0), len(phrase)
        )
        stems = {p.stem for p in phrase[:cut] if _is_content(p)}
        if stems:
            return stems
    return set()


def _inverted(toks: Sequence[Token], k: int) -> bool:
    """ "..., said the regional health director, Dr. Piet Varga.": the speech word follows a
    comma and only its speaker comes after it, to the end of the sentence."""
    if k == 0 or toks[k - 1].text != ",":
        return False
    j = k - 2  # "Omar Lindqvist, the company's finance chief, said ...": an apposition
    while j >= 0 and toks[j].text not in ".;:!?,":
        j -= 1
    if j >= 0 and toks[j].text == ",":
        return False
    rest = 0
    for t in toks[k + 1 :]:
        if t.text in ".;!?":
            break
        rest += 1
    return 0 < rest <= 10


def _antecedent(toks: Sequence[Token], comma: int) -> list[Token]:
    """The words a relative "which"/"who" after ``comma`` stands for: back to a preposition,
    a verb-like word or the clause's start ("operated by Fjelltur Travel, which")."""
    out: list[Token] = []
    for j in range(comma - 1, -1, -1):
        t = toks[j]
        if t.text in ".;:!?," or t.lower in _PREPOSITIONS or t.lower in STOPWORDS:
            break
        out.insert(0, t)
    return out


_RELATIVE = frozenset({"which", "who", "whose", "whom"})


def _quote_issue(claim: _Claim, index: SourceIndex) -> tuple[str, int] | None:
    """("missing", -1) or ("altered", k) for the first quotation no source has verbatim."""
    for q in claim.quotes:
        key = quote_key(q)
        if any(key in f.quote_text for f in index.facts):
            continue
        words = set(key.split())
        best, best_k = 0.0, -1
        for k, f in enumerate(index.facts):
            overlap = len(words & set(f.quote_text.split())) / max(1, len(words))
            if overlap > best:
                best, best_k = overlap, k
        return ("altered", best_k) if best >= 0.6 else ("missing", -1)
    return None


def _discrepancy_issue(
    claim: _Claim, index: SourceIndex, unit: _Unit
) -> tuple[str, tuple[Evidence, ...]] | None:
    """A figure or date the sources disagree on, stated as fact from one side without
    attribution; or a figure a later report superseded, stated as if it still held."""
    if (not claim.quantities and not claim.dates) or _ATTRIBUTION.search(claim.text):
        return None
    cited = {index.items[k].citation for k in unit.members}
    for d in index.discrepancies:
        kind = _date_kind(d)
        if kind:
            said = {m.value for m in claim.mentions if m.kind == kind}
            values = {_side_date(side, kind) for side in d.sides}
            if len(said) != 1 or not said & values:
                continue  # no date of this kind, or a range of them
            if not any(_dates_side(claim, kind, side, index, cited, d.what) for side in d.sides):
                continue  # a date of something else
        elif not any(
            _states_side(claim, q, s, index, cited) for q in claim.quantities for s in d.sides
        ):
            continue  # not one side's figure, or that figure of something else
        ev = tuple(Evidence(s.citation, s.text, 0.0) for s in d.sides)
        shown = " vs ".join(d.values())
        return (f"sources differ ({shown}): state the range or say who reports which", ev)
    for up in index.updates:
        for q in claim.quantities:
            if not q.matches(up.old) or (q.bound and q.bound == up.old.bound):
                continue  # "at least four" stays true when the toll reaches seven
            if q.stage == "earlier" or any(o.matches(up.new) for o in claim.quantities):
                continue
            ev = (
                Evidence(up.old_side.citation, up.old_side.text, 0.0),
                Evidence(up.new_side.citation, up.new_side.text, 0.0),
            )
            return (
                f"superseded: a later report gives {up.new_side.value} (was "
                f"{up.old_side.value}); state the later figure or say when each was given",
                ev,
            )
    return None


def _dates_side(
    claim: _Claim,
    kind: str,
    side: DiscrepancySide,
    index: SourceIndex,
    cited: set[Citation],
    what: str,
) -> bool:
    """The claim gives this side's date for the same thing: its evidence is the side's
    sentence, or the words before its date say what the discrepancy dates ("open") and no
    name before it says it is another subject's ("Bed Bath & Beyond was founded in 1971" is
    not a side of FedEx's founding year)."""
    mine = [m for m in claim.mentions if m.kind == kind]
    theirs = [
        m
        for m in index.facts[index.by_citation[side.citation]].date_mentions
        if m.kind == kind and m.value == mine[0].value
    ]
    if not theirs:
        return False
    if side.citation in cited:
        return True
    if not _anchor(claim.toks, [m.pos for m in mine]) & set(what.split(":", 1)[1].split()):
        return False
    facts = index.facts[index.by_citation[side.citation]]
    return not _other_subjects(claim, mine[0].pos, facts, theirs[0].pos)


def _states_side(
    claim: _Claim, q: Quantity, side: DiscrepancySide, index: SourceIndex, cited: set[Citation]
) -> bool:
    """The claim states this side's figure about the same thing: its evidence is the side's
    sentence, or it would count as the same fact as the side by the rule that pairs two
    outlets' figures (``_same_fact``). A figure that merely equals one side's value, in a
    sentence about something else, is not a side of the dispute."""
    side_toks = tokens(side.text)
    side_qs = quantities(side_toks)
    theirs = next((o for o in side_qs if o.text == side.value), None)
    if theirs is None or not q.matches(theirs):
        return False
    if side.citation in cited:
        return True
    m = index.aligner.space.matrix([claim.text, side.text])
    cosine = float(m[0] @ m[1])
    return _same_fact(q, claim.toks, claim.quantities, theirs, side_toks, side_qs, cosine)


def _date_kind(d: Discrepancy) -> str:
    """ "year" for a discrepancy of dates keyed "year:open"; "" for figures, whose key is
    their unit and may itself be "year" ("5 years" against "7 years")."""
    head, colon, _ = d.what.partition(":")
    return head if colon and head in {"year", "month", "day"} else ""


def _side_date(side: DiscrepancySide, kind: str) -> str:
    found = [m.value for m in date_mentions(tokens(side.value)) if m.kind == kind]
    return found[0] if found else ""


# --- discrepancies ----------------------------------------------------------------------------

# Sentences from two outlets are about the same fact when their TF-IDF cosine reaches this;
# set by eye on tests/fixtures/planted (two outlets' ledes on one toll score 0.28). Units
# must also agree, the sentences must be each other's closest in their articles, and a word
# next to the figures must be shared (``_same_fact``), which keeps unrelated figures of a
# large pile on one topic apart.
SAME_FACT_COSINE = 0.2
# With the same counted unit on both sides, by eye on the bundled samples (two outlets'
# injury counts score 0.09).
SAME_UNIT_COSINE = 0.05
# Content words this close before a date say what it is the date of ("open until late 2032").
DATE_ANCHOR = 6


@dataclass(frozen=True)
class _Update:
    """A figure that changed over time: ``old`` was given first, or its sentence marks it as
    superseded ("initially estimated at", "had earlier reported"); ``new`` replaces it."""

    old: Quantity
    new: Quantity
    old_side: DiscrepancySide
    new_side: DiscrepancySide


def _compare_sources(index: SourceIndex) -> tuple[list[Discrepancy], list[_Update]]:
    """Discrepancies (figures and dates that outlets give differently) and updates (figures
    that changed between reports: not disagreements).

    Two outlets' conflicting figures (or dates) are an edge between two sides; a discrepancy
    is a connected component of sides, so each one is about one fact. Grouping by unit alone
    made one "discrepancy" of every percentage in a 100-article pile on one topic (SummHay:
    143 sides), and every sentence stating any of them was refused.
    """
    items = [
        k
        for k, it in enumerate(index.items)
        if (index.facts[k].quantities or _comparable_dates(index.facts[k]))
        and not it.sentence.id.endswith(".title")
    ]
    if len(items) < 2:
        return [], []
    m = index.aligner.space.matrix([index.items[k].sentence.text for k in items])
    sim = m @ m.T
    # Each sentence's closest sentence with a figure or date in every article (items keep
    # the articles' order): two outlets' sentences are about one fact only when each is the
    # other's closest counterpart in its article. On a 100-article pile about one topic many
    # sentences share the topic's words; a figure's counterpart is the sentence that tells
    # the same thing ("the 10-year yield fell 21 basis points" is not disputed by another
    # article's "repo rates declined by 5 basis points" when that article also has a line on
    # the 10-year yield).
    article_of = [index.items[k].article.id for k in items]
    first = [x == 0 or article_of[x] != article_of[x - 1] for x in range(len(items))]
    starts = [x for x, f in enumerate(first) if f]
    column = np.cumsum(first) - 1  # the article's column in ``closest``
    closest = np.maximum.reduceat(sim, starts, axis=1)
    groups = _Components()
    updates: dict[tuple[Citation, Citation, str], _Update] = {}
    for x in range(len(items)):
        # A figure that counts the same specific thing ("15 people were treated" / "12 people
        # were treated") needs little else in common: one event's reports word it differently.
        for y in (int(v) for v in np.nonzero(sim[x] >= SAME_UNIT_COSINE)[0]):
            if y <= x:
                continue
            a, b = index.items[items[x]], index.items[items[y]]
            if a.article.id == b.article.id or _same_outlet(a.article, b.article):
                continue
            if sim[x, y] < closest[x, column[y]] or sim[x, y] < closest[y, column[x]]:
                continue  # not each other's counterpart
            fa, fb = index.facts[items[x]], index.facts[items[y]]
            if sim[x, y] >= SAME_FACT_COSINE:
                for what, va, vb in _date_conflicts(fa, fb):
                    groups.join(
                        what,
                        DiscrepancySide(va, a.citation, a.sentence.text),
                        DiscrepancySide(vb, b.citation, b.sentence.text),
                    )
            for qa in _single(fa.quantities, fa.toks):
                for qb in _single(fb.quantities, fb.toks):
                    if not qa.same_kind(qb) or qa.matches(qb):
                        continue
                    if qa.unit in _CLOCK_UNITS:
                        continue  # different times of day are different moments, not a dispute
                    # Figures of two subjects (a name before each that the other sentence
                    # never mentions) or of two periods (each sentence dated to other years)
                    # are two facts.
                    if _other_subjects(fa, qa.pos, fb, qb.pos) or _other_periods(fa, fb):
                        continue
                    if not _same_fact(
                        qa, fa.toks, fa.quantities, qb, fb.toks, fb.quantities, sim[x, y]
                    ):
                        continue
                    if any(qa.matches(o) for o in fb.quantities) or any(
                        qb.matches(o) for o in fa.quantities
                    ):
                        continue
                    side_a = DiscrepancySide(qa.text, a.citation, a.sentence.text)
                    side_b = DiscrepancySide(qb.text, b.citation, b.sentence.text)
                    change = _change(qa, a.article, qb, b.article)
                    if change == "compatible":
                        continue
                    if change == "a->b":
                        updates.setdefault(
                            (a.citation, b.citation, qa.text), _Update(qa, qb, side_a, side_b)
                        )
                    elif change == "b->a":
                        updates.setdefault(
                            (b.citation, a.citation, qb.text), _Update(qb, qa, side_b, side_a)
                        )
                    else:
                        groups.join(qa.currency + qa.unit, side_a, side_b)
    return groups.discrepancies(), list(updates.values())


class _Components:
    """Sides joined by conflicting pairs; each connected group of sides is one discrepancy.
    A side is one sentence's value for one kind of figure (its unit, or for a date
    "year:open", what it dates), so a "12 people" side never joins a "$3 million" one."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[str, DiscrepancySide], int] = {}
        self.edges: list[tuple[int, int, str]] = []  # (node, node, what)

    def join(self, what: str, a: DiscrepancySide, b: DiscrepancySide) -> None:
        ka = self.nodes.setdefault((what, a), len(self.nodes))
        kb = self.nodes.setdefault((what, b), len(self.nodes))
        self.edges.append((ka, kb, what))

    def discrepancies(self) -> list[Discrepancy]:
        group = components(len(self.nodes), ((a, b) for a, b, _ in self.edges))
        sides: dict[int, list[DiscrepancySide]] = {}
        for (_, side), k in self.nodes.items():  # in the order the sides were first seen
            sides.setdefault(group[k], []).append(side)
        whats: dict[int, Counter[str]] = {}
        for k, _, what in self.edges:
            whats.setdefault(group[k], Counter())[what] += 1
        return [
            Discrepancy(whats[g].most_common(1)[0][0], tuple(members))
            for g, members in sides.items()
        ]


def _same_fact(
    qa: Quantity,
    toks_a: Sequence[Token],
    qs_a: Sequence[Quantity],
    qb: Quantity,
    toks_b: Sequence[Token],
    qs_b: Sequence[Quantity],
    cosine: float,
) -> bool:
    """Whether two figures of one kind are about the same thing: they share a word right
    before or after them ("*injuring* 15 people" / "*injuring* 12 people"; not "sales of
    $2.33 billion" / "consensus of $0.51"), and their sentences are close
    (``SAME_FACT_COSINE``) or share two words from a specific unit on ("Fifteen houses were
    destroyed" / "Twelve houses were destroyed, the mayor said")."""
    if not _about(toks_a, qa, qs_a) & _about(toks_b, qb, qs_b):
        return False
    if cosine >= SAME_FACT_COSINE:
        return True
    shared = _after(toks_a, qa) & _after(toks_b, qb)
    return bool(qa.unit) and qa.unit == qb.unit and len(shared) >= 2


# How far from a figure the words that say what it counts are looked for, within its clause.
ABOUT_BEFORE = 4
ABOUT_AFTER = 3
_CLAUSE_END = frozenset(".,;:!?()[]\u2014\u2013")


def _single(qs: list[Quantity], toks: Sequence[Token]) -> list[Quantity]:
    """Figures that are not an end of a range: "between 3% and 4%" already says the figure is
    uncertain, and two ranges of growth ("3% to 4%", "5% to 6%") are mostly two measures."""
    ends: set[int] = set()
    for q in qs:
        # "between $3.35 and $3.65": the next figure starts right after "and"
        if 0 <= q.end < len(toks) and toks[q.end].lower in _RANGE_WORDS:
            nxt = [o for o in qs if q.end < o.pos <= q.end + 2]
            if nxt:
                ends |= {q.pos, nxt[0].pos}
    counted = Counter(q.text for q in qs)  # "12 to 15 injured" is read as two "15 injured"
    return [q for q in qs if q.pos not in ends and counted[q.text] == 1]


_RANGE_WORDS = frozenset({"to", "and", "or", "-", "\u2013"})


def _about(toks: Sequence[Token], q: Quantity, qs: Sequence[Quantity]) -> set[str]:
    """Keys of the content words next to a figure in its clause: what it is a figure of
    ("sales of $2.33 billion, surpassing" -> {"sal"}). The words right after figures ("basis
    points", "20% discount") are left out: they say what kind of figure it is, which both
    figures share already, not what it measures."""
    if q.pos < 0:
        return set()
    # The word after each figure, and the next one unless it is what the figure counts
    # ("four people *died*"): "basis points", "20% discount on", "15 people were".
    units = {k for o in qs for k in (o.end, o.end + 1)}
    if 0 <= q.end + 1 < len(toks) and toks[q.end + 1].stem == q.unit:
        units.discard(q.end + 1)
    out: set[str] = set()
    for span, limit in (
        (range(q.pos - 1, -1, -1), ABOUT_BEFORE),
        (range(q.end, len(toks)), ABOUT_AFTER),
    ):
        for k in span[:limit]:
            t = toks[k]
            if t.text in _CLAUSE_END or t.text[0].isdigit():
                break
            # Lower-case words only: a name before a figure says whose it is ("Quarrel
            # Systems lost 31 million" / "Quarrel Systems reported revenue of 198 million"),
            # not what it measures.
            word = _is_content(t) and t.text[0].islower() and t.lower not in NUMBER_WORDS
            if word and k not in units and t.lower not in _WHEN_WORDS | _DATE_WORDS:
                out.add(_key(t))
    return out


# Words that say when a figure holds, not what it measures: "lost 31 million crowns last
# year" and "revenue of 198 million crowns last year" are two facts of one year.
_WHEN_WORDS = frozenset(
    {"day", "days", "today", "tonight", "morning", "afternoon", "evening", "night", "quarter"}
    | {"yesterday", "weekend", "years", "months", "weeks", "previous", "earlier", "later"}
)


def _subject(f: _Facts | _Claim, pos: int) -> set[str]:
    """Names before a figure or date in its sentence: whose figure it is ("UBS, one of the
    largest banks, was founded in 1862"). Names in a clause that attributes the sentence
    ("according to Anna Berg, ...") are not its subject."""
    out: set[str] = set()
    clause: set[str] = set()
    speech = False
    for t in (*f.toks[: max(0, pos)], _BREAK):
        if t.text in _CLAUSE_END:
            if not speech:
                out |= clause
            clause, speech = set(), False
        elif t.lower in _SPEECH or t.lower == "according":
            speech = True
        elif t.stem in f.names:
            clause.add(t.stem)
    return out


def _other_subjects(fa: _Facts | _Claim, pa: int, fb: _Facts | _Claim, pb: int) -> bool:
    """Each sentence names, before its figure, someone or something the other never
    mentions ("Brisco's shares fell 3%" / "Talland's shares fell 5%"; "UBS was founded in
    1862" / "JPMorgan Chase was founded in 1871")."""
    return bool(_subject(fa, pa) - fb.names) and bool(_subject(fb, pb) - fa.names)


def _other_periods(fa: _Facts, fb: _Facts) -> bool:
    """Both sentences are dated, to different years: "sales of $2.33 billion in 2022" and
    "sales of $2.5 billion in 2023" are two facts."""
    ya = {value for kind, value in fa.dates if kind == "year"}
    yb = {value for kind, value in fb.dates if kind == "year"}
    return bool(ya) and bool(yb) and not ya & yb


def _change(qa: Quantity, art_a: Article, qb: Quantity, art_b: Article) -> str:
    """How two outlets' different values for one thing relate: "a->b" when b's value
    replaces a's, "b->a" the other way round, "compatible" when both hold (a bound and a
    value inside it), "" when they disagree."""
    ta, tb = art_a.page.published or "", art_b.page.published or ""
    pairs = (("a->b", qa, qb, ta, tb), ("b->a", qb, qa, tb, ta))
    for direction, q1, q2, t1, t2 in pairs:
        # q1's own sentence marks it as superseded, or q2's marks it as the revision and
        # q2 was not published before q1.
        if q1.stage == "earlier" and q2.stage != "earlier":
            return direction
        if q2.stage == "revised" and q1.stage != "revised" and not (t1 and t2 and t2 < t1):
            return direction
    for direction, q1, q2, t1, t2 in pairs:
        if q1.within(q2):  # "at least 4 dead", then "7 dead"
            return direction if t1 and t2 and t1 < t2 else "compatible"
    return ""


def _comparable_dates(f: _Facts) -> bool:
    return any(m.kind in {"year", "month"} for m in f.date_mentions)


def _date_conflicts(fa: _Facts, fb: _Facts) -> list[tuple[str, str, str]]:
    """Dates of the same thing that two sentences give differently: ("year:open", "2031",
    "late 2032"); the shared words before the dates say what they date."""
    out: list[tuple[str, str, str]] = []
    names = fa.names | fb.names
    years_a = {m.value for m in fa.date_mentions if m.kind == "year"}
    years_b = {m.value for m in fb.date_mentions if m.kind == "year"}
    for kind in ("year", "month"):
        if kind == "month" and years_a and years_b and not years_a & years_b:
            continue  # the years differ already
        ma = [m for m in fa.date_mentions if m.kind == kind]
        mb = [m for m in fb.date_mentions if m.kind == kind]
        va, vb = {m.value for m in ma}, {m.value for m in mb}
        for da in ma:
            for db in mb:
                if da.value in vb or db.value in va:
                    continue
                if _planned(fa.toks, da.pos) != _planned(fb.toks, db.pos):
                    continue  # "first studied in 2019" / "scheduled to start in 2028"
                shared = _anchor(fa.toks, [da.pos]) & _anchor(fb.toks, [db.pos])
                # What each date is the date of is the word nearest it ("the site *flooded*
                # in 2014" / "*bought* the site in 2022": one shared noun, two events).
                if not {_head(fa.toks, da.pos), _head(fb.toks, db.pos)} <= shared:
                    continue
                # A name alone ("John Dodge, born in 1864" / "Dodge dates back to 1900") says
                # whose date it is, not what is dated.
                if shared - {_key(t) for t in (*fa.toks, *fb.toks) if t.stem in names} and not (
                    _other_subjects(fa, da.pos, fb, db.pos)
                ):
                    out.append((f"{kind}:{' '.join(sorted(shared))}", da.text, db.text))
    return out


# Words that make a date the date of a plan or forecast, not of something that happened
# ("due" only when not "due to": "due to cost overruns" gives a reason).
_PLAN_WORDS = MODALS | {"scheduled", "due", "slated"}
_PLAN_STOPS = frozenset({"and", "but", "while", "whereas", "who", "which", "that", "whom"})


def _planned(toks: Sequence[Token], pos: int) -> bool:
    """True when the date at ``pos`` is when something is to happen ("scheduled to start in
    2028", "will open in 2031"): a plan word among the few words of its clause before it (a
    comma or a relative clause ends the search: "the plant, which may close, opened in
    1985" dates an opening). A plan's date and a past event's date are two facts, however
    many words they share."""
    for k in range(pos - 1, max(-1, pos - 1 - DATE_ANCHOR), -1):
        t = toks[k]
        if t.text in ".;:!?,()" or t.lower in _PLAN_STOPS:
            break
        if t.lower in _PLAN_WORDS:
            if t.lower == "due" and k + 1 < len(toks) and toks[k + 1].lower == "to":
                continue
            return True
    return False


def _anchor(toks: Sequence[Token], positions: list[int]) -> set[str]:
    """Keys of the content words just before a date in its sentence: what it is the date of."""
    out: set[str] = set()
    for pos in positions:
        for k in range(pos - 1, max(-1, pos - 1 - DATE_ANCHOR), -1):
            t = toks[k]
            if t.text in ".;:!?":
                break
            if _anchors(t):
                out.add(_key(t))
    return out


def _anchors(t: Token) -> bool:
    return _is_content(t) and not t.text[0].isdigit() and t.lower not in _DATE_WORDS


def _head(toks: Sequence[Token], pos: int) -> str | None:
    """Key of the content word nearest before a date (of ``_anchor``'s words): "built" in
    "was built in 1968", "open" in "expected to open until late 2032"."""
    for k in range(pos - 1, max(-1, pos - 1 - DATE_ANCHOR), -1):
        if toks[k].text in ".;:!?":
            break
        if _anchors(toks[k]):
            return _key(toks[k])
    return None


_DATE_WORDS = frozenset(
    {"early", "late", "mid", "end", "next", "last", "year", "month", "week", "until", "since"}
    | set(MONTHS)
    | set(WEEKDAYS)
)


_CLOCK_UNITS = {"a.m.", "p.m.", "am", "pm", "a.m", "p.m"}


def _after(toks: Sequence[Token], q: Quantity) -> set[str]:
    """Content terms of a figure and the few words after it ("15 people were treated at")."""
    if q.pos < 0:
        return set()
    span = " ".join(t.text for t in toks[q.pos : q.end + AFTER_WORDS])
    return {t for t in content_terms(span) if not t[0].isdigit()}


# How many words after a figure ``_after`` reads (about 30 characters).
AFTER_WORDS = 5


def _same_outlet(a: Article, b: Article) -> bool:
    return bool(a.page.outlet) and a.page.outlet == b.page.outlet


def find_discrepancies(articles: Sequence[Article]) -> list[Discrepancy]:
    """Figures that sources report differently (one outlet counts 12 injured, another 15)."""
    return SourceIndex.shared(articles).discrepancies


# --- stories, summaries and pairs -------------------------------------------------------------


def story_discrepancies(articles: Sequence[Article]) -> list[models.Discrepancy]:
    """The sources' disagreements in the story's form: what is disputed, and each value with
    the source sentences that give it (one verbatim sentence shown per value)."""
    out: list[models.Discrepancy] = []
    for d in find_discrepancies(articles):
        by_value: dict[str, list[DiscrepancySide]] = {}
        for side in d.sides:
            by_value.setdefault(side.value, []).append(side)
        first = d.sides[0]
        words = normalize(first.text)
        at = words.find(first.value)
        about = " ".join(words[at:].split()[1:4]).strip(" ,.;:") if at >= 0 else d.what
        kind = _date_kind(d)
        if kind:  # "the year (open)": what the dates are the dates of
            keys = set(d.what.split(":", 1)[1].split())
            said = [t.text for t in tokens(first.text) if _key(t) in keys]
            about = f"the {kind} ({', '.join(dict.fromkeys(said)) or d.what})"
        # One claim per value; a sentence that gives two of the values is shown once.
        claims = tuple(
            dict.fromkeys(
                models.Claim(sides[0].text, tuple(dict.fromkeys(x.citation for x in sides)))
                for sides in by_value.values()
            )
        )
        if len(claims) >= 2:
            out.append(models.Discrepancy(about or d.what, claims))
    return out


def verify_story(story: Story, index: SourceIndex | None = None) -> Story:
    """A new ``Story`` whose sentences carry verdicts; sentences that are not ``supported``
    move to ``story.dropped`` with the reason. A headline that is not supported is replaced
    by the first supported sentence (and recorded as dropped)."""
    index = index or SourceIndex(story.articles, window=1)
    kept: list[StorySentence] = []
    dropped = list(story.dropped)
    for s in story.sentences:
        v = verify_sentence(s.text, index)
        if v.label == "supported":
            kept.append(replace(s, verdict=v))
        else:
            dropped.append(Dropped(s.text, s.section, f"{v.label}: {v.reason}", tuple(s.citations)))
    hv = verify_sentence(story.headline.text, index)
    headline = replace(story.headline, verdict=hv)
    if hv.label != "supported":
        dropped.append(
            Dropped(
                story.headline.text,
                "headline",
                f"{hv.label}: {hv.reason}",
                tuple(story.headline.citations),
            )
        )
        if kept:
            headline = replace(kept[0], section="headline")
    return replace(story, headline=headline, sentences=kept, dropped=dropped)


def story_verifier(model: ContradictionModel | None = None) -> Callable[[Story], Story]:
    """``verify_story`` against the shared index of each story's articles, checked with the
    contradiction ``model`` when given: what a model engine's gate calls under
    ``write --nli``."""

    def verify(story: Story) -> Story:
        return verify_story(story, SourceIndex.shared(story.articles, model=model))

    return verify


def check_summary(
    summary: str | Iterable[str],
    articles: Sequence[Article],
    model: ContradictionModel | None = None,
) -> CheckResult:
    """Judge every sentence of ``summary`` (text, or sentences already split) against
    ``articles`` (and with the contradiction ``model``, when given); the result also lists
    the sources' discrepancies."""
    index = SourceIndex(articles, model=model)
    return _check(summary, index, with_discrepancies=True)


def check_pair(
    doc: str,
    summary: str,
    model: ContradictionModel | None = None,
    model_threshold: float = MODEL_CONTRADICTS,
) -> PairResult:
    """Judge a summary against one document (the ``--pairs`` form and the benchmarks);
    ``model_threshold`` above 1 records the model's probabilities without acting on them."""
    index = SourceIndex(
        articles_from_text(doc), titles=False, model=model, model_threshold=model_threshold
    )
    result = _check(summary, index, with_discrepancies=False)
    labels = {s.verdict.label for s in result.sentences}
    if not result.sentences or labels & {"not_news", "contradicted"}:
        return PairResult(False, 0.0, result.sentences)
    weakest = min(s.verdict.score for s in result.sentences)
    score = (PAIR_BASE + weakest) / (1 + PAIR_BASE)
    score *= NEW_FACT_FACTOR ** len(new_facts(summary, index))
    return PairResult(score >= PAIR_THRESHOLD, score, result.sentences)


def new_facts(text: str, index: SourceIndex) -> list[str]:
    """Names, numbers and opposite words that ``text`` states and no source sentence does
    ("Vienna" where the sources never name it; "rejected" where they only say "accepted")."""
    toks = tokens(text)
    said: dict[str, str] = {}  # a name's word, not its stem ("dunmore", not "dunmor")
    for t in toks:
        said.setdefault(t.stem, t.lower)
    out = [
        f"name {said.get(n, n)!r}"
        for n in sorted(names(toks, index.known_names))
        if n not in index.stems
    ]
    out += [f"number {n}" for n in sorted(numbers(text) - index.numbers)]
    out += [
        f"opposite {t.text!r}"
        for t in toks
        if t.stem not in index.stems and opposite_of(t.stem) & index.stems
    ]
    return out


def summary_sentences(summary: str) -> list[str]:
    """Split a summary into sentences, one paragraph or line at a time."""
    from .sentences import split_sentences

    text = summary.replace("\r\n", "\n")
    # Markdown markers are layout, not words: headings, bullets, emphasis.
    text = re.sub(r"(?m)^\s{0,3}(?:#{1,6}\s+|[-*+\u2022]\s+|\d+[.)]\s+|>\s*)", "", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"\n(?=\S)", "\n\n", text)  # a line is a paragraph
    return [s.text for s in split_sentences(text, "summary")]


def _check(
    summary: str | Iterable[str], index: SourceIndex, *, with_discrepancies: bool
) -> CheckResult:
    texts = summary_sentences(summary) if isinstance(summary, str) else list(summary)
    checked = tuple(CheckedSentence(t, verify_sentence(t, index)) for t in texts)
    disc = tuple(index.discrepancies) if with_discrepancies else ()
    return CheckResult(checked, disc)
