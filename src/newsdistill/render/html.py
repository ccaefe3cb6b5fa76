"""A self-contained HTML page (no assets from other hosts); everything from a source is
escaped by Jinja2's autoescaping, and only http(s) links are rendered as links."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..models import Citation, Digest, Story, StorySentence
from .common import (
    NOTICE,
    SECTION_TITLES,
    marks,
    numbered_sources,
    paragraphs,
    publishers_line,
    timeline_date,
)


def safe_url(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("newsdistill", "render/templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(digest: Digest) -> str:
    return (
        _env()
        .get_template("digest.html")
        .render(
            stories=[story_view(s) for s in digest.stories],
            notice=NOTICE,
            skipped=digest.skipped,
            unclustered=digest.unclustered,
        )
    )


def story_view(story: Story) -> dict[str, Any]:
    """Everything the template shows for one story, with footnote numbers and evidence."""
    sources = numbered_sources(story)
    numbers = {e.article.id: e.number for e in sources}
    by_id = {a.id: a for a in story.articles}

    def evidence(cites: Iterable[Citation]) -> list[dict[str, Any]]:
        out = []
        for c in cites:
            a = by_id.get(c.article)
            if a is None:
                continue
            try:
                text = a.sentence(c.sentence).text
            except KeyError:
                continue
            out.append({"outlet": a.page.outlet, "text": text, "number": numbers[a.id],
                        "id": c.sentence, "url": safe_url(a.page.url)})  # fmt: skip
        return out

    def sentence(s: StorySentence) -> dict[str, Any]:
        verdict = s.verdict.label if s.verdict else None
        return {"text": s.text, "marks": marks(s, numbers), "section": s.section,
                "evidence": evidence(s.citations), "verdict": verdict}  # fmt: skip

    def cited(text: str, cites: Iterable[Citation], **extra: Any) -> dict[str, Any]:
        cites = list(cites)
        return {"text": text, "marks": marks(cites, numbers), "evidence": evidence(cites), **extra}

    return {
        "headline": story.headline.text,
        "dateline": story.dateline,
        "publishers": publishers_line(story),
        "single_source": story.single_source,
        "paragraphs": [[sentence(s) for s in para] for para in paragraphs(story)],
        "sections": [
            {"title": title, "paragraphs": [[sentence(s) for s in p] for p in paras]}
            for section, title in SECTION_TITLES.items()
            if (paras := paragraphs(story, (section,)))
        ],
        "key_facts": [cited(f.text, f.citations) for f in story.key_facts],
        "quotes": [
            cited(q.quote, q.citations, speaker=q.speaker, outlet=q.outlet) for q in story.quotes
        ],
        "discrepancies": [
            {"about": d.about, "claims": [cited(c.text, c.citations) for c in d.claims]}
            for d in story.discrepancies
        ],
        "timeline": [
            cited(t.text, t.citations, date=timeline_date(t.date)) for t in story.timeline
        ],
        "sources": [
            {
                "number": e.number,
                "outlet": e.article.page.outlet,
                "title": e.article.page.title,
                "published": e.article.page.published,
                "url": safe_url(e.article.page.url),
                "path": e.article.page.path,
                "copies": [c.outlet or c.source for c in e.article.copies],
            }
            for e in sources
        ],  # fmt: skip
    }
