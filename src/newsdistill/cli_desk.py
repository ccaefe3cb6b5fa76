"""The news desk commands: scan, watch, stories, show, history, sources.

Thin, like ``cli``: options become a ``DeskOptions``; ``desk.Desk`` does the work and
``store.Store`` keeps it. Heavy modules are imported inside the commands so that
``newsdistill --help`` stays instant.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from .cli_engines import NLI_HELP, engine_options

if TYPE_CHECKING:
    from .desk import DeskOptions, ScanReport
    from .distributed import Executor
    from .store import Store

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: str) -> float:
    """Seconds in "90", "30s", "10m", "2h", "1d" or "1w"; ``ValueError`` otherwise."""
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 10m, 2h, 1d)")
    return float(m.group(1)) * _UNITS[m.group(2).lower()]


class Duration(click.ParamType):
    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DB_HELP = (
    "Database: a file path, sqlite:///PATH or postgresql://USER@HOST/DB. "
    "Default: desk.sqlite in your user data directory."
)


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", envvar="NEWSDISTILL_DB", metavar="URL", help=DB_HELP)(f)


def scan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``scan`` and ``watch``."""
    opts: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option(
            "--opml",
            "opml",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="An OPML file listing feeds (repeatable).",
        ),
        db_option,
        click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="json: one JSON report per pass on stdout, no progress.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress or warnings on stderr."),
        click.option(
            "--allow-private",
            is_flag=True,
            help="Allow URLs on loopback/private/link-local addresses. Needed for local "
            "servers and tests; refused otherwise.",
        ),
        click.option(
            "--contact",
            envvar="NEWSDISTILL_CONTACT",
            metavar="URL",
            help="Contact URL or mailto: sent in the User-Agent so site owners can reach "
            "you (default: the project page).",
        ),
        click.option(
            "--host-delay",
            type=click.FloatRange(0),
            default=1.0,
            show_default=True,
            help="Seconds between two requests to one host.",
        ),
        click.option(
            "--host-concurrency",
            type=click.IntRange(1, 16),
            default=1,
            show_default=True,
            help="Requests at once to one host.",
        ),
        click.option(
            "--threads",
            type=click.IntRange(1, 64),
            default=None,
            help="Fetch and extract threads: in this process (default 8), or in each Dask "
            "worker process with --workers/--scheduler (default 1).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 64),
            default=None,
            help="Run fetching, extraction and story writing on a local Dask cluster of N "
            "worker processes (needs newsdistill[scale]). This option used to set the "
            "thread count, which is now --threads.",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            envvar="NEWSDISTILL_SCHEDULER",
            help="Run that work on an existing Dask cluster (tcp://HOST:PORT) instead.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(1),
            default=20.0,
            show_default=True,
            help="Seconds for one whole response.",
        ),
        click.option(
            "--max-mb",
            type=click.FloatRange(0.01),
            default=10.0,
            show_default=True,
            help="Largest response to read, in MB.",
        ),
        click.option("--nli", is_flag=True, help=NLI_HELP),
        click.option(
            "--min-articles",
            type=click.IntRange(1),
            default=1,
            show_default=True,
            help="Write stories only once this many articles report the event.",
        ),
        click.option(
            "-w",
            "--words",
            type=click.IntRange(40, 5000),
            default=250,
            show_default=True,
            help="Target length of each story in words.",
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    # Who writes the stories: the same settings as `write` (flags, environment, config file).
    return engine_options(f, timeout=False)  # type: ignore[no-any-return]


def _desk_options(kw: dict[str, Any]) -> DeskOptions:
    from .cli_engines import pipeline_engine, resolve_settings
    from .desk import DeskOptions
    from .fetch import DEFAULT_CONTACT, FetchPolicy
    from .pipeline import Options
    from .sources import ReadOptions
    from .write import engine_ids
    from .write.offline import WriteOptions

    if kw["workers"] is not None and kw["scheduler"]:
        raise click.UsageError(
            "--workers starts a local Dask cluster and --scheduler uses an existing one; "
            "give one of them"
        )
    settings = resolve_settings(kw["engine"], kw["base_url"], kw["model"], kw["config"], None)
    if settings.engine not in engine_ids():
        raise click.BadParameter(
            f"unknown engine; choose one of: {', '.join(engine_ids())}", param_hint="--engine"
        )
    max_bytes = int(kw["max_mb"] * 1024 * 1024)
    policy = FetchPolicy(
        contact=kw["contact"] or DEFAULT_CONTACT,
        timeout=kw["timeout"],
        max_bytes=max_bytes,
        allow_private=kw["allow_private"],
        host_delay=kw["host_delay"],
        host_concurrency=kw["host_concurrency"],
    )
    pipeline = Options(
        read=ReadOptions(
            allow_private=kw["allow_private"], max_bytes=max_bytes, timeout=kw["timeout"]
        ),
        write=WriteOptions(words=kw["words"]),
        # No progress callback: story writing may run on Dask workers (it must pickle).
        **pipeline_engine(settings),
    )
    return DeskOptions(
        pipeline=pipeline,
        fetch=policy,
        workers=kw["threads"] or 8,
        min_articles=kw["min_articles"],
    )


def _with_model(options: DeskOptions, kw: dict[str, Any]) -> DeskOptions:
    """``options`` with the contradiction model for --nli, loaded once the usage checks have
    passed. The model pickles as its folder, so each Dask worker loads it once (from the
    same path: workers on other machines need the model installed there too)."""
    if not kw["nli"]:
        return options
    from dataclasses import replace

    from .cli_engines import nli_model

    return replace(options, pipeline=replace(options.pipeline, nli=nli_model()))


def _executor(kw: dict[str, Any]) -> Executor | None:
    """A Dask executor for --workers/--scheduler; None for the single-process default."""
    from .distributed import DaskExecutor
    from .errors import NewsdistillError

    if kw["workers"] is None and not kw["scheduler"]:
        return None
    if kw["workers"] is not None and kw["scheduler"]:
        raise click.UsageError(
            "--workers starts a local Dask cluster and --scheduler uses an existing one; "
            "give one of them"
        )
    try:
        return DaskExecutor.start(
            kw["workers"], kw["scheduler"], threads_per_worker=kw["threads"] or 1
        )
    except NewsdistillError as exc:
        raise click.ClickException(str(exc)) from exc


def _open_store(db: str | None) -> Store:
    from .errors import NewsdistillError
    from .store import Store

    try:
        return Store.open(db)
    except NewsdistillError as exc:
        raise click.ClickException(str(exc)) from exc


def _progress(fmt: str, quiet: bool) -> Callable[[str, ScanReport], None] | None:
    """A one-line live status on a terminal; nothing when piped, quiet or JSON."""
    if quiet or fmt == "json" or not sys.stderr.isatty():
        return None

    def show(phase: str, r: ScanReport) -> None:
        line = (
            f"{phase}: {r.feeds} sources ({r.feeds_failed} failed) · "
            f"{r.items} items ({r.new_items} new) · "
            f"{r.articles} new articles · {r.stories_new + r.stories_updated} stories written"
        )
        click.echo("\r\033[K" + line, err=True, nl=phase == "done")

    return show


def _report(report: ScanReport, fmt: str, quiet: bool) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    if not quiet:
        for f in report.failures:
            click.echo(f"warning: {f['url']}: {f['reason']}", err=True)
        for r in report.roundups:
            click.echo(f"set aside: {r['url']}: {r['reason']}", err=True)
    click.echo(report.line())


@click.command()
@click.argument("urls", nargs=-1)
@scan_options
def scan(
    urls: tuple[str, ...], opml: tuple[str, ...], db: str | None, fmt: str, quiet: bool, **kw: Any
) -> None:
    """Scan feeds and pages once: fetch new articles politely, store them, and rewrite the
    stories they join.

    URLS are RSS, Atom or JSON Feed URLs, OPML list URLs, or article page URLs. With no URL
    and no --opml, every source already in the database is scanned again. A scan with
    nothing new changes nothing; a scan that is killed resumes on the next run. Fetch
    failures are recorded per source (see `newsdistill sources`) and never stop the scan;
    the exit status is 1 only when every source failed.

    \b
    Examples:
      newsdistill scan https://example.com/world/rss.xml https://example.org/feed.json
      newsdistill scan --opml feeds.opml --db ~/news.sqlite
      newsdistill scan http://127.0.0.1:8000/feed.xml --allow-private --format json
      newsdistill scan --opml feeds.opml --workers 4 --db postgresql://news@db/news
      newsdistill scan --opml feeds.opml --scheduler tcp://10.0.0.5:8786
    """
    from .desk import Desk
    from .errors import NewsdistillError

    options = _desk_options(kw)
    store = _open_store(db)
    if not urls and not opml and not store.sources():
        store.close()
        raise click.UsageError(
            "give feed or page URLs or --opml FILE (the database has no sources yet)"
        )
    try:
        options = _with_model(options, kw)
        executor = _executor(kw)
    except click.ClickException:
        store.close()
        raise
    desk = Desk(store, options, progress=_progress(fmt, quiet), executor=executor)
    try:
        report = desk.scan(list(urls), list(opml))
    except NewsdistillError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        desk.close()
        if executor is not None:
            executor.close()
        store.close()
    _report(report, fmt, quiet)
    if report.feeds and report.feeds_failed == report.feeds:
        click.echo(
            "Error: every source failed (see the warnings above or `newsdistill sources`)", err=True
        )
        sys.exit(1)


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--every", type=Duration(), default="10m", show_default=True, help="Time between passes."
)
@click.option(
    "--passes", type=click.IntRange(1), default=None, hidden=True, help="Stop after N passes."
)
@scan_options
def watch(
    urls: tuple[str, ...],
    every: float,
    passes: int | None,
    opml: tuple[str, ...],
    db: str | None,
    fmt: str,
    quiet: bool,
    **kw: Any,
) -> None:
    """Keep scanning: run `scan` every --every until interrupted (Ctrl-C).

    Takes the same options as `scan`. Each pass prints one summary line (or one JSON
    object per line with --format json).

    \b
    Examples:
      newsdistill watch --every 10m https://example.com/world/rss.xml
      newsdistill watch --every 30m --opml feeds.opml --format json >> desk.log
    """
    from .desk import Desk
    from .errors import NewsdistillError

    store = _open_store(db)
    if not urls and not opml and not store.sources():
        raise click.UsageError(
            "give feed or page URLs or --opml FILE (the database has no sources yet)"
        )
    try:
        options = _with_model(_desk_options(kw), kw)
    except click.ClickException:
        store.close()
        raise
    executor = _executor(kw)  # one cluster for every pass
    desk = Desk(store, options, progress=_progress(fmt, quiet), executor=executor)
    try:
        desk.watch(
            list(urls), list(opml), every, passes=passes, on_pass=lambda r: _report(r, fmt, quiet)
        )
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except NewsdistillError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        desk.close()
        if executor is not None:
            executor.close()
        store.close()


@click.command()
@click.option(
    "--since",
    type=Duration(),
    default=None,
    help="Only stories updated within this time (24h, 7d).",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@db_option
def stories(since: float | None, fmt: str, db: str | None) -> None:
    """List the desk's stories, most recently updated first.

    JSON: {"stories": [{"id", "version", "updated", "headline", "articles": [...]}]}.

    \b
    Examples:
      newsdistill stories --since 24h
      newsdistill stories --format json | jq '.stories[0].id'
    """
    import time

    store = _open_store(db)
    rows = store.stories(time.time() - since if since is not None else None)
    store.close()
    if fmt == "json":
        out = [
            {
                "id": r["id"],
                "version": r["version"],
                "updated": r["updated"],
                "created": r["created"],
                "headline": r["headline"],
                "articles": r["articles"],
            }
            for r in rows
        ]
        click.echo(json.dumps({"stories": out}, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no stories yet" + (" in that time" if since else ""), err=True)
        return
    for r in rows:
        outlets = len({a["outlet"] or a["url"] for a in r["articles"]})
        click.echo(
            f"{r['id']:>5}  v{r['version']:<3} {r['updated']}  {len(r['articles']):>3} articles, "
            f"{outlets:>2} outlets  {r['headline']}"
        )


@click.command()
@click.argument("story_id", type=int)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "json", "text"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--version", "version", type=click.IntRange(1), default=None, help="An earlier version."
)
@db_option
def show(story_id: int, fmt: str, version: int | None, db: str | None) -> None:
    """Show one story (its latest version, or --version N).

    \b
    Examples:
      newsdistill show 12
      newsdistill show 12 --version 1 --format json
    """
    from .models import Digest
    from .render import render
    from .render.jsonin import story_from_dict

    store = _open_store(db)
    row = store.story(story_id)
    if row is not None and row["state"] == "roundup":
        store.close()
        raise click.ClickException(
            f"story {story_id} holds a roundup page and is not published: {row['last_error']}"
        )
    if row is not None and row["state"] == "merged":
        survivor = store.resolve_story(story_id)
        click.echo(f"story {story_id} was merged into story {survivor}; showing that", err=True)
        story_id = survivor
    saved = store.version(story_id, version) if row is not None else None
    store.close()
    if saved is None:
        what = f"version {version} of story {story_id}" if version else f"story {story_id}"
        raise click.ClickException(f"no {what}; `newsdistill stories` lists the stories")
    if fmt == "json":
        data = {
            "id": story_id,
            "version": saved["version"],
            "created": saved["created"],
            **saved["story"],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(render(Digest([story_from_dict(saved["story"])], []), fmt), nl=False)


@click.command()
@click.argument("story_id", type=int)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@db_option
def history(story_id: int, fmt: str, db: str | None) -> None:
    """List a story's versions and what changed in each.

    \b
    Example:
      newsdistill history 12
    """
    store = _open_store(db)
    versions = store.versions(story_id)
    store.close()
    if not versions:
        raise click.ClickException(f"no story {story_id}; `newsdistill stories` lists the stories")
    if fmt == "json":
        click.echo(json.dumps({"id": story_id, "versions": versions}, ensure_ascii=False, indent=2))
        return
    for v in versions:
        c = v["changes"]
        if c.get("first"):
            what = f"first version from {len(c['articles_added'])} articles"
        else:
            bits = []
            if c["articles_added"]:
                bits.append(
                    f"+{len(c['articles_added'])} articles "
                    f"({'; '.join(c.get('articles_added_titles', []))})"
                )
            if c["articles_removed"]:
                bits.append(f"-{len(c['articles_removed'])} articles")
            if c["headline_changed"]:
                bits.append("new headline")
            bits.append(f"{c['sentences_added']} sentences added, {c['sentences_removed']} removed")
            what = "; ".join(bits)
        click.echo(f"v{v['version']:<3} {v['created']}  {v['headline']}\n     {what}")


@click.command()
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@db_option
def sources(fmt: str, db: str | None) -> None:
    """Show every source the desk polls and its health: last check, last success,
    consecutive failures, last error, when it is tried next, items read and failed.

    \b
    Example:
      newsdistill sources --format json | jq '.sources[] | select(.failures > 0)'
    """
    store = _open_store(db)
    rows = store.sources()
    store.close()
    if fmt == "json":
        keep = (
            "id",
            "url",
            "kind",
            "title",
            "format",
            "added",
            "last_checked",
            "last_ok",
            "last_outcome",
            "last_status",
            "last_error",
            "failures",
            "next_check",
            "items_seen",
            "items",
        )
        click.echo(
            json.dumps(
                {"sources": [{k: r[k] for k in keep} for r in rows]}, ensure_ascii=False, indent=2
            )
        )
        return
    if not rows:
        click.echo("no sources yet; add some with `newsdistill scan URL`", err=True)
        return
    for r in rows:
        health = (
            "ok"
            if r["last_outcome"] in ("ok", "not_modified")
            else (r["last_outcome"] or "never checked")
        )
        items = r["items"]
        counts = ", ".join(f"{n} {state}" for state, n in sorted(items.items())) or "no items"
        click.echo(f"{r['id']:>4}  {health:<9} {r['kind']:<7} {r['url']}")
        click.echo(f"      last ok {r['last_ok'] or 'never'}; {counts}")
        if r["last_error"]:
            retry = f"; next try {r['next_check']}" if r["next_check"] else ""
            click.echo(f"      {r['failures']} failures in a row: {r['last_error']}{retry}")
