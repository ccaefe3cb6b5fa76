"""Markdown: the default on a terminal. Citations are numbered footnotes to the source list."""

from __future__ import annotations

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
    meta = [f"**{_md_escape(story.dateline)}**"] if story.dateline else []
    out.append(" — ".join([*meta, f"*{publishers_line(story)}*"]))
    out.append("")
    for para in paragraphs(story):
        out.append(" ".join(f"{_md_escape(s.text)}{ref(marks(s, numbers))}" for s in para))
        out.append("")
    for section, title in SECTION_TITLES.items():
        paras = paragraphs(story, (section,))
        if paras:
            out += [f"### {title}", ""]
            for para in paras:
                out.append(" ".join(f"{_md_escape(s.text)}{ref(marks(s, numbers))}" for s in para))
                out.append("")
    if story.key_facts:
        out += ["### Key facts", ""]
        out += [
            f"- {_md_escape(f.text)}{ref(marks(f.citations, numbers))}" for f in story.key_facts
        ]
        out.append("")
    if story.quotes:
        out += ["### Quotes", ""]
        for q in story.quotes:
            who = _md_escape(q.speaker or "Unnamed speaker")
            out.append(
                f"> \u201c{_md_escape(q.quote)}\u201d — {who} ({_md_escape(q.outlet or '')}){ref(marks(q.citations, numbers))}"
            )
            out.append("")
    if story.discrepancies:
        out += ["### Reports differ", ""]
        for d in story.discrepancies:
            sides = "; ".join(
                f"{_md_escape(c.text)}{ref(marks(c.citations, numbers))}" for c in d.claims
            )
            out.append(f"- **{_md_escape(d.about)}:** {sides}")
        out.append("")
    if story.timeline:
        out += ["### Timeline", ""]
        out += [
            f"- {timeline_date(t.date)} — {_md_escape(t.text)}{ref(marks(t.citations, numbers))}"
            for t in story.timeline
        ]
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
        render_story(s, prefix=f"{i}." if many else "")
        for i, s in enumerate(digest.stories, start=1)
    ]
    tail: list[str] = []
    if digest.unclustered:
        tail += ["## Articles that joined no story", ""]
        tail += [
            f"- {_md_escape(a.page.title)} ({_md_escape(a.page.source)})"
            for a in digest.unclustered
        ]
        tail.append("")
    if digest.skipped:
        tail += ["## Skipped sources", ""]
        tail += [f"- {_md_escape(s.source)}: {_md_escape(s.reason)}" for s in digest.skipped]
        tail.append("")
    return "\n---\n\n".join(parts) + ("\n" + "\n".join(tail) if tail else "")
