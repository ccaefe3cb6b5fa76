"""Group articles into events: one cluster = what several outlets report about one event.

Incremental single pass: articles are taken in publication order and each is compared with
the centroids of the clusters so far (not with every article), so the cost grows linearly
with the stream for a bounded number of open clusters. An article joins the most similar
cluster when the similarity clears ``threshold`` and its date falls inside the cluster's
event window; otherwise it opens a new cluster.

Similarity mixes content (TF-IDF cosine of title + opening sentences) with named entities
(people, places, organisations written with capitals), because two earthquakes share their
vocabulary but not their places, and two reports of one event may share few words but name
the same people.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from .models import Article
from .textutil import STOPWORDS, normalize
from .vectors import TermSpace


@dataclass(frozen=True)
class ClusterOptions:
    threshold: float = 0.3
    entity_weight: float = 0.4
    window: timedelta = timedelta(days=3)
    lead_sentences: int = 12


@dataclass
class Cluster:
    members: list[int] = field(default_factory=list)
    vector: np.ndarray | None = None  # sum of member vectors
    entities: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None


_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+)*|[A-Z]{2,})\b")
_MONTHS_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday".split()
)


def entities(text: str) -> set[str]:
    """Capitalised names in running text (sentence-initial words excluded)."""
    found: set[str] = set()
    for para in normalize(text).split(". "):
        for m in _ENTITY.finditer(para):
            name = m.group(1).lower()
            if name not in STOPWORDS and name not in _MONTHS_DAYS and len(name) > 2:
                found.add(name)
    return found


def article_text(article: Article, lead: int) -> str:
    lead_text = " ".join(s.text for s in article.sentences[:lead])
    return f"{article.page.title}. {article.page.title}. {lead_text}"


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=None) if dt.tzinfo is None else dt.astimezone(tz=None).replace(tzinfo=None)


def cluster_articles(articles: list[Article], options: ClusterOptions | None = None) -> list[list[int]]:
    """Indices of ``articles`` grouped into events, largest first (ties by first member)."""
    options = options or ClusterOptions()
    if not articles:
        return []
    texts = [article_text(a, options.lead_sentences) for a in articles]
    space = TermSpace(texts)
    vecs = space.matrix(texts)
    ents = [entities(a.page.title + ". " + a.page.text) for a in articles]
    dates = [parse_date(a.page.published) for a in articles]
    order = sorted(range(len(articles)), key=lambda i: (dates[i] or datetime.max, i))

    clusters: list[Cluster] = []
    for i in order:
        best, best_score = None, options.threshold
        for c in clusters:
            if dates[i] and c.first and c.last and not (
                c.first - options.window <= dates[i] <= c.last + options.window
            ):
                continue
            assert c.vector is not None
            centroid = c.vector / (np.linalg.norm(c.vector) or 1.0)
            content = float(vecs[i] @ centroid)
            shared = [e for e in ents[i] if c.entities[e] > 0]
            ent = len(shared) / max(1, min(len(ents[i]), 12))
            score = (1 - options.entity_weight) * content + options.entity_weight * min(1.0, ent)
            if score > best_score:
                best, best_score = c, score
        if best is None:
            best = Cluster(vector=np.zeros(vecs.shape[1], dtype=np.float32))
            clusters.append(best)
        best.members.append(i)
        assert best.vector is not None
        best.vector = best.vector + vecs[i]
        best.entities.update(ents[i])
        if dates[i]:
            best.first = min(filter(None, [best.first, dates[i]]))
            best.last = max(filter(None, [best.last, dates[i]]))
    groups = [sorted(c.members) for c in clusters]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups
