"""Markdown: the default on a terminal. Citations are numbered footnotes to the source list."""

from __future__ import annotations

from ..models import Digest, Story
from .common import NOTICE, marks, numbered_sources, paragraphs, publishers_line


def _md_escape(text: str) -> str:
    # Source text may contain characters Markdown treats as markup.
    for ch in "\\`*_[]<>":
        text = text.replace(ch, "\\" + ch)
    return text


def render_story(story: Story, prefix: str = "") -> str:
    sources = numbered_sources(story)
    numbers = {e.article.id: e.number for e in sources}

    def ref(ns: list[int]) -> str:
        return "".join(f"[^{prefix}{n}]" for n in ns)

    out = [f"# {_md_escape(story.headline.text)}", ""]
    out.append(f"*{publishers_line(story)}*")
    out.append("")
    for para in paragraphs(story):
        out.append(" ".join(f"{_md_escape(s.text)}{ref(marks(s, numbers))}" for s in para))
        out.append("")
    out.append("## Sources")
    out.append("")
    for e in sources:
        out.append(f"[^{prefix}{e.number}]: {_md_escape(e.line)}")
    out.append("")
    out.append(f"*{NOTICE}*")
    return "\n".join(out) + "\n"


def render_markdown(digest: Digest) -> str:
    many = len(digest.stories) > 1
    parts = [
        render_story(s, prefix=f"{i}." if many else "") for i, s in enumerate(digest.stories, start=1)
    ]
    tail: list[str] = []
    if digest.unclustered:
        tail += ["## Articles that joined no story", ""]
        tail += [f"- {_md_escape(a.page.title)} ({_md_escape(a.page.source)})" for a in digest.unclustered]
        tail.append("")
    if digest.skipped:
        tail += ["## Skipped sources", ""]
        tail += [f"- {_md_escape(s.source)}: {_md_escape(s.reason)}" for s in digest.skipped]
        tail.append("")
    return "\n---\n\n".join(parts) + ("\n" + "\n".join(tail) if tail else "")
