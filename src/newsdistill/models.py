"""Plain values passed between the stages of the pipeline.

Data flows one way: ``Document`` (raw bytes of one source) -> ``Page`` (extracted text and
metadata) -> ``Article`` (text split into ``Sentence``s, with an id) -> ``Story`` (made of
``StorySentence``s that cite source sentences). Stages take values and return values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["html", "text"]
VerdictLabel = Literal["supported", "contradicted", "unsupported", "not_news"]


@dataclass(frozen=True)
class Document:
    """The raw content of one source, as read from a file, a URL or standard input."""

    source: str  # the source as the user gave it (path, URL or "-")
    content: str
    kind: SourceKind
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Page:
    """What extraction found in one document: the article text and its metadata."""

    source: str
    title: str
    text: str  # paragraphs separated by blank lines
    outlet: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as precise as the page gives
    url: str | None = None
    path: str | None = None
    dateline: str | None = None  # "HARTWELL, Nov. 18", lifted off the first paragraph


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article; ``start``/``end`` are character offsets into its text."""

    id: str  # "<article id>.s<n>", e.g. "a2.s14"; n counts from 1
    text: str
    start: int
    end: int
    paragraph: int  # 0-based paragraph index in the article text
    index: int  # 0-based position in the article


@dataclass(frozen=True)
class Copy:
    """Another publication of the same article (syndication, a wire story on two sites)."""

    source: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    path: str | None


@dataclass
class Article:
    """An extracted article with an id and its sentences."""

    id: str  # "a1", "a2", ... in input order
    page: Page
    sentences: list[Sentence]
    copies: list[Copy] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        """Every outlet that published this text, the primary first, without repeats."""
        names = [self.page.outlet, *(c.outlet for c in self.copies)]
        return list(dict.fromkeys(n for n in names if n))

    def sentence(self, sentence_id: str) -> Sentence:
        """The sentence with this id; ``KeyError`` when it is not in this article."""
        for s in self.sentences:
            if s.id == sentence_id:
                return s
        raise KeyError(sentence_id)


@dataclass(frozen=True)
class Citation:
    """A pointer to one source sentence."""

    article: str
    sentence: str


@dataclass(frozen=True)
class Evidence:
    """A source sentence that a verdict rests on."""

    citation: Citation
    text: str
    score: float


@dataclass(frozen=True)
class Verdict:
    """The verifier's judgement of one sentence against the sources."""

    label: VerdictLabel
    score: float  # 0..1, confidence that the sentence is supported
    reason: str
    evidence: tuple[Evidence, ...] = ()
    # With the contradiction model: its probability that the source says otherwise.
    contradiction: float | None = None


@dataclass
class StorySentence:
    """One sentence of a story, with the source sentences that state it."""

    text: str
    section: str  # "headline", "lede", "body"
    citations: list[Citation]
    paragraph: int = 0
    verdict: Verdict | None = None


@dataclass(frozen=True)
class Dropped:
    """A sentence that was written but not published, and why."""

    text: str
    section: str
    reason: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A hard fact (figure, date, place, person and role) stated verbatim by a source."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Quote:
    """A verbatim quotation with its speaker and the outlets that carry it."""

    quote: str
    speaker: str | None
    outlet: str | None
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Claim:
    """One side of a disagreement between sources."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Discrepancy:
    """Sources that disagree on one fact, every side cited."""

    about: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class TimelineEntry:
    """A dated event; ``date`` is ISO 8601 (date, or date and time) as far as sources give it."""

    date: str
    text: str
    citations: tuple[Citation, ...]


@dataclass
class Story:
    """One distilled story about one event."""

    headline: StorySentence
    sentences: list[StorySentence]  # lede, body, background, whats_next, in reading order
    articles: list[Article]
    engine: str = "offline"
    dropped: list[Dropped] = field(default_factory=list)
    dateline: str | None = None
    key_facts: list[Fact] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the engine or gate did (fallbacks)

    @property
    def publishers(self) -> int:
        """Independent outlets: a syndicated copy is not an independent report."""
        return len({a.page.outlet or a.page.source for a in self.articles})

    @property
    def single_source(self) -> bool:
        return self.publishers == 1


@dataclass(frozen=True)
class Skipped:
    """A source that was not used, with a one-line reason."""

    source: str
    reason: str


@dataclass
class Digest:
    """The result of one run: the stories written and the sources skipped."""

    stories: list[Story]
    skipped: list[Skipped]
    unclustered: list[Article] = field(default_factory=list)
