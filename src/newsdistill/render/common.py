"""Helpers shared by the renderers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Article, Citation, Story, StorySentence

NOTICE = (
    "This story was machine-written by newsdistill from the sources listed. Every sentence "
    "cites the source sentences that state it; nothing was added that the sources do not say."
)


@dataclass(frozen=True)
class SourceEntry:
    number: int
    article: Article

    @property
    def line(self) -> str:
        """Outlet, title, date and link, as a source list shows them."""
        p = self.article.page
        parts = [p.outlet or "Unknown outlet", f"\u201c{p.title}\u201d"]
        if p.published:
            parts.append(p.published[:10])
        where = p.url or p.path
        if where:
            parts.append(where)
        line = ", ".join(parts)
        others = [c.outlet or c.source for c in self.article.copies]
        if others:
            line += f" (also published by {', '.join(others)})"
        return line


def numbered_sources(story: Story) -> list[SourceEntry]:
    """Articles in the order a reader first meets their citations, numbered from 1."""
    order: list[str] = []
    for s in [story.headline, *story.sentences]:
        for c in s.citations:
            if c.article not in order:
                order.append(c.article)
    for a in story.articles:
        if a.id not in order:
            order.append(a.id)
    by_id = {a.id: a for a in story.articles}
    return [SourceEntry(n, by_id[aid]) for n, aid in enumerate(order, start=1) if aid in by_id]


def marks(cited: StorySentence | Iterable[Citation], numbers: dict[str, int]) -> list[int]:
    """Footnote numbers of the articles a sentence (or a list of citations) cites."""
    cites = cited.citations if isinstance(cited, StorySentence) else cited
    return sorted({numbers[c.article] for c in cites if c.article in numbers})


SECTION_TITLES = {"background": "Background", "whats_next": "What's next"}


def paragraphs(
    story: Story, sections: tuple[str, ...] = ("lede", "body")
) -> list[list[StorySentence]]:
    """Story sentences of the given sections grouped into paragraphs, in reading order."""
    groups: dict[tuple[str, int], list[StorySentence]] = {}
    for s in story.sentences:
        if s.section in sections:
            groups.setdefault((s.section, s.paragraph), []).append(s)
    return list(groups.values())


def timeline_date(value: str) -> str:
    """ "2026-11-17T15:40" -> "2026-11-17 15:40"."""
    return value.replace("T", " ")


def publishers_line(story: Story) -> str:
    n = story.publishers
    if n == 1:
        return "Single source: only one outlet reports this."
    return f"Reported by {n} independent outlets."
