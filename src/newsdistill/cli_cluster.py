"""``newsdistill cluster``: group sources into events and print the groups (no writing)."""

from __future__ import annotations

import json
from typing import Any

import click

from .cli import _fail, _options, _progress, source_options
from .errors import NewsdistillError


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.option(
    "-t", "--topic", default=None, metavar="WORDS",
    help="Keep only stories about WORDS (each word in half of a story's articles).",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
@source_options
def cluster(
    sources: tuple[str, ...],
    fmt: str,
    topic: str | None,
    quiet: bool,
    allow_private: bool,
    max_mb: float,
) -> None:
    """Group SOURCES into events: each group is what several outlets report about one event.

    Articles are compared on content, names (people, places, organisations) and publication
    time. Groups are printed largest first; an article that joined no other is a group of
    one. Copies of one article (syndication) are listed in the same group. Sources that
    cannot be used are listed with the reason; exit status 1 when none is usable, or when
    --topic keeps no story (the empty result is still printed). A roundup
    (a briefing or "things to know" list of unrelated events) joins no group: it is listed
    with the skipped sources, reason "roundup: ...".

    \b
    Examples:
      newsdistill cluster reports/
      newsdistill cluster reports/ feed-items/ --format json | jq '.clusters[0]'
      newsdistill cluster reports/ --topic "earthquake Peru"
    """
    from .cluster import cluster_articles, headline, matches_topic
    from .errors import NothingToWrite
    from .pipeline import load_pages, make_articles, set_roundups_aside

    options = _options(250, allow_private, max_mb)
    progress = _progress(quiet)
    try:
        pages, skipped = load_pages(sources, options, progress)
        if not pages:
            reasons = "; ".join(f"{s.source}: {s.reason}" for s in skipped)
            raise NothingToWrite(f"no usable source: {reasons}")
    except NewsdistillError as exc:
        _fail(exc)
    articles, roundups = set_roundups_aside(make_articles(pages), options, progress)
    skipped += roundups
    if not articles:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in roundups)
        _fail(NothingToWrite(f"no report of an event among the sources: {reasons}"))
    groups = [[articles[i] for i in g] for g in cluster_articles(articles, options.cluster)]
    if topic is not None:
        kept = [g for g in groups if matches_topic(g, topic)]
        if not quiet:
            click.echo(f"{len(kept)} of {len(groups)} stories match topic {topic!r}", err=True)
        groups = kept
    clusters: list[dict[str, Any]] = [
        {
            "id": f"c{n}",
            "members": [s for a in g for s in (a.page.source, *(c.source for c in a.copies))],
            "headline": headline(g, options.cluster),
        }
        for n, g in enumerate(groups, start=1)
    ]
    if fmt == "json":
        out = {
            "clusters": clusters,
            "skipped": [{"source": s.source, "reason": s.reason} for s in skipped],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_text(clusters)
    if topic is not None and not clusters:
        _fail(NothingToWrite(f"no story is about {topic!r}"))


def _print_text(clusters: list[dict[str, Any]]) -> None:
    for c in clusters:
        n = len(c["members"])
        click.echo(f"{c['id']}  {n} article{'s' if n != 1 else ''}  {c['headline']}")
        for m in c["members"]:
            click.echo(f"    {m}")
