"""Find every source sentence that states a given sentence: the basis of citations.

A source sentence states a claim when it holds most of the claim's weighted content terms
(IDF-weighted recall >= ``MIN_RECALL``) and every number the claim gives. This is a citation
finder, not the verifier: the verifier judges the cited support separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Article, Citation, Sentence
from .textutil import content_terms, numbers
from .vectors import TermSpace

# Calibrated by eye on the bundled samples: paraphrases across outlets of one fact recall
# 0.6-0.9 of each other's weighted terms, different facts of one event under 0.45.
MIN_RECALL = 0.5


@dataclass(frozen=True)
class SourceSentence:
    article: Article
    sentence: Sentence
    terms: frozenset[str]
    numbers: frozenset[str]

    @property
    def citation(self) -> Citation:
        return Citation(self.article.id, self.sentence.id)


class Aligner:
    """Index of all source sentences of a set of articles, for finding support."""

    def __init__(self, articles: list[Article], space: TermSpace | None = None) -> None:
        self.items = [
            SourceSentence(a, s, frozenset(content_terms(s.text)), frozenset(numbers(s.text)))
            for a in articles
            for s in a.sentences
        ]
        self.space = space or TermSpace(i.sentence.text for i in self.items)
        self._order = {item.citation: k for k, item in enumerate(self.items)}
        self._postings: dict[str, list[int]] = {}
        for k, item in enumerate(self.items):
            for t in item.terms:
                self._postings.setdefault(t, []).append(k)

    def scored(self, text: str) -> list[tuple[float, SourceSentence]]:
        """Source sentences sharing terms with ``text``, with their weighted recall, best first."""
        terms = content_terms(text)
        candidates: set[int] = set()
        for t in set(terms):
            candidates.update(self._postings.get(t, ()))
        out = [(self.space.recall(terms, self.items[k].terms), self.items[k]) for k in candidates]
        out.sort(key=lambda p: (-p[0], p[1].sentence.id))
        return out

    def supporting(self, text: str, min_recall: float = MIN_RECALL) -> list[Citation]:
        """Citations of every source sentence that states ``text``, in article order."""
        nums = numbers(text)
        found = [
            item.citation
            for score, item in self.scored(text)
            if score >= min_recall and nums <= item.numbers
        ]
        return sorted(set(found), key=self._order.__getitem__)
