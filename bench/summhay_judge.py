"""An offline, deterministic judge of insight coverage and citation accuracy, after SummHay.

SummHay (Laban et al., EMNLP 2024) scores a bullet summary against gold "insights": for each
insight a judge says whether the summary covers it fully (100 points), partially (50) or not
(0) and which bullet covers it; the documents cited by that bullet are compared with the gold
documents that state the insight (precision, recall, F1). The paper's judge is GPT-4o; ours
needs no model and no network, so that the benchmark runs anywhere and gives the same number
twice.

How a bullet is matched to an insight: the insight's content terms (Porter-stemmed words
without stop words, normalised numbers) are weighted by inverse document frequency over the
topic's own texts, with numbers and names weighted up because a bullet that drops "$96,666"
or "Brampton" has not stated the insight. The match is the weighted share of the insight's
terms that the bullet contains (recall: an insight is covered when its content is there,
whatever else the bullet says). The best bullet's match is cut into FULL / PARTIAL / NO by
two thresholds. The thresholds and weights were calibrated on the human labels of the
*conversation* domain of SummHay's ``eval_benchmark_data.json`` (see ``calibrate`` and
docs/evaluation.md); the news labels are held out to report agreement.

The judge keeps its own tokenizer (nltk's Porter stemmer, pure code, no data) instead of
newsdistill.textutil on purpose: a change to the product's tokenizer must not move the
benchmark's yardstick.

Scores (all on a 0-100 scale):
- coverage: mean insight points;
- citation: mean citation F1 over insights the summary covers (fully or partially);
- joint: mean over all insights of points/100 x citation F1 (an uncovered insight scores 0).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import product

from nltk.stem import PorterStemmer

Label = str  # "FULL", "PARTIAL" or "NO"
LABELS: tuple[Label, ...] = ("NO", "PARTIAL", "FULL")
POINTS: dict[Label, int] = {"FULL": 100, "PARTIAL": 50, "NO": 0}

_STOP_TEXT = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves said says
    say told according mr mrs ms dr per via it's new may might must also including well one's
    like however among within"""
STOPWORDS = frozenset(_STOP_TEXT.split())
NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "hundred": "100", "dozen": "12", "half": "50",
}  # fmt: skip
_TOKEN = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?|[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
_CITATION = re.compile(r"\[\s*(?:Article|Doc(?:ument)?)?\s*(\d+(?:\s*,\s*\d+)*)\s*\]", re.I)
_BULLET_MARK = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")
_STEMMER = PorterStemmer()


@dataclass(frozen=True)
class Settings:
    """The judge's knobs; the defaults are the calibrated values (see module docstring)."""

    # Thresholds on the best bullet's weighted recall of the insight's terms.
    partial: float = 0.3
    full: float = 0.5
    # Extra weight of numbers and of capitalised names over ordinary words.
    number_boost: float = 1.5
    name_boost: float = 2.0
    # Words of 6+ letters sharing their first 5 letters count as the same ("closing"/"closure").
    prefix_match: bool = True


@dataclass(frozen=True)
class Term:
    key: str  # stem, or a canonical number
    kind: str  # "word", "number" or "name"


@dataclass(frozen=True)
class Bullet:
    """One bullet of a summary: its text (citation marks removed) and the documents it cites."""

    text: str
    docs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class InsightResult:
    """How one gold insight fared: coverage label, the bullet that covers it, its citations."""

    insight_id: str
    label: Label
    match: float  # weighted recall of the insight in the best bullet, 0..1
    bullet: int | None  # index into the summary's bullets; None when not covered
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0

    @property
    def points(self) -> int:
        return POINTS[self.label]

    @property
    def covered(self) -> bool:
        return self.label != "NO"


@dataclass
class SummaryScore:
    """Scores of one summary for one subtopic, 0-100."""

    results: list[InsightResult] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return _mean([r.points for r in self.results])

    @property
    def citation(self) -> float | None:
        """Mean citation F1 over covered insights; None when nothing is covered."""
        covered = [r.f1 for r in self.results if r.covered]
        return 100.0 * _mean(covered) if covered else None

    @property
    def joint(self) -> float:
        return _mean([r.points * r.f1 for r in self.results])


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


# ---------------------------------------------------------------------------------------------
# Text


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
                 ("\u2013", "-"), ("\u2014", "-")):  # fmt: skip
        text = text.replace(a, b)
    return text


def _number(token: str) -> str:
    token = token.lstrip("$").rstrip("%").replace(",", "")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return token.lstrip("0") or "0"


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    return _STEMMER.stem(w)


@lru_cache(maxsize=100_000)
def terms(text: str) -> tuple[Term, ...]:
    """Content terms of a text in order, with repeats: stems, numbers and names."""
    out: list[Term] = []
    first = True
    for m in _TOKEN.finditer(_normalize(text)):
        tok = m.group()
        start_of_sentence = first or text[: m.start()].rstrip()[-1:] in {".", ":", "!", "?"}
        first = False
        if tok[0] in "$0123456789":
            out.append(Term(_number(tok), "number"))
            continue
        low = tok.lower()
        if low in STOPWORDS or len(low) < 2:
            continue
        if low in NUMBER_WORDS:
            out.append(Term(NUMBER_WORDS[low], "number"))
            continue
        name = (tok[0].isupper() and not start_of_sentence) or (tok.isupper() and len(tok) > 1)
        out.append(Term(_stem(low), "name" if name else "word"))
    return tuple(out)


def parse_bullets(lines: Sequence[str]) -> list[Bullet]:
    """Bullets of a stored LLM summary: ``[n]`` / ``[n, m]`` / ``[Article n]`` are citations of
    1-based document numbers, returned as 0-based indices; empty lines are dropped."""
    out = []
    for line in lines:
        docs = set()
        for m in _CITATION.finditer(line):
            docs.update(int(n) - 1 for n in re.findall(r"\d+", m.group(1)))
        text = bullet_text(line)
        if text:
            out.append(Bullet(text, frozenset(d for d in docs if d >= 0)))
    return out


def bullet_text(line: str) -> str:
    """A summary line without citation marks, bullet marks and Markdown emphasis."""
    text = _BULLET_MARK.sub("", _CITATION.sub(" ", line)).replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# The judge


class Judge:
    """Coverage and citation judge for one topic.

    ``corpus`` is the set of texts the inverse document frequencies come from: the topic's
    gold insights and the summaries being judged, so that words every insight of the topic
    shares ("Foot Locker", "Demon") count for little and specific ones count for much.
    """

    def __init__(self, corpus: Iterable[str], settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        df: Counter[str] = Counter()
        n = 0
        for text in corpus:
            df.update({t.key for t in terms(text)})
            n += 1
        self._n = n
        self._df = df

    def idf(self, key: str) -> float:
        return math.log((1 + self._n) / (1 + self._df.get(key, 0))) + 1.0

    def weight(self, term: Term) -> float:
        boost = {"number": self.settings.number_boost, "name": self.settings.name_boost}
        return self.idf(term.key) * boost.get(term.kind, 1.0)

    def match(self, insight: str, bullet: str) -> float:
        """IDF-weighted share of the insight's distinct terms that the bullet states, 0..1."""
        wanted: dict[str, Term] = {}
        for t in terms(insight):
            # A word that is a name anywhere in the insight counts as a name.
            if t.key not in wanted or t.kind != "word":
                wanted[t.key] = t
        if not wanted:
            return 0.0
        have = {t.key for t in terms(bullet)}
        prefixes = {k[:5] for k in have if len(k) >= 5 and not k[0].isdigit()}
        total = got = 0.0
        for key, t in wanted.items():
            w = self.weight(t)
            total += w
            if key in have or (
                self.settings.prefix_match
                and t.kind != "number"
                and len(key) >= 5
                and key[:5] in prefixes
            ):
                got += w
        return got / total

    def label(self, match: float) -> Label:
        if match >= self.settings.full:
            return "FULL"
        if match >= self.settings.partial:
            return "PARTIAL"
        return "NO"

    def cover(self, insight: str, bullets: Sequence[str]) -> tuple[Label, float, int | None]:
        """The coverage label of an insight, its best match and the covering bullet's index
        (the first bullet with the best match; None when not covered)."""
        best, best_k = 0.0, None
        for k, b in enumerate(bullets):
            m = self.match(insight, b)
            if m > best:
                best, best_k = m, k
        label = self.label(best)
        return label, best, best_k if label != "NO" else None

    def score(
        self,
        insights: Sequence[tuple[str, str]],
        bullets: Sequence[Bullet],
        gold: Mapping[str, Iterable[int]],
    ) -> SummaryScore:
        """Score a summary: ``insights`` are (id, text), ``gold`` maps an insight id to the
        documents that state it."""
        texts = [b.text for b in bullets]
        out = SummaryScore()
        for iid, text in insights:
            label, m, k = self.cover(text, texts)
            if k is None:
                out.results.append(InsightResult(iid, label, m, None))
                continue
            p, r, f = citation_prf(bullets[k].docs, gold.get(iid, ()))
            out.results.append(InsightResult(iid, label, m, k, p, r, f))
        return out


def citation_prf(cited: Iterable[int], gold: Iterable[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of cited documents against the gold documents."""
    c, g = set(cited), set(gold)
    hit = len(c & g)
    if not hit:
        return 0.0, 0.0, 0.0
    p, r = hit / len(c), hit / len(g)
    return p, r, 2 * p * r / (p + r)


# ---------------------------------------------------------------------------------------------
# Agreement with human labels


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two label sequences of equal length."""
    n = len(a)
    if n == 0 or n != len(b):
        raise ValueError("kappa needs two non-empty sequences of equal length")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class Agreement:
    n: int
    accuracy3: float
    kappa3: float
    accuracy2: float  # covered (FULL or PARTIAL) vs not
    kappa2: float


def agreement(predicted: Sequence[Label], human: Sequence[Label]) -> Agreement:
    """Accuracy and Cohen's kappa, 3-way and binary (covered or not)."""
    bp = ["Y" if x != "NO" else "N" for x in predicted]
    bh = ["Y" if x != "NO" else "N" for x in human]
    acc = lambda a, b: sum(x == y for x, y in zip(a, b, strict=True)) / len(a)  # noqa: E731
    return Agreement(len(human), acc(predicted, human), cohen_kappa(predicted, human),
                     acc(bp, bh), cohen_kappa(bp, bh))  # fmt: skip


@dataclass(frozen=True)
class Example:
    """One human judgement: an insight, the summary's bullets, the label, and which topic's
    judge (IDF corpus) applies."""

    topic: str
    insight: str
    bullets: tuple[str, ...]
    human: Label


def calibrate(
    examples: Sequence[Example],
    corpora: Mapping[str, Sequence[str]],
    thresholds: Sequence[float] = tuple(x / 40 for x in range(4, 36)),
    number_boosts: Sequence[float] = (1.0, 1.5, 2.0),
    name_boosts: Sequence[float] = (1.0, 1.5, 2.0),
    prefix: Sequence[bool] = (False, True),
) -> tuple[Settings, Agreement]:
    """Grid-search the settings that maximise 3-way Cohen's kappa with the human labels
    (ties: binary kappa, then the earliest grid point, so the result is deterministic)."""
    best: tuple[tuple[float, float], Settings, Agreement] | None = None
    human = [e.human for e in examples]
    for nb, eb, px in product(number_boosts, name_boosts, prefix):
        base = Settings(number_boost=nb, name_boost=eb, prefix_match=px)
        judges = {t: Judge(c, base) for t, c in corpora.items()}
        matches = [max((judges[e.topic].match(e.insight, b) for b in e.bullets), default=0.0)
                   for e in examples]  # fmt: skip
        for lo, hi in product(thresholds, thresholds):
            if hi <= lo:
                continue
            s = replace(base, partial=lo, full=hi)
            pred = ["FULL" if m >= hi else "PARTIAL" if m >= lo else "NO" for m in matches]
            a = agreement(pred, human)
            key = (round(a.kappa3, 6), round(a.kappa2, 6))
            if best is None or key > best[0]:
                best = (key, s, a)
    assert best is not None
    return best[1], best[2]
