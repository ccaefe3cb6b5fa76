"""What the web site reads from the news desk's store, in the form readers get it.

The stored story JSON (``render.jsonout.story``) keeps every sentence of every source
article and the sentences the verifier refused. Neither is published: ``public_story``
keeps only the source sentences the story cites (the evidence a reader checks), drops local
file paths, and replaces the refused sentences with their count. Pages, feeds and the API
all go through it, so no route can publish more of a source than another.

Saved versions never change, so their public form is cached by (story id, version).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..store import Store
from ..textutil import content_terms

Sort = Literal["latest", "biggest"]


def _citations(d: Mapping[str, Any]) -> Iterable[Mapping[str, str]]:
    """Every citation anywhere in a story's JSON form."""
    yield from d.get("headline_citations", [])
    for s in d.get("sentences", []):
        yield from s.get("citations", [])
    for key in ("key_facts", "quotes", "timeline"):
        for x in d.get(key, []):
            yield from x.get("citations", [])
    for x in d.get("discrepancies", []):
        for c in x.get("claims", []):
            yield from c.get("citations", [])


def public_story(d: Mapping[str, Any]) -> dict[str, Any]:
    """The story JSON as the site publishes it: articles keep only their cited sentences,
    verdict evidence only cited sentences, no ``path``; ``dropped`` becomes
    ``dropped_count``. Everything else is unchanged."""
    cited = {c["sentence"] for c in _citations(d)}
    out = {k: v for k, v in d.items() if k != "dropped"}
    out["dropped_count"] = len(d.get("dropped", []))

    def sentence(s: Mapping[str, Any]) -> dict[str, Any]:
        s2 = dict(s)
        v = s.get("verdict")
        if v:
            s2["verdict"] = {
                **v,
                "evidence": [e for e in v.get("evidence", []) if e["sentence"] in cited],
            }
        return s2

    out["sentences"] = [sentence(s) for s in d.get("sentences", [])]
    out["articles"] = [
        {
            **a,
            "path": None,
            "copies": [{**c, "path": None} for c in a.get("copies", [])],
            "sentences": [s for s in a.get("sentences", []) if s["id"] in cited],
        }
        for a in d.get("articles", [])
    ]
    return out


def lede(d: Mapping[str, Any]) -> str:
    """The lede sentences of a story's JSON form (the first sentence when none is marked)."""
    sentences = d.get("sentences", [])
    text = " ".join(s["text"] for s in sentences if s.get("section") == "lede")
    return text or (sentences[0]["text"] if sentences else "")


def outlets(d: Mapping[str, Any]) -> list[str]:
    """The outlets of the story's articles, in source order, once each. Outlets that only
    republished another's article (syndicated copies) are left out, as in ``publishers``."""
    return list(dict.fromkeys(a["outlet"] for a in d.get("articles", []) if a.get("outlet")))


def _terms(d: Mapping[str, Any]) -> frozenset[str]:
    parts = [d.get("headline", ""), d.get("dateline") or ""]
    parts += [s["text"] for s in d.get("sentences", [])]
    parts += [f["text"] for f in d.get("key_facts", [])]
    for a in d.get("articles", []):
        parts += [a.get("title") or "", *(a.get("outlets") or [])]
    return frozenset(content_terms("\n".join(parts)))


def topic_slug(topic: str) -> str:
    """ "River fire, Ohio" -> "river-fire-ohio": a topic as a file and URL name."""
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:80]


@dataclass(frozen=True)
class Summary:
    """One story as the front page, the feed and ``/api/stories`` list it."""

    id: int
    version: int
    created: str  # when the story was first written (store time, "2026-11-18T14:05:00Z")
    updated: str  # when its latest version was written
    headline: str
    lede: str
    dateline: str | None
    publishers: int  # independent outlets
    single_source: bool
    outlets: list[str]
    articles: int


@dataclass(frozen=True)
class Edition:
    """One saved version of a story, ready to show."""

    id: int
    version: int
    latest: int  # the story's latest version
    created: str  # when the story was first written
    updated: str  # when this version was written
    story: dict[str, Any]  # ``public_story`` of the saved JSON


@dataclass(frozen=True)
class _Loaded:
    story: dict[str, Any]
    terms: frozenset[str]
    created: str


class Newsroom:
    """Read-only view of a store for the site: summaries, editions, versions, search."""

    def __init__(self, store: Store, cache_size: int = 512) -> None:
        self.store = store
        self._cache: OrderedDict[tuple[int, int], _Loaded] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _load(self, story_id: int, version: int) -> _Loaded | None:
        key = (story_id, version)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        saved = self.store.version(story_id, version)
        if saved is None:
            return None
        value = _Loaded(public_story(saved["story"]), _terms(saved["story"]), saved["created"])
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return value

    def summaries(
        self, q: str | None = None, sort: Sort = "latest", limit: int | None = None
    ) -> list[Summary]:
        """Written stories, newest update first (or most outlets first with ``biggest``);
        with ``q``, only stories whose text holds every content word of ``q``."""
        wanted = set(content_terms(q)) if q else set()
        out: list[Summary] = []
        for row in self.store.stories():
            loaded = self._load(row["id"], row["version"])
            if loaded is None:
                continue
            d = loaded.story
            if wanted and not wanted <= loaded.terms:
                continue
            out.append(
                Summary(
                    id=row["id"],
                    version=row["version"],
                    created=row["created"],
                    updated=row["updated"],
                    headline=d["headline"],
                    lede=lede(d),
                    dateline=d.get("dateline"),
                    publishers=int(d.get("publishers", 1)),
                    single_source=bool(d.get("single_source", False)),
                    outlets=outlets(d),
                    articles=len(d.get("articles", [])),
                )
            )
        if sort == "biggest":  # stable: equal sizes stay newest first
            out.sort(key=lambda s: (-s.publishers, -s.articles))
        return out[:limit] if limit else out

    def resolve(self, story_id: int) -> int | None:
        """The id to show for ``story_id`` (a merged story's survivor), or ``None`` when
        there is no such written story."""
        row = self.store.story(story_id)
        if row is None:
            return None
        if row["state"] == "merged":
            story_id = self.store.resolve_story(story_id)
            row = self.store.story(story_id)
        return story_id if row is not None and row["version"] > 0 else None

    def edition(self, story_id: int, version: int | None = None) -> Edition | None:
        """A version of a story (the latest by default), or ``None``."""
        row = self.store.story(story_id)
        if row is None or row["version"] < 1:
            return None
        n = version or int(row["version"])
        if not 1 <= n <= row["version"]:
            return None
        loaded = self._load(story_id, n)
        if loaded is None:
            return None
        return Edition(
            story_id, n, int(row["version"]), row["created"], loaded.created, loaded.story
        )

    def story_of(self, summary: Summary) -> dict[str, Any] | None:
        """The public story JSON of the version a summary lists."""
        loaded = self._load(summary.id, summary.version)
        return loaded.story if loaded else None

    def versions(self, story_id: int) -> list[dict[str, Any]]:
        """Every version of a story, oldest first: version, created, headline, article_ids,
        changes (see ``desk.describe_changes``)."""
        return self.store.versions(story_id)
