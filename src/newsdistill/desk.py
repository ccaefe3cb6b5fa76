"""The news desk: one scan pass over feeds and pages, and a loop of them (``watch``).

A pass runs five stages; each commits its own small transactions, so a pass killed at any
moment loses nothing it committed and the next pass resumes where it stopped:

1. sources: the feeds and pages given (or every known source) are fetched politely with
   conditional GET; a feed's new items are remembered as pending, a page is read as an
   article. Each check is recorded with its outcome and reason (``newsdistill sources``).
   Failing sources are backed off exponentially across passes.
2. items: every pending item whose time has come is read: from the feed when the feed
   carries the whole text, from its page when the feed has a teaser. An item known by
   canonical URL or by identical text is recorded as a duplicate, not fetched or stored
   twice. Failures are retried with backoff, except those retrying cannot fix (robots.txt,
   404, no article text).
3. assignment: articles that belong to no story yet (new ones, and any left by a killed
   pass) are placed with ``cluster.EventClusterer``: each joins the story of the cluster it
   lands in or opens a new one; when a new article bridges two stories they are merged.
4. writing: every story whose membership changed is rewritten with
   ``pipeline.write_event`` (which verifies) and saved as version n+1 with a summary of what
   changed. Unchanged stories are not rewritten.
5. the fetch log is pruned.

Fetching, extraction, sentence splitting and clustering features (stages 1 and 2) and story
writing (stage 4) are pure functions of their inputs (``read_source``, ``read_item``,
``write_story``) run by an executor (``distributed``): a thread pool by default, or a Dask
cluster (``newsdistill scan --workers N`` / ``--scheduler``). Results come back in task
order, so a scan stores and clusters the same articles in the same order on one thread or
many processes. Every database write happens on the calling thread of the driver process,
so SQLite sees one writer and a lost worker loses nothing committed.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .distributed import Executor, LocalExecutor, TaskFailed
from .errors import ExtractionError, FetchError, NewsdistillError, SourceError
from .extract import extract
from .fetch import (
    AddressRefused,
    Clock,
    Deferred,
    Fetched,
    Fetcher,
    FetchPolicy,
    HttpError,
    Refused,
    SystemClock,
    canonical_url,
)
from .models import (
    Article,
    Document,
    Page,
    Sentence,
    SourceKind,
)
from .pipeline import Options
from .store import NewArticle, NewItem, Store, content_hash

if TYPE_CHECKING:
    from .cluster import Features

_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class DeskOptions:
    """How the desk scans. ``pipeline`` carries the extract/cluster/write options."""

    pipeline: Options = field(default_factory=Options)
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    # Threads fetching and extracting in the single-process path (``--threads``); per-host
    # limits still apply. Dask workers are an executor, not an option (``Desk(executor=)``).
    workers: int = 8
    # A feed item with less text than this is a teaser and its page is fetched.
    teaser_words: int = 150
    # Item retries: after a transient failure an item is tried again after
    # retry_base * 2**attempts, at most max_attempts times in all.
    max_attempts: int = 4
    retry_base: float = 300.0
    # A failing source is checked again after backoff_base * 2**(failures - 1), capped.
    backoff_base: float = 300.0
    backoff_max: float = 24 * 3600.0
    # Stories with fewer articles are kept but not written. 1: a single report is a story
    # (labelled "single source"); 2: only corroborated events are written.
    min_articles: int = 1
    # Clustering state is rebuilt from articles fetched within this many days.
    replay_days: float = 7.0
    log_days: float = 30.0


@dataclass
class ScanReport:
    """What one pass did: counts, and every failure with its reason."""

    feeds: int = 0  # sources checked (feeds and pages)
    feeds_ok: int = 0
    not_modified: int = 0
    feeds_failed: int = 0
    backing_off: int = 0  # sources skipped because they are backed off
    items: int = 0  # items the feeds listed
    new_items: int = 0
    articles: int = 0  # new articles stored
    duplicates: int = 0
    items_failed: int = 0
    items_deferred: int = 0
    stories_new: int = 0
    stories_updated: int = 0
    stories_failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    # Pages set aside as roundups in this pass ({"url", "reason"}): stored, in no story.
    roundups: list[dict[str, str]] = field(default_factory=list)
    story_ids: list[int] = field(default_factory=list)  # stories written in this pass
    elapsed: float = 0.0
    phase: str = "sources"

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("phase")
        d["elapsed"] = round(self.elapsed, 3)
        return d

    def line(self) -> str:
        """One line for a terminal."""
        bits = [f"{self.feeds} sources ({self.not_modified} unchanged, {self.feeds_failed} failed)"]
        bits.append(f"{self.items} items ({self.new_items} new)")
        bits.append(f"{self.articles} new articles")
        if self.duplicates:
            bits.append(f"{self.duplicates} duplicates")
        if self.items_failed or self.items_deferred:
            bits.append(f"{self.items_failed} items failed, {self.items_deferred} deferred")
        bits.append(f"{self.stories_new} new stories, {self.stories_updated} updated")
        if self.roundups:
            n = len(self.roundups)
            bits.append(f"{n} roundup{'' if n == 1 else 's'} set aside")
        return ", ".join(bits)


Progress = Callable[[str, ScanReport], None]


@dataclass
class _Read:
    """What a worker made of one fetched source or item (picklable: it may come back from
    another process). ``fetched`` has its body dropped; ``nbytes`` keeps its size."""

    kind: str  # "feed" | "opml" | "page" | "not_modified" | "failed"
    fetched: Fetched | None = None
    feed: Any = None  # feeds.Feed
    opml: list[Any] | None = None
    page: Page | None = None
    sentences: list[Sentence] | None = None
    url: str | None = None  # canonical URL of the article read
    features: Features | None = None  # clustering features of the article
    nbytes: int | None = None
    failure: _Failure | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # time per stage in the worker


@dataclass(frozen=True)
class _Failure:
    """A ``SourceError`` as a plain value: exceptions with extra constructor arguments do
    not survive pickling, and an expected failure must not look like a crash to Dask (which
    would retry it)."""

    kind: str  # class name in _ERRORS
    source: str
    reason: str
    status: int | None = None
    retry_at: float | None = None

    @classmethod
    def of(cls, exc: SourceError) -> _Failure:
        name = type(exc).__name__
        if name not in _ERRORS:
            name = "ExtractionError" if isinstance(exc, ExtractionError) else "FetchError"
        return cls(
            name,
            exc.source,
            exc.reason,
            status=getattr(exc, "status", None),
            retry_at=getattr(exc, "retry_at", None),
        )

    def error(self) -> SourceError:
        if self.kind == "HttpError":
            return HttpError(self.source, self.reason, self.status or 0)
        if self.kind == "Deferred":
            return Deferred(self.source, self.reason, self.retry_at or 0.0)
        return _ERRORS[self.kind](self.source, self.reason)


_ERRORS: dict[str, type[SourceError]] = {
    "FetchError": FetchError,
    "HttpError": HttpError,
    "Refused": Refused,
    "AddressRefused": AddressRefused,
    "Deferred": Deferred,
    "ExtractionError": ExtractionError,
}


@dataclass
class _Written:
    """A story written by a worker: its JSON, or why writing failed."""

    data: dict[str, Any] | None
    reason: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)


class Desk:
    """Scans sources into a store and keeps its stories up to date."""

    def __init__(
        self,
        store: Store,
        options: DeskOptions | None = None,
        *,
        clock: Clock | None = None,
        fetcher: Fetcher | None = None,
        progress: Progress | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.store = store
        self.options = options or DeskOptions()
        self.clock: Clock = clock or SystemClock()
        self.fetcher = fetcher or Fetcher(self.options.fetch, self.clock)
        self.progress = progress
        # Who runs the per-article work; the caller closes an executor it passed in.
        self.executor: Executor = executor or LocalExecutor(self.options.workers)
        self.executor.prepare(warm_worker)
        self._clusters: _Clusters | None = None
        self._features: dict[int, Features] = {}  # stored article id -> worker's features
        # Seconds per stage in the last scan, summed over articles: the workers' stages
        # (fetch, extract, split, features, write) and the driver's (store, cluster).
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def close(self) -> None:
        self.fetcher.close()

    # -- one pass ----------------------------------------------------------------------------

    def scan(self, targets: Sequence[str] = (), opml_files: Sequence[str] = ()) -> ScanReport:
        """One pass over ``targets`` (feed or page URLs) and the feeds of ``opml_files``;
        with neither, over every source the store knows."""
        start = self.clock.now()
        report = ScanReport()
        urls = list(dict.fromkeys([*targets, *self._opml_urls(opml_files)]))
        if urls:
            ids = [self.store.add_source(u, start) for u in urls]
            rows = [self.store.source(i) for i in dict.fromkeys(ids)]
        else:  # every known source; backed-off ones are reported, not fetched
            rows = [r for r in self.store.sources() if r["kind"] in ("feed", "page", "unknown")]
        self.seconds = defaultdict(float)
        self._check_sources(rows, report)
        report.phase = "items"
        self._read_items(report)
        report.phase = "stories"
        with self._timed("cluster"):
            self._assign(report)
        self._write_stories(report)
        self.store.prune_log(self.clock.now() - self.options.log_days * 86400)
        report.elapsed = self.clock.now() - start
        report.phase = "done"
        self._tell(report)
        return report

    def watch(
        self,
        targets: Sequence[str],
        opml_files: Sequence[str],
        every: float,
        passes: int | None = None,
        stop: threading.Event | None = None,
        on_pass: Callable[[ScanReport], None] | None = None,
    ) -> int:
        """Scan every ``every`` seconds until ``stop`` is set or ``passes`` are done;
        return the number of passes made."""
        n = 0
        while not (stop and stop.is_set()):
            began = self.clock.now()
            report = self.scan(targets, opml_files)
            n += 1
            if on_pass:
                on_pass(report)
            if passes is not None and n >= passes:
                break
            wait = max(0.0, began + every - self.clock.now())
            if stop is not None and isinstance(self.clock, SystemClock):
                if stop.wait(wait):  # wakes at once when stopped
                    break
            else:
                self.clock.sleep(wait)
        return n

    # -- stage 1: sources --------------------------------------------------------------------

    def _opml_urls(self, files: Sequence[str]) -> list[str]:
        from .feeds import parse_opml

        out: list[str] = []
        for name in files:
            path = Path(name)
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise NewsdistillError(
                    f"{name}: cannot read the OPML file: {exc.strerror or exc}"
                ) from exc
            out += [f.url for f in parse_opml(content, name)]
        return out

    def _map(
        self, fn: Callable[..., Any], tasks: Sequence[Any]
    ) -> Iterator[list[tuple[Any, _Read]]]:
        """Run a worker function over tasks on the executor, in task order, in lists of the
        results that arrived together (each is stored in one transaction); the local
        executor shares this desk's fetcher, Dask workers use their own with a share of the
        per-host politeness budget."""
        if self.executor.in_process:
            bound = functools.partial(fn, options=self.options, fetcher=self.fetcher)
        else:
            from .distributed import split_policy

            policy = split_policy(self.options.fetch, self.executor.workers())
            options = dataclasses.replace(self.options, fetch=policy)
            bound = functools.partial(fn, options=options)
        for chunk in self.executor.chunks(bound, tasks):
            reads = []
            for task, result in chunk:
                if isinstance(result, TaskFailed):
                    url = (
                        task["url"] if isinstance(task, dict) else task[0]["url"] or task[0]["key"]
                    )
                    reason = f"worker failed {result.attempts} times: {result.reason}"
                    result = _Read("failed", failure=_Failure("FetchError", url, reason))
                _add_seconds(self.seconds, result.seconds)
                reads.append((task, result))
            yield reads

    def _timed(self, stage: str) -> AbstractContextManager[None]:
        return _timing(self.seconds, stage)

    def _check_sources(self, rows: list[dict[str, Any]], report: ScanReport) -> None:
        now = self.clock.now()
        due = []
        for row in rows:
            if row["next_check"] and row["next_check"] > _iso(now):
                report.backing_off += 1
                report.failures.append(
                    {
                        "url": row["url"],
                        "reason": f"backing off until {row['next_check']}: {row['last_error']}",
                    }
                )
            else:
                due.append(row)
        extra: list[dict[str, Any]] = []
        for chunk in self._map(read_source, _by_host(due, lambda r: r["url"])):
            with self._timed("store"), self.store.batch():
                for row, read in chunk:
                    extra += self._source_done(row, read, report)
            self._tell(report)
        if extra:  # feeds listed by an OPML URL: checked in the same pass, one level deep
            for chunk in self._map(read_source, _by_host(extra, lambda r: r["url"])):
                with self._timed("store"), self.store.batch():
                    for row, read in chunk:
                        self._source_done(row, read, report)
                self._tell(report)

    def _source_done(
        self, row: dict[str, Any], read: _Read, report: ScanReport
    ) -> list[dict[str, Any]]:
        now = self.clock.now()
        report.feeds += 1
        sid, url = row["id"], row["url"]
        if read.failure is not None:
            self._source_failed(row, read.failure.error(), report, now)
            return []
        f = read.fetched
        assert f is not None
        common: dict[str, Any] = {
            "url": url,
            "status": f.status,
            "nbytes": read.nbytes,
            "elapsed": f.elapsed,
        }
        validators: dict[str, Any] = {"etag": f.etag, "last_modified": f.last_modified}
        if read.kind == "not_modified":
            report.not_modified += 1
            self.store.record_check(sid, now, "not_modified", what=row["kind"], **common)
            return []
        report.feeds_ok += 1
        extra: list[dict[str, Any]] = []
        if read.kind == "feed":
            feed = read.feed
            new = [self._new_item(item, feed.title) for item in feed.items if item.key]
            report.items += len(new)
            # Items first, validators second: a pass killed in between fetches the feed again.
            report.new_items += self.store.add_items(sid, new, now)
            if feed.warning:
                report.failures.append({"url": url, "reason": f"warning: {feed.warning}"})
            self.store.record_check(
                sid,
                now,
                "ok",
                kind="feed",
                title=feed.title,
                format=feed.format,
                reason=feed.warning,
                **common,
                **validators,
            )
        elif read.kind == "opml":
            for listed in read.opml or []:
                new_id = self.store.add_source(listed.url, now, kind="unknown")
                extra.append(self.store.source(new_id))
            self.store.record_check(
                sid, now, "ok", kind="opml", format="opml", **common, **validators
            )
        else:
            assert read.page is not None and read.sentences is not None
            self._store_page(row, read, report, now)
            self.store.record_check(
                sid,
                now,
                "ok",
                what="page",
                kind="page",
                title=read.page.title,
                format="html",
                content_hash=content_hash(read.page.text),
                **common,
                **validators,
            )
        return extra

    def _source_failed(
        self, row: dict[str, Any], exc: SourceError, report: ScanReport, now: float
    ) -> None:
        report.feeds_failed += 1
        report.failures.append({"url": row["url"], "reason": exc.reason})
        status = exc.status if isinstance(exc, HttpError) else None
        if isinstance(exc, Deferred):
            outcome, next_check = "deferred", exc.retry_at
        elif isinstance(exc, AddressRefused):
            outcome, next_check = "refused", now  # depends on --allow-private: ask again
        elif isinstance(exc, Refused):
            outcome, next_check = "refused", now + self.options.fetch.robots_ttl
        else:
            outcome = "failed"
            failures = int(row["failures"] or 0) + 1
            wait = min(self.options.backoff_max, self.options.backoff_base * 2 ** (failures - 1))
            next_check = now + wait
        self.store.record_check(
            row["id"],
            now,
            outcome,
            url=row["url"],
            what=row["kind"],
            status=status,
            reason=exc.reason,
            next_check=next_check,
        )

    def _new_item(self, item: Any, feed_title: str) -> NewItem:
        from .feeds import full_text, is_teaser

        full = (
            None
            if is_teaser(item, self.options.teaser_words)
            else (item.content or full_text(item))
        )
        key = canonical_url(item.link) if item.link else str(item.key)
        return NewItem(
            key=key, url=item.link, title=item.title, published=item.published, content=full
        )

    def _store_page(self, row: dict[str, Any], read: _Read, report: ScanReport, now: float) -> None:
        """A page given as a source: store it as an article, or update it when it changed."""
        assert read.page is not None and read.sentences is not None
        existing = self.store.find_article(url=read.url)
        if existing is not None:
            if self.store.find_article(text_hash=content_hash(read.page.text)) is None:
                self.store.replace_article(existing, read.page, read.sentences, now)
            return
        self._store_articles([(read, row["id"], None)], report, now)

    # -- stage 2: items ----------------------------------------------------------------------

    def _read_items(self, report: ScanReport) -> None:
        now = self.clock.now()
        titles = {r["id"]: r["title"] or "" for r in self.store.sources()}
        todo = []
        due = self.store.due_items(now)
        stored = self.store.articles_by_url([i["key"] for i in due if i["url"]])
        with self.store.batch():
            for item in due:
                known = stored.get(item["key"]) if item["url"] else None
                if known is not None:
                    why = "an article with this URL is stored"
                    self.store.item_duplicate(item, now, known, why)
                    report.duplicates += 1
                else:
                    todo.append(item)
        tasks = [
            (item, titles.get(item["source_id"], ""))
            for item in _by_host(todo, lambda i: i["url"] or "")
        ]
        for chunk in self._map(read_item, tasks):
            with self._timed("store"), self.store.batch():
                self._items_done(chunk, report)
            self._tell(report)

    def _items_done(
        self, chunk: list[tuple[tuple[dict[str, Any], str], _Read]], report: ScanReport
    ) -> None:
        """Store a chunk of read items in order: each run of articles with one
        ``add_articles``, each failure as it comes."""
        now = self.clock.now()
        run: list[tuple[_Read, int | None, dict[str, Any] | None]] = []
        for (item, _), read in chunk:
            if read.failure is None:
                run.append((read, item["source_id"], item))
                continue
            self._store_articles(run, report, now)
            run = []
            self._item_failed(item, read.failure.error(), report, now)
        self._store_articles(run, report, now)

    def _store_articles(
        self,
        reads: list[tuple[_Read, int | None, dict[str, Any] | None]],
        report: ScanReport,
        now: float,
    ) -> None:
        """Store read articles (``(read, source id, item)``: new ones or duplicates) and
        count them."""
        new = []
        for read, source_id, item in reads:
            assert read.page is not None and read.sentences is not None
            f = read.fetched
            elapsed = f.elapsed if f else None
            new.append(
                NewArticle(
                    read.page, read.sentences, read.url, source_id, item, read.nbytes, elapsed
                )
            )
        stored = self.store.add_articles(new, now)
        for (read, _, _), (aid, fresh) in zip(reads, stored, strict=True):
            if fresh:
                report.articles += 1
                if read.features is not None:
                    self._features[aid] = read.features
            else:
                report.duplicates += 1

    def _item_failed(
        self, item: dict[str, Any], exc: SourceError, report: ScanReport, now: float
    ) -> None:
        report.failures.append({"url": item["url"] or item["key"], "reason": exc.reason})
        status = exc.status if isinstance(exc, HttpError) else None
        if isinstance(exc, Deferred):
            report.items_deferred += 1
            self.store.item_failed(item, now, exc.reason, outcome="deferred", retry_at=exc.retry_at)
            return
        report.items_failed += 1
        if isinstance(exc, Refused):
            self.store.item_failed(item, now, exc.reason, outcome="refused", final=True)
            return
        attempts = int(item["attempts"]) + 1
        # Retrying cannot fix a page that is gone, forbidden or holds no article.
        final = (
            isinstance(exc, ExtractionError)
            or (status is not None and 400 <= status < 500)
            or attempts >= self.options.max_attempts
        )
        retry = None if final else now + self.options.retry_base * 2 ** (attempts - 1)
        self.store.item_failed(item, now, exc.reason, retry_at=retry, final=final, status=status)

    # -- stage 3: stories --------------------------------------------------------------------

    def _assign(self, report: ScanReport) -> None:
        new_ids = self.store.unassigned()
        if not new_ids:
            return
        now = self.clock.now()
        if self._clusters is None or now - self._clusters.built > 86400:
            self._clusters = _Clusters.rebuild(self.store, self.options, now)
        set_aside = self._clusters.place(self.store, new_ids, now, self._features)
        report.roundups.extend({"url": url, "reason": why} for url, why in set_aside)
        self._features.clear()

    def _write_stories(self, report: ScanReport) -> None:
        dirty = self.store.dirty_stories()

        def tasks() -> Iterator[tuple[int, list[int], list[Article]]]:
            # Lazy: the thread-pool path loads one story at a time; Dask keeps a window.
            for sid in dirty:
                ids = self.store.story_articles(sid)
                if len(ids) >= self.options.min_articles:
                    yield sid, ids, self.store.load_articles(ids)

        write = functools.partial(write_story, options=self.options.pipeline)
        chunks = self.executor.chunks(write, tasks(), inline=True, count=len(dirty))
        for chunk in chunks:
            with self._timed("store"), self.store.batch():
                for (sid, ids, _), result in chunk:
                    self._story_done(sid, ids, result, report)
            self._tell(report)

    def _story_done(
        self, sid: int, ids: list[int], result: _Written | TaskFailed, report: ScanReport
    ) -> None:
        if isinstance(result, TaskFailed):
            result = _Written(None, f"worker failed {result.attempts} times: {result.reason}")
        _add_seconds(self.seconds, result.seconds)
        if result.data is None:
            # The story keeps its last version; it is tried again when an article joins.
            reason = result.reason or "unknown error"
            self.store.story_failed(sid, reason)
            report.stories_failed += 1
            report.failures.append({"url": f"story {sid}", "reason": f"writing failed: {reason}"})
            return
        data = result.data
        previous = self.store.version(sid)
        changes = describe_changes(previous, data, ids)
        self.store.save_version(sid, data, ids, changes, self.clock.now())
        report.story_ids.append(sid)
        if previous is None:
            report.stories_new += 1
        else:
            report.stories_updated += 1

    def _tell(self, report: ScanReport) -> None:
        if self.progress:
            self.progress(report.phase, report)


class _Clusters:
    """The clustering state of the desk, and which stored story each cluster is.

    Rebuilt by replaying recently fetched articles in the order they were stored (the order
    they were first placed in), so a new article meets the same clusters it would have met
    in a desk that never stopped. Stored membership stays the truth for old articles: a
    replay only decides where new articles go.
    """

    def __init__(self, options: DeskOptions, built: float) -> None:
        from .cluster import EventClusterer

        self.clusterer = EventClusterer(options.pipeline.cluster)
        self.story_of: dict[str, int] = {}  # article id ("a12") -> stored story id
        self.built = built

    @classmethod
    def rebuild(cls, store: Store, options: DeskOptions, now: float) -> _Clusters:
        state = cls(options, now)
        pairs = store.assigned_since(now - options.replay_days * 86400)
        for i in range(0, len(pairs), 500):
            chunk = pairs[i : i + 500]
            for article in store.load_articles([a for a, _ in chunk]):
                state.clusterer.add(article)
            state.story_of.update({f"a{a}": s for a, s in chunk})
        return state

    def place(
        self,
        store: Store,
        new_ids: list[int],
        now: float,
        features: dict[int, Features] | None = None,
    ) -> list[tuple[str, str]]:
        """Place new articles; ``features`` holds those the workers computed already. Returns
        the new articles set aside as roundups, as (URL, reason)."""
        features = features or {}
        clusterer = self.clusterer
        before = {
            aid: clusterer.resolve(c.id)
            for c in clusterer.clusters
            if c.alive
            for aid in c.article_ids
        }
        added: set[int] = set()
        url_of: dict[str, str] = {}
        for i in range(0, len(new_ids), 500):
            for article in store.load_articles(new_ids[i : i + 500]):
                feats = features.get(int(article.id[1:]))
                added.add(clusterer.resolve(clusterer.add(article, feats)))
                url_of[article.id] = article.page.url or article.page.source
        placements: list[tuple[int, int | str]] = []
        merges: list[tuple[int, list[int]]] = []
        reasons: dict[str, str] = {}
        # Only open stories take articles or merge: a replay that no longer takes a stored
        # roundup for one (new detection settings) must not pour an event into it.
        states = store.story_states(self.story_of.values())
        for cid in sorted({clusterer.resolve(c) for c in added}):
            cluster = clusterer.clusters[cid]
            old = [a for a in cluster.article_ids if a in before and a in self.story_of]
            # Which stored story each earlier cluster in here was (its members' majority).
            earlier = sorted({before[a] for a in old})
            stories_here: list[int] = []
            for e in earlier:
                votes = Counter(self.story_of[a] for a in old if before[a] == e)
                stories_here.append(min(votes, key=lambda s: (-votes[s], s)))
            stories_here = sorted({s for s in stories_here if states.get(s) == "open"})
            target: int | str
            if cluster.roundup is not None:
                # A briefing of unrelated events is no story: it is kept apart, unpublished,
                # with the reason.
                target = f"roundup-{cid}"
                reasons[target] = cluster.roundup.reason
            elif not stories_here:
                target = f"new-{cid}"
            else:
                target = stories_here[0]  # the oldest story survives a merge
                if len(stories_here) > 1:
                    merges.append((target, [s for s in stories_here[1:] if s != target]))
            for a in cluster.article_ids:
                if a not in before and a not in self.story_of:
                    placements.append((int(a[1:]), target))
        created = store.assign(placements, now, merges, reasons)
        for article_id, target in placements:
            self.story_of[f"a{article_id}"] = created[target] if isinstance(target, str) else target
        for survivor, absorbed in merges:
            for a, s in list(self.story_of.items()):
                if s in absorbed:
                    self.story_of[a] = survivor
        return [
            (url_of.get(f"a{aid}", f"a{aid}"), reasons[target])
            for aid, target in placements
            if isinstance(target, str) and target in reasons
        ]


# -- worker tasks ----------------------------------------------------------------------------
# Pure functions of their arguments (values in, values out, no store): the executor runs
# them on a thread of this process or on a Dask worker in another process or machine.


class _Stopwatch:
    """Seconds per stage inside one task."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, stage: str) -> AbstractContextManager[None]:
        return _timing(self.seconds, stage)


@contextmanager
def _timing(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the time spent inside the block to ``seconds[stage]``."""
    t = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - t


def read_source(
    row: dict[str, Any], *, options: DeskOptions, fetcher: Fetcher | None = None
) -> _Read:
    """Worker task: fetch a source (conditional GET) and parse it as a feed, an OPML list or
    a page. ``fetcher``: the driver's, when run in its process; else this worker's own."""
    from .feeds import parse_feed, parse_opml, sniff

    watch = _Stopwatch()
    try:
        with watch("fetch"):
            fetched = _fetcher(options, fetcher).fetch(
                row["url"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                accept=_FEED_ACCEPT,
            )
        nbytes = len(fetched.content)
        if fetched.not_modified:
            return _Read("not_modified", _bodiless(fetched), nbytes=nbytes, seconds=watch.seconds)
        kind = sniff(fetched.content, fetched.content_type)
        if kind in ("feed", "json"):
            with watch("extract"):
                feed = parse_feed(fetched.content, fetched.final_url, fetched.content_type)
            return _Read(
                "feed", _bodiless(fetched), feed=feed, nbytes=nbytes, seconds=watch.seconds
            )
        if kind == "opml":
            opml = parse_opml(fetched.content, row["url"])
            return _Read(
                "opml", _bodiless(fetched), opml=opml, nbytes=nbytes, seconds=watch.seconds
            )
        page, split, url = _read_page(row["url"], fetched, options, watch)
    except SourceError as exc:
        return _Read("failed", failure=_Failure.of(exc), seconds=watch.seconds)
    return _article_read(page, split, url, _bodiless(fetched), nbytes, options, watch)


def read_item(
    task: tuple[dict[str, Any], str], *, options: DeskOptions, fetcher: Fetcher | None = None
) -> _Read:
    """Worker task: read one feed item (``(item row, feed title)``), from the feed's full
    text or from its page."""
    from .feeds import FeedItem, item_document

    item, feed_title = task
    watch = _Stopwatch()
    try:
        if item["content"]:
            fi = FeedItem(
                item["url"], None, item["title"] or "", "", item["content"], item["published"]
            )
            doc = item_document(fi, _outlet_from_feed_title(feed_title))
            with watch("extract"):
                page = extract(doc, options.pipeline.extract)
            url = canonical_url(item["url"]) if item["url"] else None
            fetched, nbytes = None, None
            split = _split(page, watch)
        else:
            with watch("fetch"):
                got = _fetcher(options, fetcher).fetch(
                    item["url"],
                    accept="text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                )
            page, split, url = _read_page(item["url"], got, options, watch)
            fetched, nbytes = _bodiless(got), len(got.content)
    except SourceError as exc:
        return _Read("failed", failure=_Failure.of(exc), seconds=watch.seconds)
    if not page.published and item["published"]:
        page = dataclasses.replace(page, published=item["published"])
    return _article_read(page, split, url, fetched, nbytes, options, watch)


def write_story(task: tuple[int, list[int], list[Article]], *, options: Options) -> _Written:
    """Worker task: write and verify one story from its articles (``(story id, article
    ids, articles)``); return its JSON, or the reason writing failed."""
    from .dedup import merge_copies
    from .pipeline import write_event
    from .render.jsonout import story as story_json

    _, _, articles = task
    watch = _Stopwatch()
    try:
        with watch("write"):
            data = story_json(write_event(merge_copies(articles), options))
    except (NewsdistillError, ValueError, IndexError) as exc:
        return _Written(None, str(exc) or type(exc).__name__, watch.seconds)
    return _Written(data, None, watch.seconds)


def warm_worker() -> None:
    """Import the fetching, feed, extraction, splitting, clustering and writing code and load
    the sentence model in a fresh worker process, so that the first tasks of a scan do not
    pay for it (extraction and feed parsing import more on first use)."""
    from . import cluster, dedup, pipeline, verify  # noqa: F401
    from .feeds import parse_feed
    from .render import jsonout  # noqa: F401

    page = "<html><body><article><h1>Warm</h1>" + "<p>Workers start here. They read.</p>" * 5
    # trafilatura and its helpers load on first use; the verdict on this page does not matter
    with suppress(ExtractionError):
        extract(Document("warm-up", page + "</article></body></html>", "html"))
    rss = (
        b'<rss version="2.0"><channel><title>W</title><item><title>t</title></item></channel></rss>'
    )
    parse_feed(rss, "http://warm.invalid/rss")
    _split(Page("warm-up", "Warm", "Workers start here. They read the news."), _Stopwatch())


def _add_seconds(total: defaultdict[str, float], more: dict[str, float]) -> None:
    for stage, seconds in more.items():
        total[stage] += seconds


def _fetcher(options: DeskOptions, fetcher: Fetcher | None) -> Fetcher:
    if fetcher is not None:
        return fetcher
    from .distributed import worker_fetcher

    return worker_fetcher(options.fetch)


def _bodiless(fetched: Fetched) -> Fetched:
    """The answer without its body: the driver needs status and validators, not bytes."""
    return dataclasses.replace(fetched, content=b"")


def _read_page(
    source: str, fetched: Fetched, options: DeskOptions, watch: _Stopwatch
) -> tuple[Page, list[Sentence], str]:
    """Extract and split a fetched page; its canonical URL is the page's own
    ``<link rel=canonical>`` when it names the same site, else the final URL."""
    doc = _document(source, fetched)
    with watch("extract"):
        page = extract(doc, options.pipeline.extract)
    url = canonical_url(fetched.final_url)
    declared = _declared_canonical(doc.content, fetched.final_url)
    if declared:
        url = canonical_url(declared)
    return page, _split(page, watch), url


def _split(page: Page, watch: _Stopwatch) -> list[Sentence]:
    from .sentences import split_sentences

    with watch("split"):
        return split_sentences(page.text, "a0")  # ids are renumbered when stored


def _article_read(
    page: Page,
    split: list[Sentence],
    url: str | None,
    fetched: Fetched | None,
    nbytes: int | None,
    options: DeskOptions,
    watch: _Stopwatch,
) -> _Read:
    """A read article with its clustering features, computed here rather than in the
    driver, whose clustering step is the one part of a scan that cannot be spread out."""
    from .cluster import features

    with watch("features"):
        feats = features(Article("a0", page, split), options.pipeline.cluster)
    return _Read(
        "page",
        fetched,
        page=page,
        sentences=split,
        url=url,
        features=feats,
        nbytes=nbytes,
        seconds=watch.seconds,
    )


def describe_changes(
    previous: dict[str, Any] | None, new: dict[str, Any], article_ids: Sequence[int]
) -> dict[str, Any]:
    """What a new version changes: articles added and removed, headline, sentences."""
    ids = [f"a{i}" for i in article_ids]
    if previous is None:
        return {
            "first": True,
            "articles_added": ids,
            "articles_removed": [],
            "headline_changed": False,
            "sentences_added": len(new["sentences"]),
            "sentences_removed": 0,
        }
    before = [f"a{i}" for i in previous["article_ids"]]
    old_text = [s["text"] for s in previous["story"]["sentences"]]
    new_text = [s["text"] for s in new["sentences"]]
    titles = {a["id"]: a["title"] for a in new["articles"]}
    return {
        "first": False,
        "articles_added": [a for a in ids if a not in before],
        "articles_added_titles": [titles.get(a, "") for a in ids if a not in before],
        "articles_removed": [a for a in before if a not in ids],
        "headline_changed": previous["headline"] != new["headline"],
        "previous_headline": previous["headline"],
        "sentences_added": sum(1 for t in new_text if t not in old_text),
        "sentences_removed": sum(1 for t in old_text if t not in new_text),
        "publishers": [previous["story"].get("publishers"), new.get("publishers")],
    }


# -- helpers ---------------------------------------------------------------------------------


def _iso(t: float) -> str:
    from .store import iso

    return iso(t)


def _by_host(rows: list[Any], url_of: Callable[[Any], str]) -> list[Any]:
    """Interleave work round-robin across hosts so one busy host does not idle the pool."""
    queues: dict[str, list[Any]] = {}
    for r in rows:
        queues.setdefault(urlsplit(url_of(r)).netloc.lower(), []).append(r)
    out: list[Any] = []
    lists = list(queues.values())
    for i in range(max((len(q) for q in lists), default=0)):
        out += [q[i] for q in lists if i < len(q)]
    return out


_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_CANONICAL = re.compile(r"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']""", re.I)


def _document(source: str, fetched: Fetched) -> Document:
    """A fetched page as a ``Document``: decoded by its declared charset, else UTF-8, else
    cp1252."""
    ctype = fetched.content_type.lower()
    if ctype and not any(t in ctype for t in ("html", "text/plain", "xml")):
        raise ExtractionError(source, f"not a web page (content type {ctype.split(';')[0]})")
    raw = fetched.content
    if not raw.strip():
        raise ExtractionError(source, "empty page")
    m = _CHARSET.search(ctype)
    text = None
    for encoding in ([m.group(1)] if m else []) + ["utf-8", "cp1252"]:
        try:
            text = raw.decode(encoding)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    if text is None:
        text = raw.decode("utf-8", errors="replace")
    kind: SourceKind = "text" if ctype.startswith("text/plain") else "html"
    return Document(source, text, kind, url=fetched.final_url)


def _declared_canonical(content: str, base: str) -> str | None:
    """The page's ``<link rel=canonical>`` when it is an http(s) URL on the same host."""
    m = _CANONICAL.search(content[:100_000])
    if not m:
        return None
    from urllib.parse import urljoin

    url = urljoin(base, m.group(1).strip())
    if (
        urlsplit(url).scheme in ("http", "https")
        and urlsplit(url).netloc.lower() == urlsplit(base).netloc.lower()
    ):
        return url
    return None


def _outlet_from_feed_title(title: str) -> str:
    """ "Coastal Times - World" -> "Coastal Times": feeds name their section after the outlet."""
    return re.split(r"\s+[|\u2013\u2014:-]\s+", title.strip(), maxsplit=1)[0] if title else ""
