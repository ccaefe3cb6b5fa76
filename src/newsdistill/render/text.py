"""Plain text: the story without markup, citations as [n] after each sentence."""

from __future__ import annotations

import textwrap

from ..models import Digest, Story
from .common import (
    NOTICE,
    SECTION_TITLES,
    marks,
    numbered_sources,
    paragraphs,
    publishers_line,
    timeline_date,
)


def render_story(story: Story) -> str:
    sources = numbered_sources(story)
    numbers = {e.article.id: e.number for e in sources}

    def refs(cited: object) -> str:
        return "".join(f"[{n}]" for n in marks(cited, numbers))  # type: ignore[arg-type]

    out = [story.headline.text.upper(), ""]
    out += [" - ".join(x for x in (story.dateline, publishers_line(story)) if x), ""]
    for para in paragraphs(story):
        out += [textwrap.fill(" ".join(s.text + refs(s) for s in para), width=78), ""]
    for section, title in SECTION_TITLES.items():
        paras = paragraphs(story, (section,))
        if paras:
            out += [title.upper(), ""]
            out += [
                textwrap.fill(" ".join(s.text + refs(s) for s in p), width=78) + "\n" for p in paras
            ]
    blocks: list[tuple[str, list[str]]] = [
        ("KEY FACTS", [f"- {f.text}{refs(f.citations)}" for f in story.key_facts]),
        ("QUOTES", [f'- "{q.quote}" - {q.speaker or "unnamed"} ({q.outlet}){refs(q.citations)}' for q in story.quotes]),
        ("REPORTS DIFFER", [f"- {d.about}: " + "; ".join(c.text + refs(c.citations) for c in d.claims) for d in story.discrepancies]),
        ("TIMELINE", [f"- {timeline_date(t.date)}: {t.text}{refs(t.citations)}" for t in story.timeline]),
    ]  # fmt: skip
    for title, lines in blocks:
        if lines:
            out += [title, *(textwrap.fill(x, width=78, subsequent_indent="  ") for x in lines), ""]
    out.append("Sources:")
    out += [f"[{e.number}] {e.line}" for e in sources]
    out += ["", textwrap.fill(NOTICE, width=78)]
    return "\n".join(out) + "\n"


def render_text(digest: Digest) -> str:
    parts = [render_story(s) for s in digest.stories]
    tail: list[str] = []
    if digest.unclustered:
        tail += ["Articles that joined no story:"] + [
            f"- {a.page.title} ({a.page.source})" for a in digest.unclustered
        ]
    if digest.skipped:
        tail += ["Skipped sources:"] + [f"- {s.source}: {s.reason}" for s in digest.skipped]
    return ("\n" + "=" * 78 + "\n\n").join(parts) + ("\n" + "\n".join(tail) + "\n" if tail else "")
