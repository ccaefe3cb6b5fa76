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
    # Share of a candidate's opening terms (headline + first paragraph) found in the title and
    # the kept text. Sections of one article share most of their names and terms (0.4+ on the
    # fixtures); unrelated stories share only everyday news words (under 0.2).
    max_shared_terms: float = 0.22
    # Share of the candidate's proper names already seen. A new story introduces its own people
    # and places; a section of the same story reuses them.
    max_shared_names: float = 0.34


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
    if block.kind == "head":
        return True
    if block.kind != "p" or i + 1 >= len(blocks):
        return False
    text = block.text.strip()
    n = len(text.split())
    if not 3 <= n <= 20 or text.endswith((".", ",", ";", ":", "?\"", ".\"", "!", "”")):
        return False
    if text[:1] in "\"“'‘-–—•*(":
        return False
    return _is_prose(blocks[i + 1])


def keep_main(blocks: list[Block], title: str, options: SegmentOptions | None = None) -> Segmentation:
    """Keep the segments of the article the page is about; drop other stories.

    The article is the segment whose opening best matches ``title`` (the first one when none
    does); any story before it and everything from the first unrelated story after it are
    dropped.
    """
    options = options or SegmentOptions()
    segments = split_segments(blocks)
    if len(segments) < 2:
        return Segmentation(list(blocks))
    main = _main_index(segments, title)
    dropped = list(segments[:main])
    kept = list(segments[main].blocks)
    for n, seg in enumerate(segments[main + 1 :], start=main + 1):
        if _is_other_story(seg, kept, title, options):
            dropped.extend(segments[n:])
            break
        kept.extend(seg.blocks)
    return Segmentation(kept, dropped)


def _main_index(segments: list[Segment], title: str) -> int:
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
    # Move off the first segment only when it clearly is about something else and has prose
    # enough to be a story of its own (a teaser above the article).
    if best != 0 and scores[best] >= 0.6 and scores[0] < 0.2 and _prose_words(segments[0]) > 0:
        return best
    return 0


def _is_other_story(seg: Segment, kept: list[Block], title: str, options: SegmentOptions) -> bool:
    if seg.heading is None or _prose_words(seg) < options.min_story_words:
        return False
    opening_blocks = [seg.blocks[0], *[b for b in seg.blocks[1:] if _is_prose(b)][:1]]
    opening = " ".join(b.text for b in opening_blocks)
    seen_text = title + "\n" + "\n".join(b.text for b in kept)
    cand = set(content_terms(opening))
    if len(cand) < 4:
        return False
    seen = set(content_terms(seen_text))
    shared_terms = len(cand & seen) / len(cand)
    names = _names(opening)
    seen_names = _names(seen_text) | {w.lower() for w in seen_text.split()}
    shared_names = (len(names & seen_names) / len(names)) if names else 0.0
    return shared_terms <= options.max_shared_terms and (
        not names or shared_names <= options.max_shared_names
    )


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")


def _names(text: str) -> set[str]:
    """Capitalized words that are not the first word of a sentence: people, places, bodies."""
    out = set()
    for line in text.split("\n"):
        for m in _NAME.finditer(line.strip()):
            word = m.group(0).lower()
            if word not in STOPWORDS and len(word) > 2:
                out.add(word)
    return out


def _is_prose(block: Block) -> bool:
    text = block.text.strip()
    return block.kind in ("p", "quote") and len(text.split()) >= 8 and text[-1:] in ".!?\"”’'):"


def _prose_words(seg: Segment) -> int:
    return sum(len(b.text.split()) for b in seg.blocks if _is_prose(b))
