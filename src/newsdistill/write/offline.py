"""The offline engine: an extractive writer that needs no model and no network.

It scores every source sentence by how central it is to the whole set of articles (or, with
a query, how relevant it is to the question), how many outlets state it, and how early it
comes in its article; then picks a lede and body sentences greedily, skipping anything too
similar to what is already chosen, until the word budget is met. A query story discounts
candidates close to what it already says (other sub-points first) and asks the verifier about
each pick, so nothing it would withhold takes a slot. Sentences are used as
written; the only edit is dropping a leading connective ("However, ..."), which removes no
fact. Around the body it adds the dateline, key facts, quotes and timeline (write/anatomy.py),
all verbatim source spans with citations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..align import Aligner
from ..clean import _DATELINE
from ..errors import NothingToWrite
from ..models import Article, Discrepancy, Story, StorySentence
from ..textutil import content_terms, numbers, word_count
from . import anatomy, register


@dataclass(frozen=True)
class WriteOptions:
    """What the writer aims for."""

    words: int = 250  # target length of the story text (lede, body, background, what's next)
    query: str | None = None  # write a story focused on this question
    # Two sentences with TF-IDF cosine above this say largely the same thing (checked by eye
    # on the bundled samples: paraphrases of one fact across outlets score 0.35-0.6).
    redundancy: float = 0.45
    # A sentence "is stated" by another outlet when one of its sentences is this similar.
    corroboration: float = 0.35
    min_words: int = 8
    max_words: int = 55
    pool: int = 400  # candidates considered in detail; bounds the cost on 100-article sets


_CONNECTIVE = re.compile(
    r"^(however|but|meanwhile|also|and|yet|still|moreover|furthermore|additionally|"
    r"in addition(?! to\b)|separately|instead|nevertheless|nonetheless|then|so)\b,?\s+",
    re.IGNORECASE,
)
# Openers whose referent would be outside the story.
_DANGLING = re.compile(
    r"^(he|she|they|it|this|that|these|those|his|her|their|its|the two|both|such|there|"
    r"the (?:same|latter|former))\b",
    re.IGNORECASE,
)
_CLICKBAIT = re.compile(
    r"(\?|!|\b(you won't believe|what we know|here's|here is|live:|watch:|video:|explained|"
    r"opinion|analysis:|everything you need)\b)",
    re.IGNORECASE,
)


def trim(text: str) -> str:
    """Drop a leading connective, or a source's dateline left on its first sentence (the
    story has its own); the rest of the sentence is kept verbatim."""
    d = _DATELINE.match(text)
    if d and len(text) > d.end():
        text = text[d.end() :]
    m = _CONNECTIVE.match(text)
    if m and len(text) > m.end():
        text = text[m.end() :]
        text = text[0].upper() + text[1:]
    return text


def usable(text: str, options: WriteOptions) -> bool:
    """Whether a source sentence can stand in a story on its own."""
    n = word_count(text)
    if not options.min_words <= n <= options.max_words:
        return False
    end = text.rstrip()[-1:]
    if end not in {".", '"', "\u201d", "!", "'"}:
        return False
    if text.count('"') % 2 or text.count("\u201c") != text.count("\u201d"):
        return False  # a quotation cut by the splitter
    return not _DANGLING.match(trim(text))


@dataclass
class _Scored:
    aligner: Aligner
    texts: list[str]
    m: Any  # CSR matrix of sentence TF-IDF rows
    score: np.ndarray
    focus: np.ndarray  # centrality, or relevance to the query
    positions: np.ndarray
    pool: np.ndarray  # candidate indices, best first
    sim: np.ndarray  # pool x pool cosine similarities
    corroborated: np.ndarray
    # Per candidate: the sentences of other articles that state the same claim (query
    # stories only; empty lists otherwise). They are cited with it and never chosen after it.
    support: list[list[int]] = field(default_factory=list)
    cite: list[list[int]] = field(default_factory=list)  # the same, at the citation threshold


_ATTRIBUTED = re.compile(r"\b(said|says|according to|reported|told|estimated?s?|counted)\b", re.I)


def _disputed_values(discrepancies: list[Discrepancy]) -> set[str]:
    """The figures the sources disagree on ("12", "15"), as ``numbers`` writes them."""
    out: set[str] = set()
    for d in discrepancies:
        head = d.about.split()[0] if d.about else ""
        for c in d.claims:
            # The value is the number written just before what is disputed ("15 people").
            m = re.search(rf"(\S+)\s+{re.escape(head)}\b", c.text) if head else None
            out |= numbers(m.group(1)) if m else set()
    return out


def _score(articles: list[Article], options: WriteOptions, contested: set[str]) -> _Scored:
    aligner = Aligner(articles)
    items = aligner.items
    texts = [i.sentence.text for i in items]
    m = aligner.space.sparse_matrix(texts)
    starts = np.array([0] + list(np.cumsum([len(a.sentences) for a in articles])[:-1]))
    art_index = np.repeat(np.arange(len(articles)), [len(a.sentences) for a in articles])
    positions = np.array([i.sentence.index for i in items], dtype=np.float32)
    # A disputed figure may appear only with its attribution; the discrepancy box shows both.
    # A query story asks the verifier about each candidate it picks, which tells a side of a
    # dispute from the same figure said of something else; this coarser filter would also
    # refuse the latter (on SummHay a third of the insights carry a figure some dispute uses).
    if options.query:
        contested = set()
    ok = np.array(
        [
            usable(t, options) and (not numbers(t) & contested or bool(_ATTRIBUTED.search(t)))
            for t in texts
        ]
    )
    if options.query:
        return _score_query(articles, options, aligner, texts, m, ok, positions, art_index)

    # Centroid with each article weighted equally, so a long article does not dominate.
    per_article = np.vstack(
        [
            np.asarray(m[s : s + len(a.sentences)].mean(axis=0))
            for s, a in zip(starts, articles, strict=True)
            if a.sentences
        ]
    )
    centroid = per_article.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    focus = np.asarray(m @ centroid).ravel()
    position_weight = 1.0 / np.sqrt(1.0 + positions / 2.0)
    prelim = np.where(ok, focus * position_weight, -1.0)
    pool = np.array([k for k in np.argsort(-prelim)[: options.pool] if prelim[k] > 0], dtype=int)
    if len(pool) == 0:
        pool = np.array([int(np.argmax(focus))])
    sim_all = np.asarray((m[pool] @ m.T).todense())
    # How many other outlets state each candidate: the best match per article.
    per_art = (
        np.maximum.reduceat(sim_all, starts, axis=1)
        if len(articles) > 1
        else np.zeros((len(pool), 1))
    )
    own = art_index[pool]
    hits = per_art >= options.corroboration
    hits[np.arange(len(pool)), own] = False
    corroborated = hits.sum(axis=1).astype(np.float32)
    sim_pool = sim_all[:, pool]
    score = focus[pool] * position_weight[pool]
    score = score * (1.0 + 0.5 * np.log2(1.0 + corroborated))
    order = np.argsort(-score)
    pool, score, corroborated = pool[order], score[order], corroborated[order]
    sim = sim_pool[order][:, order]
    return _Scored(aligner, texts, m, score, focus, positions, pool, sim, corroborated)


# --- query stories ---------------------------------------------------------------------------
# ``write --query`` over a large pile of articles. The constants below were tuned on SummHay
# news (bench/bench_summhay.py), on the first 3 queries of each of the 5 haystacks only (15 of
# 42); the other 27 queries are held out and reported apart by the benchmark.

# Two sentences state the same claim when their cosine on specific terms (beyond the question
# and the set's common words) reaches this; such paraphrases count as one claim, chosen once.
# (SummHay calibration joint: 0.3 -> 33.7, 0.4 -> 36.7, 0.5 -> 42.0, 0.6 -> 40.0.)
CLAIM_SIM = 0.5
# An article is cited for a claim when one of its sentences is this close to it on specific
# terms: a looser bar than for grouping, since citing raises recall more than it costs
# precision (calibration citation P/R: 0.5 -> 90/69, 0.4 -> 88/77, 0.3 -> 79/83).
CITE_SIM = 0.4
QUERY_POOL = 600  # candidates ranked in detail (relevance x specificity)
PARA_SHARE = 0.5  # share of a sentence's relevance that comes from its paragraph (0: 30.5)
POS_SCALE = 10.0  # position weight 1/sqrt(1 + index/POS_SCALE): the top of an article counts more
COMMON_SHARE = 0.25  # a term in this share of the articles or more is the topic's, not specific
# ... and in at least this many: in a small pile every fact is in most articles.
COMMON_MIN = 10
REL_FLOOR = 0.15  # a claim needs this share of the best claim's relevance (0.3: SummHay calibration joint -4)
RESTATED = 0.4  # cosine on all terms at which two candidates restate one thing
# How much a candidate's specific-term cosine to the closest chosen sentence discounts it
# (maximal marginal relevance). SummHay calibration joint 57.5 without; 0.3 -> 58.2,
# 0.5 -> 58.9, 0.7 -> 58.8, 1.0 -> 57.9.
DIVERSITY = 0.5


def _score_query(
    articles: list[Article],
    options: WriteOptions,
    aligner: Aligner,
    texts: list[str],
    m: Any,
    ok: np.ndarray,
    positions: np.ndarray,
    art_index: np.ndarray,
) -> _Scored:
    """Candidates for a story answering ``options.query``: relevant to the question, specific
    (not a restatement of the question or of the topic), and stated by several articles.

    Sentences that state the same claim in different words form one claim; the claim counts
    as corroborated by every article that states it, is chosen once, and cites them all.
    """
    assert options.query
    q = aligner.space.sparse_matrix([options.query])
    rel = np.asarray((m @ q.T).todense()).ravel()
    # Pseudo-relevance feedback: the vocabulary of the best-matching sentences widens a
    # short question ("what did regulators do?") to the words the articles use for it.
    # Weighted by their match and only from sentences that match at all: in a small pile the
    # top 30 would be every sentence, and the question would drift to the whole pile's topic.
    top = [k for k in np.argsort(-rel)[:30] if rel[k] > 0]
    feedback = np.asarray(m[top].T @ rel[top]).ravel() if top else np.zeros(m.shape[1])
    feedback /= np.linalg.norm(feedback) or 1.0
    fb = np.asarray(m @ feedback).ravel()
    focus = 0.5 * rel / (rel.max() or 1.0) + 0.5 * fb / (fb.max() or 1.0)
    # A paragraph is about one thing: the sentences after one that names the subject carry
    # the details ("X is revamping its loyalty program. Members will get ..."). A sentence
    # takes part of the relevance of the most relevant sentence of its paragraph.
    paragraphs: dict[tuple[str, int], int] = {}
    group = np.array(
        [paragraphs.setdefault((i.article.id, i.sentence.paragraph), len(paragraphs))
         for i in aligner.items],
        dtype=int,
    )  # fmt: skip
    para_max = np.zeros(len(paragraphs), dtype=np.float64)
    np.maximum.at(para_max, group, focus)
    focus = (1.0 - PARA_SHARE) * focus + PARA_SHARE * para_max[group]
    position_weight = 1.0 / np.sqrt(1.0 + positions / POS_SCALE)
    # In a large set about one topic, the sentences closest to a question are often ones
    # that merely restate it. Reward what a sentence adds beyond the topic's common
    # vocabulary (and the question's), and judge repetition on that part only.
    spec, specific = _specific(m, articles, aligner, options.query)
    prelim = np.where(ok, focus * position_weight * (0.25 + spec) ** 2, -1.0)
    pool = np.array([k for k in np.argsort(-prelim)[:QUERY_POOL] if prelim[k] > 0], dtype=int)
    if len(pool) == 0:
        pool = np.array([int(np.argmax(focus))])
    stating = _claim_support(pool, specific, texts, art_index, min(CLAIM_SIM, CITE_SIM))
    support = [[j for j, v in row if v >= CLAIM_SIM] for row in stating]
    cite = [[j for j, v in row if v >= CITE_SIM] for row in stating]
    corroborated = np.array([len(s) for s in support], dtype=np.float32)
    sim_pool = np.asarray((specific[pool] @ specific[pool].T).todense())
    # A claim is as relevant as the articles stating it find it, on average: a figure from
    # another part of the story that one paragraph about the question happens to mention
    # is not pulled in with it.
    crel = np.array([np.mean(focus[[int(k), *sup]]) for k, sup in zip(pool, support, strict=True)])
    score = (
        crel
        * position_weight[pool]
        * (0.25 + spec[pool]) ** 2
        * (1.0 + np.log2(1.0 + corroborated))
    )
    # A claim far less relevant than the best one is about something else in the pile (another
    # event, another part of the topic): a short story beats one padded with it.
    keep = crel >= REL_FLOOR * crel.max()
    keep[int(np.argmax(score))] = True
    order = np.array([k for k in np.argsort(-score, kind="stable") if keep[k]], dtype=int)
    pool, score, corroborated = pool[order], score[order], corroborated[order]
    sim = sim_pool[order][:, order]
    support = [support[k] for k in order]
    cite = [cite[k] for k in order]
    return _Scored(
        aligner, texts, m, score, focus, positions, pool, sim, corroborated, support, cite
    )


def _claim_support(
    pool: np.ndarray, specific: Any, texts: list[str], art_index: np.ndarray, threshold: float
) -> list[list[tuple[int, float]]]:
    """For each candidate, the best sentence of every other article that states the same
    claim, with its similarity: specific-term cosine >= ``threshold`` and, when both give
    figures, the figures of one among the other's (a paraphrase may leave a figure out,
    never change it)."""
    sims = (specific[pool] @ specific.T).tocsr()
    nums: dict[int, set[str]] = {}

    def nums_of(k: int) -> set[str]:
        if k not in nums:
            nums[k] = numbers(texts[k])
        return nums[k]

    out: list[list[tuple[int, float]]] = []
    for r, k in enumerate(pool):
        lo, hi = sims.indptr[r], sims.indptr[r + 1]
        best: dict[int, tuple[float, int]] = {}
        for j, v in zip(sims.indices[lo:hi], sims.data[lo:hi], strict=True):
            a = int(art_index[j])
            if v < threshold or a == art_index[k]:
                continue
            if a not in best or v > best[a][0]:
                best[a] = (float(v), int(j))
        mine = nums_of(int(k))
        found = []
        for v, j in best.values():
            theirs = nums_of(j)
            if mine and theirs and not theirs <= mine and not mine <= theirs:
                continue
            found.append((j, v))
        out.append(sorted(found))
    return out


def _specific(
    m: Any, articles: list[Article], aligner: Aligner, query: str
) -> tuple[np.ndarray, Any]:
    """Share of each sentence's weight on specific terms (not the question's, not in a
    quarter or more of the articles), and the sentence rows restricted to those terms."""
    from collections import Counter

    from scipy import sparse

    df: Counter[str] = Counter()
    for a in articles:
        df.update({t for s in a.sentences for t in content_terms(s.text)})
    floor = max(COMMON_SHARE * len(articles), COMMON_MIN)
    common = {t for t, n in df.items() if n >= floor}
    common |= set(content_terms(query))
    mask = np.ones(m.shape[1], dtype=np.float32)
    for t in common:
        c = aligner.space.vocab.get(t)
        if c is not None:
            mask[c] = 0.0
    kept = (m @ sparse.diags(mask)).tocsr()
    full = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    part = np.asarray(kept.multiply(kept).sum(axis=1)).ravel()
    spec = np.sqrt(part / np.where(full > 0, full, 1.0))
    norms = np.sqrt(part)
    norms[norms == 0] = 1.0
    return spec.astype(np.float32), (sparse.diags(1.0 / norms) @ kept).tocsr()


def write_story(articles: list[Article], options: WriteOptions | None = None) -> Story:
    """Write one story from articles about one event."""
    from ..verify import SourceIndex, story_discrepancies, verify_sentence

    options = options or WriteOptions()
    # An article with no sentences has nothing to tell or cite (and would break the
    # per-article slices below).
    articles = [a for a in articles if a.sentences]
    if not articles:
        raise NothingToWrite("no article has a sentence to write from")
    discrepancies = story_discrepancies(articles)
    contested = _disputed_values(discrepancies)
    sc = _score(articles, options, contested)
    texts, positions, pool, sim = sc.texts, sc.positions, sc.pool, sc.sim
    nums = [numbers(texts[k]) for k in pool]

    claim = [{int(pool[p]), *sc.support[p]} for p in range(len(pool))] if sc.support else []
    # With a query, two sentences close on all their terms (the question's included) restate
    # one thing, even when the few other words they have differ.
    full = np.asarray((sc.m[pool] @ sc.m[pool].T).todense()) if sc.support else np.zeros((0, 0))

    def redundant(p: int, chosen: list[int]) -> bool:
        # Same wording, or the same figures in much the same words, is the same fact.
        for q in chosen:
            if claim and (pool[p] in claim[q] or pool[q] in claim[p] or full[p, q] >= RESTATED):
                return True  # the same claim in other words
            if sim[p, q] >= options.redundancy:
                return True
            shared = len(nums[p] & nums[q])
            if shared >= 2 and sim[p, q] >= 0.1 or shared and sim[p, q] >= options.redundancy / 2:
                return True
        return False

    # A query story picks from hundreds of candidates: ask the verifier about each one as it
    # is chosen, so a sentence it would withhold (one side of a disputed figure, stated as
    # fact) leaves its slot to the next candidate instead of leaving the story short.
    index = SourceIndex.shared(articles) if options.query else None

    def passes(p: int) -> bool:
        return index is None or verify_sentence(trim(texts[pool[p]]), index).label == "supported"

    chosen: list[int] = []  # indices into pool
    budget = options.words
    used = 0
    # Lede: an article's opening sentence (where reporters put who/what/when/where), the one
    # most central to the whole set; with a query, simply the best-scoring sentence.
    if options.query:
        # The candidates are in score order: the best one the verifier accepts.
        openers = [next((p for p in range(len(pool)) if passes(p)), 0)]
    else:
        openers = [
            p
            for p in range(len(pool))
            if positions[pool[p]] <= 1 and word_count(texts[pool[p]]) >= 15
        ]
    if openers:
        lede = max(
            openers,
            key=lambda p: (
                sc.focus[pool[p]] * (1.0 if positions[pool[p]] == 0 or options.query else 0.6),
                -p,
            ),
        )
        chosen.append(lede)
        used += word_count(texts[pool[lede]])
    if options.query:

        def take(p: int) -> bool:
            nonlocal used
            n = word_count(texts[pool[p]])
            if redundant(p, chosen) or used + n > budget * 1.1 or not passes(p):
                return False
            chosen.append(p)
            used += n
            return True

        pick_diverse(sc.score, sim, chosen, take, lambda: used >= budget * 0.95)
    else:
        for p in range(len(pool)):
            if used >= budget * 0.95:
                break
            if p in chosen or redundant(p, chosen):
                continue
            n = word_count(texts[pool[p]])
            if used + n > budget * 1.1:
                continue
            chosen.append(p)
            used += n
    if not chosen:
        chosen = [0]

    story_sentences = _arrange(chosen, sc)
    items = sc.aligner.items
    chosen_at = {items[pool[p]].citation: p for p in chosen}
    for s in story_sentences:
        p = chosen_at[s.citations[0]]
        cites = sc.aligner.supporting(s.text)
        for c in s.citations:
            if c not in cites:
                cites.insert(0, c)
        # Every article that states the claim in its own words is a source of it too.
        if sc.support:
            cites += [items[k].citation for k in sc.cite[p] if items[k].citation not in cites]
        s.citations = cites

    headline = _headline(articles, sc, story_sentences, contested)
    return Story(
        headline=headline,
        sentences=story_sentences,
        articles=articles,
        engine="offline",
        dateline=anatomy.dateline(articles),
        key_facts=anatomy.key_facts(articles, sc.aligner),
        quotes=[
            q
            for q in anatomy.find_quotes(articles, limit=5)
            if not any(q.quote[:40] in s.text for s in story_sentences)
        ][:3],
        timeline=anatomy.timeline(articles, sc.aligner),
        discrepancies=discrepancies,
    )


def pick_diverse(
    score: np.ndarray,
    sim: np.ndarray,
    chosen: list[int],
    take: Callable[[int], bool],
    full: Callable[[], bool],
) -> None:
    """Add candidates to ``chosen`` by maximal marginal relevance until ``full()``.

    A query's answer has several sub-points: after each pick, a candidate counts for less the
    more it resembles a chosen one (``sim``, specific-term cosine), so the next slot goes to
    another sub-point rather than a second detail of the same one. ``take(p)`` adds candidate
    ``p`` when it fits (not a repeat, within budget, verified) and says whether it did; each
    candidate is offered once.
    """
    offered = np.zeros(len(score), dtype=bool)
    offered[chosen] = True
    overlap = sim[:, chosen].max(axis=1) if chosen else np.zeros(len(score))
    while not full() and not offered.all():
        p = int(np.argmax(np.where(offered, -np.inf, score * (1.0 - DIVERSITY * overlap))))
        offered[p] = True
        if take(p):
            overlap = np.maximum(overlap, sim[:, p])


def _arrange(chosen: list[int], sc: _Scored) -> list[StorySentence]:
    """Lede, then body grouped by sub-topic (what happened and details, then reactions),
    then background and what's next; paragraphs of one to three sentences."""
    items, pool = sc.aligner.items, sc.pool
    lede, rest = chosen[0], chosen[1:]
    sections: dict[str, list[int]] = {
        "body": [],
        "reaction": [],
        "background": [],
        "whats_next": [],
    }
    for p in rest:
        text = sc.texts[pool[p]]
        section = anatomy.section_of(text)
        if section == "body" and ('"' in text or "\u201c" in text):
            section = "reaction"
        sections[section].append(p)

    def rel_pos(p: int) -> float:
        k = pool[p]
        return float(sc.positions[k]) / max(1, len(items[k].article.sentences))

    out: list[StorySentence] = []
    lede_item = items[pool[lede]]
    out.append(StorySentence(trim(sc.texts[pool[lede]]), "lede", [lede_item.citation], 0))
    paragraph = 1
    for name in ("body", "reaction", "background", "whats_next"):
        group = sorted(sections[name], key=rel_pos)
        size = 0
        prev: int | None = None
        for p in group:
            # Paragraphs of two sentences; a third only when it continues the same sub-topic.
            if size >= 3 or (size == 2 and prev is not None and sc.sim[p, prev] < 0.15):
                paragraph += 1
                size = 0
            section = "body" if name == "reaction" else name
            out.append(
                StorySentence(
                    trim(sc.texts[pool[p]]), section, [items[pool[p]].citation], paragraph
                )
            )
            size += 1
            prev = p
        if size:
            paragraph += 1
    return out


def _headline(
    articles: list[Article], sc: _Scored, body: list[StorySentence], contested: set[str]
) -> StorySentence:
    """The most central article title whose facts the story states: its numbers all appear
    in the story, and most of its words do. No questions, no clickbait. Without such a
    title, the lede is the headline."""
    story_text = " ".join(s.text for s in body)
    story_terms = set(content_terms(story_text))
    story_numbers = numbers(story_text)
    titles = _title_candidates([a.page.title for a in articles if a.page.title])
    best: tuple[float, str] | None = None
    if titles:
        tm = sc.aligner.space.sparse_matrix(titles)
        centroid_like = np.asarray(sc.m[sc.pool[: min(len(sc.pool), 20)]].mean(axis=0)).ravel()
        centrality = np.asarray(tm @ centroid_like).ravel()
        for k, title in enumerate(titles):
            if _CLICKBAIT.search(title) or len(title.split()) < 4:
                continue
            terms = content_terms(title)
            if not terms or not numbers(title) <= story_numbers or numbers(title) & contested:
                continue
            covered = sc.aligner.space.recall(terms, story_terms)
            if covered < 0.6:
                continue
            value = float(centrality[k]) * covered
            if best is None or value > best[0]:
                best = (value, title)
    if best is not None:
        cites = sc.aligner.supporting(best[1], min_recall=0.5)
        if not cites:
            # The headline's facts are in the story: cite the story sentences' sources.
            cites = [c for s in body for c in s.citations if _shares(best[1], s.text)]
        return StorySentence(best[1], "headline", cites or list(body[0].citations))
    lede = body[0]
    return StorySentence(lede.text, "headline", list(lede.citations))


def _title_candidates(titles: list[str]) -> list[str]:
    """Each title, and each clause of a title written as two ("Fire forces 1,300 from homes;
    12 hurt"): a clause is still the outlet's own words, and it lets the headline keep the
    event when the other clause carries a figure the sources dispute."""
    out: list[str] = []
    for title in titles:
        out.append(title)
        parts = [p.strip() for p in title.split(";")]
        if len(parts) > 1:
            out += [p for p in parts if len(p.split()) >= 4]
    return list(dict.fromkeys(out))


def _shares(a: str, b: str) -> bool:
    return len(set(content_terms(a)) & set(content_terms(b))) >= 2


@register
class OfflineEngine:
    """Extractive, grounded, no model and no network."""

    id = "offline"
    description = "extractive writer; no model, no network (default)"
    refill = True  # cheap to rerun: the pipeline asks again when verification withheld text

    def write(self, articles: list[Article], options: WriteOptions | None = None) -> Story:
        return write_story(articles, options)

    @classmethod
    def available(cls, settings: dict[str, object]) -> tuple[bool, str]:
        return True, "built in"


__all__ = ["OfflineEngine", "WriteOptions", "pick_diverse", "trim", "usable", "write_story"]
