"""The offline engine: an extractive writer that needs no model and no network.

It scores every source sentence by how central it is to the whole set of articles, how many
outlets state it, and how early it comes in its article; then picks a lede and body
sentences greedily, skipping anything too similar to what is already chosen, until the word
budget is met. Sentences are used as written. The only edit allowed is dropping a leading
connective ("However, ..."), which removes no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..align import Aligner
from ..models import Article, Citation, Story, StorySentence
from ..textutil import word_count
from ..vectors import TermSpace


@dataclass(frozen=True)
class WriteOptions:
    """What the writer aims for."""

    words: int = 250  # target length of lede + body
    # Two sentences with TF-IDF cosine above this say largely the same thing.
    redundancy: float = 0.45
    # A sentence "is stated" by another outlet when one of its sentences is this similar.
    corroboration: float = 0.35
    min_words: int = 8
    max_words: int = 55


_CONNECTIVE = re.compile(
    r"^(however|but|meanwhile|also|and|yet|still|moreover|furthermore|additionally|"
    r"in addition|separately|instead|nevertheless|nonetheless|then|so)\b,?\s+",
    re.IGNORECASE,
)
# Openers whose referent would be outside the story.
_DANGLING = re.compile(
    r"^(he|she|they|it|this|that|these|those|his|her|their|its|the two|both|such|there)\b",
    re.IGNORECASE,
)


def trim(text: str) -> str:
    """Drop a leading connective; the rest of the sentence is kept verbatim."""
    m = _CONNECTIVE.match(text)
    if m and len(text) > m.end():
        text = text[m.end() :]
        text = text[0].upper() + text[1:]
    return text


def _usable(text: str, options: WriteOptions) -> bool:
    n = word_count(text)
    if not options.min_words <= n <= options.max_words:
        return False
    if text.rstrip().endswith(("?", ":")) or not text.rstrip()[-1:] in {
        ".",
        '"',
        "\u201d",
        "!",
        "'",
    }:
        return False
    return not _DANGLING.match(trim(text))


def write_story(articles: list[Article], options: WriteOptions | None = None) -> Story:
    """Write one story from articles about one event."""
    options = options or WriteOptions()
    aligner = Aligner(articles)
    items = aligner.items
    texts = [i.sentence.text for i in items]
    space = aligner.space
    m = space.matrix(texts)

    # Centroid with each article weighted equally, so a long article does not dominate.
    art_index = np.array([articles.index(i.article) for i in items])
    per_article = [
        m[art_index == k].mean(axis=0) for k in range(len(articles)) if (art_index == k).any()
    ]
    centroid = np.mean(per_article, axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    centrality = m @ centroid

    sim = m @ m.T
    corroborated = np.zeros(len(items))
    for k in range(len(articles)):
        cols = art_index == k
        if cols.any():
            corroborated += (sim[:, cols].max(axis=1) >= options.corroboration) & (art_index != k)

    positions = np.array([i.sentence.index for i in items], dtype=np.float32)
    position_weight = 1.0 / np.sqrt(1.0 + positions / 2.0)
    score = centrality * (1.0 + 0.5 * corroborated) * position_weight

    usable = np.array([_usable(t, options) for t in texts])
    score = np.where(usable, score, -1.0)

    nums = [i.numbers for i in items]

    def redundant(k: int, chosen: list[int]) -> bool:
        # Same wording, or the same figures in much the same words, is the same fact.
        for j in chosen:
            if sim[k, j] >= options.redundancy:
                return True
            if sim[k, j] >= options.redundancy / 2 and len(nums[k] & nums[j]) >= 2:
                return True
        return False

    chosen: list[int] = []
    budget = options.words
    used = 0
    # Lede: an article's opening sentence (where reporters put who/what/when/where), the one
    # most central to the whole set and most corroborated.
    openers = [
        k
        for k in range(len(items))
        if score[k] > 0 and positions[k] <= 1 and word_count(texts[k]) >= 15
    ]
    if openers:
        lede = max(
            openers,
            key=lambda k: (
                centrality[k] * (1.0 if positions[k] == 0 else 0.6),
                -k,
            ),
        )
        chosen.append(lede)
        used += word_count(texts[lede])
    for k in np.argsort(-score):
        k = int(k)
        if score[k] <= 0 or used >= budget:
            break
        if k in chosen or redundant(k, chosen):
            continue
        n = word_count(texts[k])
        if used + n > budget * 1.1 and used >= budget * 0.85:
            continue
        chosen.append(k)
        used += n
    if not chosen:  # every sentence failed the filters: fall back to the most central one
        chosen = [int(np.argmax(centrality))]

    lede, body = chosen[0], chosen[1:]
    # Reading order for the body: where the facts come in the articles that report them.
    rel_pos = {k: positions[k] / max(1, len(items[k].article.sentences)) for k in body}
    body.sort(key=lambda k: (rel_pos[k], -score[k]))

    def story_sentence(k: int, section: str, paragraph: int) -> StorySentence:
        text = trim(texts[k])
        cites = aligner.supporting(text)
        own = items[k].citation
        if own not in cites:
            cites.insert(0, own)
        return StorySentence(text, section, cites, paragraph)

    sentences = [story_sentence(lede, "lede", 0)]
    for n, k in enumerate(body):
        sentences.append(story_sentence(k, "body", 1 + n // 2))

    headline = _headline(articles, aligner, centroid, space)
    return Story(headline=headline, sentences=sentences, articles=articles, engine="offline")


def _headline(
    articles: list[Article], aligner: Aligner, centroid: np.ndarray, space: TermSpace
) -> StorySentence:
    """The most central article title that the source sentences support."""
    titles = [a.page.title for a in articles if a.page.title]
    if not titles:
        return StorySentence(articles[0].sentences[0].text, "headline", [aligner.items[0].citation])
    tm = space.matrix(titles)
    order = np.argsort(-(tm @ centroid))
    best: tuple[float, str, list[Citation]] | None = None
    for k in order:
        title = titles[int(k)]
        support = aligner.supporting(title, min_recall=0.5)
        scored = (len(support) > 0, float(tm[int(k)] @ centroid))
        if support and (best is None or scored > (True, best[0])):
            best = (scored[1], title, support)
    if best is None:
        title = titles[int(order[0])]
        scored_list = aligner.scored(title)
        return StorySentence(title, "headline", [scored_list[0][1].citation] if scored_list else [])
    return StorySentence(best[1], "headline", best[2])
