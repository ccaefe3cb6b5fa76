"""Plain text: the story without markup, citations as [n] after each sentence."""

from __future__ import annotations

import textwrap

from ..models import Digest, Story
from .common import NOTICE, marks, numbered_sources, paragraphs, publishers_line


def render_story(story: Story) -> str:
    sources = numbered_sources(story)
    numbers = {e.article.id: e.number for e in sources}
    out = [story.headline.text.upper(), "", publishers_line(story), ""]
    for para in paragraphs(story):
        line = " ".join(s.text + "".join(f"[{n}]" for n in marks(s, numbers)) for s in para)
        out += [textwrap.fill(line, width=78), ""]
    out.append("Sources:")
    out += [f"[{e.number}] {e.line}" for e in sources]
    out += ["", textwrap.fill(NOTICE, width=78)]
    return "\n".join(out) + "\n"


def render_text(digest: Digest) -> str:
    parts = [render_story(s) for s in digest.stories]
    tail: list[str] = []
    if digest.unclustered:
        tail += ["Articles that joined no story:"] + [f"- {a.page.title} ({a.page.source})" for a in digest.unclustered]
    if digest.skipped:
        tail += ["Skipped sources:"] + [f"- {s.source}: {s.reason}" for s in digest.skipped]
    return ("\n" + "=" * 78 + "\n\n").join(parts) + ("\n" + "\n".join(tail) + "\n" if tail else "")
