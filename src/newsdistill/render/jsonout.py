"""The JSON form of a digest. Versioned and documented in docs/json-format.md.

Bump ``SCHEMA_VERSION`` on any change that could break a reader; adding keys is allowed
without a bump.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..models import Article, Citation, Digest, Dropped, Story, StorySentence, Verdict

SCHEMA_VERSION = 1


def citation(c: Citation) -> dict[str, str]:
    return {"article": c.article, "sentence": c.sentence}


def verdict(v: Verdict | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "label": v.label,
        "score": round(v.score, 3),
        "reason": v.reason,
        "evidence": [
            {**citation(e.citation), "text": e.text, "score": round(e.score, 3)} for e in v.evidence
        ],
    }


def story_sentence(s: StorySentence) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": s.text,
        "section": s.section,
        "paragraph": s.paragraph,
        "citations": [citation(c) for c in s.citations],
    }
    if s.verdict is not None:
        out["verdict"] = verdict(s.verdict)
    return out


def article(a: Article) -> dict[str, Any]:
    p = a.page
    return {
        "id": a.id,
        "source": p.source,
        "title": p.title,
        "outlet": p.outlet,
        "outlets": a.outlets,
        "byline": p.byline,
        "published": p.published,
        "url": p.url,
        "path": p.path,
        "copies": [
            {
                "source": c.source,
                "title": c.title,
                "outlet": c.outlet,
                "published": c.published,
                "url": c.url,
                "path": c.path,
            }
            for c in a.copies
        ],  # fmt: skip
        "sentences": [
            {"id": s.id, "text": s.text, "start": s.start, "end": s.end} for s in a.sentences
        ],
    }


def dropped(d: Dropped) -> dict[str, Any]:
    return {"text": d.text, "section": d.section, "reason": d.reason,
            "citations": [citation(c) for c in d.citations]}  # fmt: skip


def cites(cs: Iterable[Citation]) -> list[dict[str, str]]:
    return [citation(c) for c in cs]


def story(s: Story) -> dict[str, Any]:
    return {
        "headline": s.headline.text,
        "headline_citations": cites(s.headline.citations),
        "dateline": s.dateline,
        "engine": s.engine,
        "publishers": s.publishers,
        "single_source": s.single_source,
        "sentences": [story_sentence(x) for x in s.sentences],
        "key_facts": [{"text": f.text, "citations": cites(f.citations)} for f in s.key_facts],
        "quotes": [
            {
                "quote": q.quote,
                "speaker": q.speaker,
                "outlet": q.outlet,
                "citations": cites(q.citations),
            }
            for q in s.quotes
        ],
        "discrepancies": [
            {
                "about": d.about,
                "claims": [{"text": c.text, "citations": cites(c.citations)} for c in d.claims],
            }
            for d in s.discrepancies
        ],
        "timeline": [
            {"date": t.date, "text": t.text, "citations": cites(t.citations)} for t in s.timeline
        ],
        "notes": list(s.notes),
        "dropped": [dropped(d) for d in s.dropped],
        "articles": [article(a) for a in s.articles],
    }


def to_dict(d: Digest) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "stories": [story(s) for s in d.stories],
        "unclustered": [
            {"id": a.id, "source": a.page.source, "title": a.page.title} for a in d.unclustered
        ],
        "skipped": [{"source": s.source, "reason": s.reason} for s in d.skipped],
    }


def render_json(d: Digest) -> str:
    return json.dumps(to_dict(d), ensure_ascii=False, indent=2) + "\n"
