"""The whole path from sources to stories, composed from the stages.

``distill`` is what ``newsdistill write`` runs: read -> extract -> split -> dedup -> cluster
-> write. One bad source is recorded in ``Digest.skipped`` and never stops the batch; so is a
roundup (a briefing listing several unrelated events), which joins no story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import sources as src
from .cluster import ClusterOptions, cluster_articles, matches_topic, split_roundups
from .dedup import merge_copies
from .errors import NothingToWrite, SourceError
from .extract import ExtractOptions, extract
from .models import Article, Digest, Page, Skipped, Story
from .sentences import split_sentences
from .write import Engine, get_engine
from .write.offline import WriteOptions

if TYPE_CHECKING:
    from .nli import ContradictionModel

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    """One options object that travels through every stage."""

    read: src.ReadOptions = field(default_factory=src.ReadOptions)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    write: WriteOptions = field(default_factory=WriteOptions)
    engine: str = "offline"
    engine_settings: dict[str, Any] = field(default_factory=dict)
    topic: str | None = None  # keep only stories about this ("news about X")
    # The contradiction model (``nli.load``): every sentence a story would publish is also
    # checked with it, by the final gate and by a model engine's own gate (``write --nli``).
    nli: ContradictionModel | None = None


def load_pages(
    sources: Iterable[str], options: Options, progress: Progress | None = None
) -> tuple[list[Page], list[Skipped]]:
    """Read and extract every source; failures become ``Skipped`` entries."""
    pages: list[Page] = []
    skipped: list[Skipped] = []
    for item in src.expand(list(sources)):
        if isinstance(item, SourceError):
            skipped.append(Skipped(item.source, item.reason))
            if progress:
                progress(f"skipped {item.source}: {item.reason}")
            continue
        try:
            pages.append(extract(src.read(item, options.read), options.extract))
            if progress:
                progress(f"read {item}")
        except SourceError as exc:
            skipped.append(Skipped(exc.source, exc.reason))
            if progress:
                progress(f"skipped {exc.source}: {exc.reason}")
    return pages, skipped


def make_articles(pages: list[Page]) -> list[Article]:
    """Give each page an id (a1, a2, ... in input order) and split it into sentences."""
    out = []
    for n, page in enumerate(pages, start=1):
        aid = f"a{n}"
        out.append(Article(aid, page, split_sentences(page.text, aid)))
    return out


def make_engine(options: Options) -> Engine:
    """The engine ``options`` name. With ``options.nli``, an engine that gates its own
    sentences (one that takes a ``verify`` keyword: the model engines) gates them with the
    contradiction model too, so a sentence it would swap for a source sentence is swapped
    before the final gate rather than dropped by it."""
    settings = dict(options.engine_settings)
    if options.nli is not None and "verify" not in settings and _takes_verify(options.engine):
        from .verify import story_verifier

        settings["verify"] = story_verifier(options.nli)
    return get_engine(options.engine, settings)


def _takes_verify(engine: str) -> bool:
    import inspect

    from .write import engine_class

    cls = engine_class(engine)
    return cls is not None and "verify" in inspect.signature(cls).parameters


def stories_from(articles: list[Article], options: Options) -> tuple[list[Story], list[Article]]:
    """Cluster articles into events and write one story per event, largest first.

    Single-article clusters become stories only when no event has two or more articles;
    otherwise they are returned as articles that joined no story.
    """
    unique = merge_copies(articles)
    # One engine for the whole run: a model engine checks its endpoint when it is made.
    engine = make_engine(options)
    if options.write.query:
        # A question is answered from every source at once: no clustering.
        return [write_event(unique, options, engine)], []
    groups = cluster_articles(unique, options.cluster)
    if options.topic:
        groups = [g for g in groups if matches_topic([unique[i] for i in g], options.topic)]
    multi = [g for g in groups if len(g) > 1]
    chosen = multi or groups
    lone = [unique[g[0]] for g in groups if len(g) == 1] if multi else []
    stories = [write_event([unique[i] for i in g], options, engine) for g in chosen]
    return stories, lone


def set_roundups_aside(
    articles: list[Article], options: Options, progress: Progress | None = None
) -> tuple[list[Article], list[Skipped]]:
    """The articles that report events (copies folded in, ``dedup.merge_copies``), and a
    ``Skipped`` entry (reason "roundup: ..." or "shopping: ...", ``cluster.roundup``) for
    each roundup or shopping list and each copy of one: a
    briefing that mentions an event in one item among many unrelated ones would lend its
    other items to that event's story. Each is reported to ``progress`` as skipped, like
    the sources ``load_pages`` could not read."""
    unique = merge_copies(articles)
    events, roundups = split_roundups(unique, options.cluster)
    skipped = [
        Skipped(source, found.reason)
        for a, found in roundups
        for source in (a.page.source, *(c.source for c in a.copies))
    ]
    for entry in skipped:
        if progress:
            progress(f"skipped {entry.source}: {entry.reason}")
    return events, skipped  # copies already folded in: ``stories_from`` finds no more


def write_event(articles: list[Article], options: Options, engine: Engine | None = None) -> Story:
    """Write one story about one event with the chosen engine (made from ``options`` unless
    given), then verify it: a sentence the verifier does not find supported is not published
    (it is kept under ``dropped``)."""
    from dataclasses import replace

    from .verify import SourceIndex, story_discrepancies, verify_story

    engine = engine or make_engine(options)
    index = SourceIndex.shared(articles, model=options.nli)
    story = verify_story(engine.write(articles, options.write), index)
    # Withheld sentences leave the story short; an engine that is cheap to rerun writes
    # again with room for replacements (the new sentences are verified like the first).
    target = options.write.words
    short = target - _words(story)
    if getattr(engine, "refill", False) and story.dropped and short > 0.1 * target:
        again = verify_story(
            engine.write(articles, replace(options.write, words=target + short)), index
        )
        if _words(story) < _words(again) <= 1.15 * target:
            story = again
    if story.discrepancies:
        return story
    return replace(story, discrepancies=story_discrepancies(story.articles))


def _words(story: Story) -> int:
    return sum(len(s.text.split()) for s in story.sentences)


def distill(
    sources: Iterable[str], options: Options | None = None, progress: Progress | None = None
) -> Digest:
    """Run the whole pipeline; raise ``NothingToWrite`` when no source is usable."""
    options = options or Options()
    pages, skipped = load_pages(sources, options, progress)
    if not pages:
        raise NothingToWrite(
            "no usable source: " + "; ".join(f"{s.source}: {s.reason}" for s in skipped)
        )
    articles = make_articles(pages)
    if not options.write.query:  # a question is answered from every source, roundups too
        articles, roundups = set_roundups_aside(articles, options, progress)
        skipped = skipped + roundups
        if not articles:
            raise NothingToWrite(
                "no report of an event among the sources: "
                + "; ".join(f"{s.source}: {s.reason}" for s in roundups)
            )
    stories, lone = stories_from(articles, options)
    if not stories and options.topic:
        raise NothingToWrite(f"no story is about {options.topic!r}")
    return Digest(stories=stories, skipped=skipped, unclustered=lone)
