"""Merge near-identical articles (syndicated copies, one wire story on two sites).

Two articles are copies when their word 5-gram shingles overlap heavily: Jaccard >= 0.5, or
the shorter one is >= 0.8 contained in the longer (a copy with a trimmed ending or an added
credit line). Independent reports of one event share facts but rarely five words in a row
more than a few times, so they stay apart.
"""

from __future__ import annotations

from dataclasses import replace

from .models import Article, Copy
from .textutil import normalize

SHINGLE = 5
JACCARD = 0.5
CONTAINMENT = 0.8


def shingles(text: str, n: int = SHINGLE) -> set[int]:
    words = normalize(text).lower().split()
    return {hash(tuple(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def is_copy(a: set[int], b: set[int]) -> bool:
    if not a or not b:
        return False
    inter = len(a & b)
    return inter / len(a | b) >= JACCARD or inter / min(len(a), len(b)) >= CONTAINMENT


def merge_copies(articles: list[Article]) -> list[Article]:
    """Return the articles with copies folded into one primary each.

    The primary is the longest text (the most complete copy); the others become ``Copy``
    entries on it, keeping their outlet, title, date and link. Order follows the primaries'
    input order.
    """
    sigs = [shingles(a.page.text) for a in articles]
    group_of: list[int] = list(range(len(articles)))
    for i in range(len(articles)):
        for j in range(i):
            if group_of[j] == j and is_copy(sigs[i], sigs[j]):
                group_of[i] = j
                break
    groups: dict[int, list[Article]] = {}
    for i, g in enumerate(group_of):
        groups.setdefault(g, []).append(articles[i])
    out: list[Article] = []
    for members in groups.values():
        primary = max(members, key=lambda a: len(a.page.text))
        copies = list(primary.copies)
        for other in members:
            if other is not primary:
                copies.append(_copy_of(other))
                copies.extend(other.copies)
        # A new value: the input articles are left as they were.
        out.append(replace(primary, copies=copies) if len(members) > 1 else primary)
    return out


def _copy_of(a: Article) -> Copy:
    p = a.page
    return Copy(source=p.source, title=p.title, outlet=p.outlet, published=p.published,
                url=p.url, path=p.path)  # fmt: skip
