"""``newsdistill publish``: the site's pages and feeds as static files.

The folder holds the same pages the server shows, at the same paths (``index.html``,
``biggest.html``, ``stories/<id>.html``, ``stories/<id>/v<n>.html``,
``stories/<id>/history.html``, ``feed.atom``, ``topics/<topic>.atom``, ``assets/...``).
Links between pages are relative, so the folder can be served from any address or opened
from disk. Every file is written to a temporary name and renamed, so a web server serving
the folder while it is republished never sends half a page.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..store import Store
from . import atom, pages
from .data import Newsroom, Summary, topic_slug


@dataclass
class PublishReport:
    """What ``publish`` wrote."""

    stories: int = 0
    pages: int = 0
    feeds: int = 0
    files: list[str] = field(default_factory=list)  # paths relative to the folder


def _write(out: Path, rel: str, data: str | bytes, report: PublishReport) -> None:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    report.files.append(rel)
    if rel.endswith(".html"):
        report.pages += 1
    elif rel.endswith(".atom"):
        report.feeds += 1


def publish(
    store: Store, out: Path, *, base_url: str | None = None, topics: Sequence[str] = ()
) -> PublishReport:
    """Write the site for ``store`` into ``out``. ``base_url`` (where the folder will be
    served, e.g. ``https://news.example/``) makes the feeds' links absolute, as feed readers
    need; ``topics`` adds one feed per topic at ``topics/<topic>.atom``."""
    newsroom = Newsroom(store)
    report = PublishReport()
    base = (base_url.rstrip("/") + "/") if base_url else ""
    top = pages.Links("", static=True)
    topics = [t for t in dict.fromkeys(t.strip() for t in topics) if topic_slug(t)]

    latest = newsroom.summaries()
    report.stories = len(latest)
    _write(out, "index.html", pages.front_page(latest, top, topics=topics), report)
    biggest = newsroom.summaries(sort="biggest")
    _write(
        out, "biggest.html", pages.front_page(biggest, top, sort="biggest", topics=topics), report
    )

    for s in latest:
        versions = newsroom.versions(s.id)
        edition = newsroom.edition(s.id)
        if edition is None:
            continue
        page = pages.story_page(edition, versions, top.at_depth(1))
        _write(out, f"stories/{s.id}.html", page, report)
        deep = top.at_depth(2)
        _write(
            out,
            f"stories/{s.id}/history.html",
            pages.history_page(s.id, edition.story["headline"], versions, deep),
            report,
        )
        for v in versions:
            old = newsroom.edition(s.id, v["version"])
            if old is not None:
                page = pages.story_page(old, versions, deep)
                _write(out, f"stories/{s.id}/v{v['version']}.html", page, report)

    def feed(rel: str, stories: list[Summary], title: str) -> None:
        body = atom.feed_xml(
            stories, newsroom.story_of, base=base, story_href=top.story, self_href=rel,
            home_href=top.front(), title=title,
        )  # fmt: skip
        _write(out, rel, body, report)

    feed("feed.atom", latest, f"{pages.SITE_TITLE}: latest stories")
    for t in topics:
        feed(
            f"topics/{topic_slug(t)}.atom",
            newsroom.summaries(t),
            f"{pages.SITE_TITLE}: stories about {t}",
        )
    for name in pages.ASSETS:
        _write(out, f"assets/{name}", pages.asset(name), report)
    return report
