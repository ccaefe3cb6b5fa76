"""A self-contained HTML page (no assets from other hosts); everything from a source is
escaped by Jinja2's autoescaping, and only http(s) links are rendered as links."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..models import Digest
from .common import NOTICE, marks, numbered_sources, paragraphs, publishers_line


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
    stories = []
    for story in digest.stories:
        sources = numbered_sources(story)
        numbers = {e.article.id: e.number for e in sources}
        by_id = {a.id: a for a in story.articles}
        paras = [
            [
                {
                    "text": s.text,
                    "marks": marks(s, numbers),
                    "section": s.section,
                    "evidence": [
                        {"outlet": by_id[c.article].page.outlet, "text": by_id[c.article].sentence(c.sentence).text}
                        for c in s.citations
                        if c.article in by_id
                    ],
                }
                for s in para
            ]
            for para in paragraphs(story)
        ]
        stories.append(
            {
                "headline": story.headline.text,
                "publishers": publishers_line(story),
                "paragraphs": paras,
                "sources": [
                    {"number": e.number, "line": e.line, "outlet": e.article.page.outlet,
                     "title": e.article.page.title, "published": e.article.page.published,
                     "url": safe_url(e.article.page.url), "path": e.article.page.path}
                    for e in sources
                ],  # fmt: skip
            }
        )
    return _env().get_template("digest.html").render(
        stories=stories, notice=NOTICE, skipped=digest.skipped, unclustered=digest.unclustered
    )
