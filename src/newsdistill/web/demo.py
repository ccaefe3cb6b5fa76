"""Fill a news-desk store with stories written from the bundled sample articles, the way the
desk writes them (``store.add_article`` -> ``store.assign`` -> ``pipeline.write_event`` ->
``store.save_version``). For trying the web site without polling feeds, and for the tests.

Event A (the Brennick fire) gets two versions: three reports first, then two more, so the
version history has something to show. Event B (the streetcar vote) gets one version and
the unrelated museum page becomes a single-source story.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from ..models import Page
from ..store import Store

# Sample file name prefixes of each story, and the batches its articles arrive in.
_BATCHES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("A", (("a-riverside-herald", "a-national-wire", "a-coastal-times"),
           ("a-morning-ledger", "a-national-wire-syndicated"))),
    ("B", (("b-metro-daily", "b-national-wire", "b-valley-observer"),)),
    ("Z", (("z-unrelated",),)),
)  # fmt: skip

PageHook = Callable[[str, Page], Page]


def fill_from_samples(
    store: Store, now: float, *, edit: PageHook | None = None, events: Sequence[str] = "ABZ"
) -> dict[str, int]:
    """Write the sample stories into ``store``; return the story id of each event ("A", "B",
    "Z"). ``edit(name, page)`` may change a page before it is stored (tests use it to plant
    hostile titles and links). Times start at ``now`` and advance one minute per batch."""
    from ..dedup import merge_copies
    from ..desk import describe_changes
    from ..pipeline import Options, load_pages, write_event
    from ..render.jsonout import story as story_json
    from ..sampledata import samples_dir
    from ..sentences import split_sentences

    options = Options()
    story_ids: dict[str, int] = {}
    t = now
    for event, batches in _BATCHES:
        if event not in events:
            continue
        for batch in batches:
            paths = [str(samples_dir() / f"{name}.html") for name in batch]
            pages, skipped = load_pages(paths, options)
            if skipped:
                raise RuntimeError(f"sample pages could not be read: {skipped}")
            placements: list[tuple[int, int | str]] = []
            for name, page in zip(batch, pages, strict=True):
                if edit is not None:
                    page = edit(name, page)
                page = dataclasses.replace(page, path=None)
                aid, _ = store.add_article(
                    page, split_sentences(page.text, "a0"), t, url=page.url, source_id=None
                )
                placements.append((aid, story_ids.get(event, f"new-{event}")))
            created = store.assign(placements, t)
            story_ids.setdefault(event, created.get(f"new-{event}", 0))
            sid = story_ids[event]
            ids = store.story_articles(sid)
            previous = store.version(sid)
            story = write_event(merge_copies(store.load_articles(ids)), options)
            data = story_json(story)
            store.save_version(sid, data, ids, describe_changes(previous, data, ids), t)
            t += 60
    return story_ids
