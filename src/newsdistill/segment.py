"""Split a page's text into segments and keep the article the page is about.

News pages often carry more than one story: an "up next" teaser or a whole second article
appended below the one the URL points to (infinite scroll), sometimes a teaser above it.
Extraction returns all of it as one text. If it reached the writer, a story about a bridge
collapse could cite sentences about a football match.

A segment starts at a headline-like block (an HTML heading, or a short unpunctuated line
followed by prose). The article's own subheadings also start segments, so a segment is only
dropped when it reads as a *different story*: it has enough prose to be a teaser or an
article, and neither its headline nor its opening shares the names and terms of the page title
and the article's text so far. Everything from the first such segment on is dropped: the
article the page is about has ended there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .textutil import STOPWORDS, content_terms

BlockKind = str  # "head", "p", "list", "quote", "table"


@dataclass(frozen=True)
class Block:
    """One block of extracted text: a heading, paragraph, list, quote or table."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Segment:
    """Consecutive blocks that start at a headline-like block (or at the top of the page)."""

    blocks: tuple[Block, ...]

    @property
    def heading(self) -> str | None:
        return self.blocks[0].text if self.blocks and is_headline(self.blocks, 0) else None

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class SegmentOptions:
    """When a segment counts as a different story.

    Calibrated on the fixture pages in tests/fixtures/pages and checked on the
    article-extraction-benchmark, where no subsection of a real article may be dropped.
    """

    # A teaser is a headline plus a sentence or two; less prose than this is a subheading
    # with a caption or a list, not a story.
    min_story_words: int = 25
    # Judge later segments only once the article itself has this much prose: after a
    # one-paragraph intro (a newsletter, a deals roundup) the sections *are* the article.
    min_article_words: int = 80
    # Content before the repeated headline line is dropped (a sidebar teaser, a "next story")
    # when it is at most this share of the text; more than that, and the line is not the top
    # of the article (a headline repeated in a share row at the end).
    max_before_title: float = 0.3
    # Share of a candidate's opening terms (headline + first paragraph) found in the title and
    # the kept text. Sections of one article share most of their names and terms (0.4+ on the
    # fixtures); unrelated stories share only everyday news words (under 0.2).
    max_shared_terms: float = 0.15
    # Share of the candidate's proper names already seen. A new story introduces its own people
    # and places; a section of the same story reuses them.
    max_shared_names: float = 0.2


@dataclass
class Segmentation:
    """The kept article blocks and the segments dropped as other stories."""

    kept: list[Block]
    dropped: list[Segment] = field(default_factory=list)


def split_segments(blocks: list[Block]) -> list[Segment]:
    """Cut blocks into segments, each starting at a headline-like block."""
    segments: list[list[Block]] = []
    for i, block in enumerate(blocks):
        if not segments or is_headline(blocks, i):
            segments.append([])
        segments[-1].append(block)
    return [Segment(tuple(s)) for s in segments]


def is_headline(blocks: list[Block] | tuple[Block, ...], i: int) -> bool:
    """A heading block, or a short line without end punctuation followed by prose."""
    block = blocks[i]
    text = block.text.strip()
    if text.endswith("?") or re.match(r"Q\s*[:.]", text):
        return False  # an interview question or a question subhead, not a new story
    if block.kind == "head":
        return True
    if block.kind != "p" or i + 1 >= len(blocks):
        return False
    n = len(text.split())
    if not 3 <= n <= 20 or text.endswith((".", ",", ";", ":", "?", '"', "!", "”")):
        return False
    if text[:1] in "\"“'‘-–—•*(":
        return False
    return _is_prose(blocks[i + 1])


def keep_main(
    blocks: list[Block],
    title: str,
    options: SegmentOptions | None = None,
    title_at: int | None = None,
) -> Segmentation:
    """Keep the segments of the article the page is about; drop other stories.

    ``title_at`` is where the page's headline line stood (``clean.Cleaned.title_at``): text
    above it is dropped when it is a different story (a sidebar teaser). Otherwise the
    article is the segment whose opening best matches ``title`` (the first one when none
    does). After the article, everything from the first different story on is dropped.

    A page of many unrelated sections (a deals roundup, a newsletter of briefs, an interview)
    is kept whole: the story after a candidate boundary must continue the candidate, not start
    yet another subject, for the candidate to count as an appended article.
    """
    options = options or SegmentOptions()
    dropped: list[Segment] = []
    if title_at:
        above = list(blocks[:title_at])
        below = list(blocks[title_at:])
        if _words(above) <= options.max_before_title * max(_words(blocks), 1) and _unrelated(
            above, title + "\n" + _joined(below), options
        ):
            dropped.append(Segment(tuple(above)))
            blocks = below
    segments = split_segments(blocks)
    if len(segments) < 2:
        return Segmentation(list(blocks), dropped)
    main = _main_index(segments, title, options)
    dropped.extend(segments[:main])
    kept = list(segments[main].blocks)
    rest = segments[main + 1 :]
    for i, seg in enumerate(rest):
        reference = title + "\n" + _joined(kept)
        remainder = [b for later in rest[i:] for b in later.blocks]
        if (
            _prose_words(kept) >= options.min_article_words
            and _is_other_story(seg, reference, options)
            and not set(content_terms(seg.blocks[0].text)) & set(content_terms(title))
            and _known_name_share(remainder, reference) <= options.max_shared_names
        ):
            after = rest[i + 1] if i + 1 < len(rest) else None
            if after is not None and _is_other_story(after, _joined(seg.blocks), options):
                # Sections on ever new subjects: a roundup or a newsletter; keep it whole.
                kept.extend(b for later in rest[i:] for b in later.blocks)
                break
            dropped.extend(rest[i:])
            break
        kept.extend(seg.blocks)
    return Segmentation(kept, dropped)


def _main_index(segments: list[Segment], title: str, options: SegmentOptions) -> int:
    """The segment whose headline or opening paragraph matches the page title best."""
    title_terms = set(content_terms(title))
    if len(title_terms) < 2:
        return 0
    scores = []
    for seg in segments:
        opening = " ".join(b.text for b in seg.blocks[:2])
        terms = set(content_terms(opening))
        scores.append(len(terms & title_terms) / len(title_terms))
    best = max(range(len(segments)), key=lambda i: (scores[i], -i))
    # Move off the first segment only when it clearly is another story with prose of its own
    # (a teaser above the article) and a later segment matches the title well.
    if (
        best != 0
        and scores[best] >= 0.6
        and scores[0] < 0.2
        and _prose_words(list(segments[0].blocks)) >= options.min_story_words
        and _unrelated(list(segments[0].blocks), title + "\n" + segments[best].text, options)
    ):
        return best
    return 0


def _is_other_story(seg: Segment, reference: str, options: SegmentOptions) -> bool:
    """A headline with a story under it that shares neither names nor terms with ``reference``."""
    if seg.heading is None or _prose_words(list(seg.blocks)) < options.min_story_words:
        return False
    return _unrelated(list(seg.blocks), reference, options)


def _unrelated(blocks: list[Block], reference: str, options: SegmentOptions) -> bool:
    """True when the opening of ``blocks`` (heading + first prose paragraph) introduces its own
    names and shares few terms with ``reference``."""
    prose = [b for b in blocks if _is_prose(b)][:1]
    if not prose:
        return False
    opening = " ".join(b.text for b in [blocks[0], *prose] if b is not None)
    cand = set(content_terms(opening))
    names = _names(prose[0].text)
    if len(cand) < 4 or len(names) < 2:
        return False  # too little to tell: keep
    seen = set(content_terms(reference))
    shared_terms = len(cand & seen) / len(cand)
    seen_words = {w.lower() for w in re.findall(r"\w+", reference)}
    shared_names = len(names & seen_words) / len(names)
    return shared_terms <= options.max_shared_terms and shared_names <= options.max_shared_names


def _known_name_share(blocks: list[Block], reference: str) -> float:
    """Share of name mentions in the prose of ``blocks`` that ``reference`` also uses.

    Counted per mention, so the subject a whole section keeps returning to weighs most: a
    review's later sections keep naming the product, an appended story names its own people.
    """
    seen_words = {w.lower() for w in re.findall(r"\w+", reference)}
    mentions = [n for b in blocks if _is_prose(b) for n in _name_mentions(b.text)]
    if not mentions:
        return 1.0
    return sum(1 for n in mentions if n in seen_words) / len(mentions)


def _words(blocks: list[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks)


def _joined(blocks: list[Block] | tuple[Block, ...]) -> str:
    return "\n".join(b.text for b in blocks)


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")


def _names(text: str) -> set[str]:
    """Capitalized words that are not the first word of a sentence: people, places, bodies."""
    return set(_name_mentions(text))


def _name_mentions(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        for m in _NAME.finditer(line.strip()):
            word = m.group(0).lower()
            if word not in STOPWORDS and len(word) > 2:
                out.append(word)
    return out


def _is_prose(block: Block) -> bool:
    text = block.text.strip()
    return block.kind in ("p", "quote") and len(text.split()) >= 8 and text[-1:] in ".!?\"”’'):"


def _prose_words(blocks: list[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks if _is_prose(b))
