"""Read the JSON form of a story back into a ``models.Story``: the inverse of
``render.jsonout.story``, so a stored story (``store.Store.version``) can be shown by every
renderer (HTML, Markdown, text) and served by the web app.

What the JSON form does not keep comes back as follows: an article's ``Page.text`` is its
sentences joined by spaces (the JSON keeps sentences, not the cleaned text), a sentence's
``paragraph`` is 0 and its ``index`` is its position, ``Page.dateline`` is ``None``, and
the headline has no verdict (``jsonout`` does not write one). Verdict scores come back
rounded to 3 decimals, as written. The rest of the
story (sentences, citations, verdicts, key facts, quotes, discrepancies, timeline,
notes, dropped sentences, copies) round-trips exactly: ``jsonout.story(story_from_dict(d))
== d`` for any ``d`` that ``jsonout.story`` wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..models import (
    Article,
    Citation,
    Claim,
    Copy,
    Discrepancy,
    Dropped,
    Evidence,
    Fact,
    Page,
    Quote,
    Sentence,
    Story,
    StorySentence,
    TimelineEntry,
    Verdict,
)


def _cites(items: Iterable[Mapping[str, str]]) -> tuple[Citation, ...]:
    return tuple(Citation(c["article"], c["sentence"]) for c in items)


def _verdict(v: Mapping[str, Any] | None) -> Verdict | None:
    if not v:
        return None
    evidence = tuple(
        Evidence(Citation(e["article"], e["sentence"]), e["text"], float(e["score"]))
        for e in v.get("evidence", [])
    )
    return Verdict(v["label"], float(v["score"]), v.get("reason", ""), evidence)


def _sentence(s: Mapping[str, Any]) -> StorySentence:
    return StorySentence(
        text=s["text"],
        section=s["section"],
        citations=list(_cites(s.get("citations", []))),
        paragraph=int(s.get("paragraph", 0)),
        verdict=_verdict(s.get("verdict")),
    )


def article_from_dict(a: Mapping[str, Any]) -> Article:
    """One article of the JSON form as an ``Article`` (see the module notes on what is lost)."""
    sentences = [
        Sentence(s["id"], s["text"], int(s["start"]), int(s["end"]), 0, n)
        for n, s in enumerate(a.get("sentences", []))
    ]
    page = Page(
        source=a.get("source") or a.get("url") or a["id"],
        title=a.get("title") or "",
        text=" ".join(s.text for s in sentences),
        outlet=a.get("outlet"),
        byline=a.get("byline"),
        published=a.get("published"),
        url=a.get("url"),
        path=a.get("path"),
    )
    copies = [
        Copy(
            c.get("source", ""),
            c.get("title", ""),
            c.get("outlet"),
            c.get("published"),
            c.get("url"),
            c.get("path"),
        )
        for c in a.get("copies", [])
    ]
    return Article(a["id"], page, sentences, copies)


def story_from_dict(d: Mapping[str, Any]) -> Story:
    """A ``Story`` from its JSON form (``render.jsonout.story``). Keys added by later schema
    versions are ignored; keys an older writer did not write get their defaults.

    Raises ``KeyError`` when a required key (``headline``, an article's ``id``, a sentence's
    ``text``...) is missing.
    """
    return Story(
        headline=StorySentence(
            d["headline"],
            "headline",
            list(_cites(d.get("headline_citations", []))),
            verdict=_verdict(d.get("headline_verdict")),  # not written by schema version 1
        ),
        sentences=[_sentence(s) for s in d.get("sentences", [])],
        articles=[article_from_dict(a) for a in d.get("articles", [])],
        engine=d.get("engine", "offline"),
        dropped=[
            Dropped(x["text"], x["section"], x.get("reason", ""), _cites(x.get("citations", [])))
            for x in d.get("dropped", [])
        ],
        dateline=d.get("dateline"),
        key_facts=[Fact(f["text"], _cites(f.get("citations", []))) for f in d.get("key_facts", [])],
        quotes=[
            Quote(q["quote"], q.get("speaker"), q.get("outlet"), _cites(q.get("citations", [])))
            for q in d.get("quotes", [])
        ],
        discrepancies=[
            Discrepancy(
                x["about"],
                tuple(Claim(c["text"], _cites(c.get("citations", []))) for c in x["claims"]),
            )
            for x in d.get("discrepancies", [])
        ],
        timeline=[
            TimelineEntry(t["date"], t["text"], _cites(t.get("citations", [])))
            for t in d.get("timeline", [])
        ],
        notes=list(d.get("notes", [])),
    )
