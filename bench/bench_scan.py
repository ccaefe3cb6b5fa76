"""Speed of the news desk: a full scan of many local feeds, then a second scan with nothing new.

Serves FEEDS RSS feeds x ITEMS teaser items on 127.0.0.1 (fictional synthetic reports from
tests/desk_server.py: EVENTS events, each reported by FEEDS * ITEMS / EVENTS outlets), runs
one ``Desk.scan`` into a fresh SQLite store, then a second scan. Prints items per second,
the time of each stage, peak memory (max RSS of this process, server threads included) and
the cost of the second, no-change scan (requests, time, rows written).

Every feed is on one host, so politeness is set for a local test (no delay between requests,
``--workers`` requests at once to that host); against real sites the per-host delay, not
this code, bounds the speed.

    .venv/bin/python bench/bench_scan.py                 # 200 feeds x 20 items
    .venv/bin/python bench/bench_scan.py --feeds 20      # quicker
    .venv/bin/python bench/bench_scan.py --db postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import table  # noqa: E402
from tests.desk_server import (  # noqa: E402
    RSS,
    DeskSite,
    Reply,
    synthetic_article,
    synthetic_event,
    synthetic_rss,
)

from newsdistill.desk import Desk, DeskOptions, ScanReport  # noqa: E402
from newsdistill.fetch import FetchPolicy  # noqa: E402
from newsdistill.store import Store  # noqa: E402


def serve(site: DeskSite, feeds: int, items: int, events: int) -> list[str]:
    """Set up the feeds and their pages; return the feed URLs."""
    evs = [synthetic_event(e) for e in range(events)]
    urls = []
    for f in range(feeds):
        links = []
        for i in range(items):
            k = f * items + i
            title, html = synthetic_article(evs[k % events], f"Outlet {f}", i)
            path = f"/f{f}/i{i}.html"
            site.set(path, Reply(html.encode()))
            links.append((path, title))
        body = synthetic_rss(f"Outlet {f}", site.base, links)
        urls.append(site.set(f"/f{f}/rss.xml", Reply(body, content_type=RSS, etag=f'"f{f}"')))
    return urls


class Stages:
    """Wall time per stage of a scan, from the desk's progress callback."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._phase = "sources"
        self._t = time.perf_counter()

    def __call__(self, phase: str, _report: ScanReport) -> None:
        if phase != self._phase:
            now = time.perf_counter()
            self.times[self._phase] = now - self._t
            self._phase, self._t = phase, now


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--events", type=int, default=0, help="default: one per 10 items")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    events = args.events or max(1, args.feeds * args.items // 10)

    site = DeskSite().start()
    urls = serve(site, args.feeds, args.items, events)
    tmp = tempfile.TemporaryDirectory()
    store = Store.open(args.db or str(Path(tmp.name) / "bench.sqlite"))
    policy = FetchPolicy(allow_private=True, host_delay=0.0, host_concurrency=args.workers)
    options = DeskOptions(fetch=policy, workers=args.workers)

    rows = []
    for label in ("full scan", "no-change scan"):
        stages = Stages()
        desk = Desk(store, options, progress=stages)
        before = store.counts()
        requests = len(site.requests)
        started = time.perf_counter()
        report = desk.scan(urls)
        took = time.perf_counter() - started
        desk.close()
        after = store.counts()
        written = sum(after[t] - before[t] for t in after if t != "fetch_log")
        n = report.new_items
        stage = [f"{stages.times.get(s, 0):.1f}" for s in ("sources", "items", "stories")]
        rate = f"{n / took:.1f}" if n else "-"
        stories = report.stories_new + report.stories_updated
        sent = len(site.requests) - requests
        rows.append([label, f"{took:.1f}", rate, sent, report.articles, stories, written, *stage])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bench_scan: {args.feeds} feeds x {args.items} items = {args.feeds * args.items} items, "
        f"{events} events, {args.workers} workers, store {store.dialect}"
    )
    headers = ["pass", "seconds", "items/s", "requests", "new articles", "stories written",
               "rows written", "s sources", "s items", "s stories"]  # fmt: skip
    print(table(headers, rows))
    print(f"peak memory (max RSS, whole process incl. server): {peak_mb:.0f} MB")
    print(f"stories in store: {len(store.stories())}; consistency problems: {len(store.check())}")
    store.close()
    site.stop()
    tmp.cleanup()


if __name__ == "__main__":
    main()
