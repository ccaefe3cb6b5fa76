"""The scan on a real Dask cluster (two worker processes on this machine): the same stories as
a single-process scan, failures on workers retried then recorded, a killed worker losing
nothing. Skipped, with the reason, when dask.distributed is not installed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "distributed", reason="dask.distributed is not installed: pip install 'newsdistill[scale]'"
)

import newsdistill.desk as desk_module  # noqa: E402
from newsdistill.desk import Desk, DeskOptions  # noqa: E402
from newsdistill.distributed import (  # noqa: E402
    DaskExecutor,
    LocalExecutor,
    TaskFailed,
    split_policy,
)
from newsdistill.fetch import FetchPolicy  # noqa: E402
from newsdistill.store import Store  # noqa: E402
from tests.desk_server import (  # noqa: E402
    RSS,
    DeskSite,
    PgServer,
    Reply,
    coast_site,
    serve,
    synthetic_article,
    synthetic_event,
    synthetic_rss,
)

EXE = str(Path(sys.executable).parent / "newsdistill")
# Story JSON keys that hold the time of writing, not its content.
TIMESTAMPS = {"generated", "created", "updated", "fetched", "written"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    executor = DaskExecutor.start(workers=2)
    yield executor
    executor.close()


@pytest.fixture
def site() -> Iterator[DeskSite]:
    yield from serve()


def options() -> DeskOptions:
    return DeskOptions(fetch=FetchPolicy(allow_private=True, host_delay=0.0), workers=4)


def synthetic_feeds(site: DeskSite, feeds: int = 4, items: int = 6, events: int = 5) -> list[str]:
    """Feeds of teaser items whose pages report a few fictional events."""
    urls = []
    for f in range(feeds):
        links = []
        for i in range(items):
            k = f * items + i
            title, html = synthetic_article(synthetic_event(k % events), f"Outlet {f}", i)
            site.set(f"/f{f}/{i}.html", Reply(html.encode()))
            links.append((f"/f{f}/{i}.html", title))
        body = synthetic_rss(f"Outlet {f}", site.base, links)
        urls.append(site.set(f"/f{f}/rss.xml", Reply(body, content_type=RSS)))
    return urls


def scan(url: str, targets: list[str], executor: Any = None) -> tuple[Store, Any]:
    store = Store.open(url)
    desk = Desk(store, options(), executor=executor)
    try:
        report = desk.scan(targets)
    finally:
        desk.close()
    return store, report


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a scan decided, without the times it decided it at."""
    stories = {}
    for s in store.stories():
        saved = store.version(s["id"])
        assert saved is not None
        stories[s["id"]] = {
            "headline": s["headline"],
            "articles": [(a["id"], a["url"]) for a in s["articles"]],
            "story": _untimed(saved["story"]),
        }
    with store.read() as conn:
        sentences = conn.exec_driver_sql(
            "SELECT article_id, n, text FROM sentences ORDER BY article_id, n"
        ).all()
    return {"stories": stories, "sentences": [tuple(r) for r in sentences]}


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in TIMESTAMPS}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def counts(report: Any) -> dict[str, Any]:
    d = report.to_dict()
    d.pop("elapsed")
    return d


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_write_the_same_stories_as_one_process(
    cluster: DaskExecutor,
    site: DeskSite,
    tmp_path: Path,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    targets = [*coast_site(site).values(), *synthetic_feeds(site)]

    def db(name: str) -> str:
        if backend == "sqlite":
            return str(tmp_path / f"{name}.sqlite")
        pg: PgServer = request.getfixturevalue("postgres")
        if pg.skip_reason:
            pytest.skip(pg.skip_reason)
        return pg.new_database()

    one, one_report = scan(db("one"), targets)
    many, many_report = scan(db("many"), targets, cluster)
    assert cluster.workers() == 2
    assert one_report.articles == 29 and one_report.stories_new >= 6
    assert counts(many_report) == counts(one_report)
    assert snapshot(many) == snapshot(one)
    one.close()
    many.close()


def test_features_from_workers_match_features_from_the_store(
    site: DeskSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clustering uses the features workers computed; a desk that computes them from the
    stored articles instead (as a replay does) must place every article the same way."""
    targets = synthetic_feeds(site)
    given, _ = scan(str(tmp_path / "given.sqlite"), targets)
    real = desk_module._article_read

    def without_features(*args: Any) -> Any:
        read = real(*args)
        read.features = None
        return read

    monkeypatch.setattr(desk_module, "_article_read", without_features)
    recomputed, _ = scan(str(tmp_path / "recomputed.sqlite"), targets)
    assert snapshot(recomputed) == snapshot(given)


# -- failures on workers ---------------------------------------------------------------------


def _explode_on_boom(log: str) -> None:
    """Run on every worker: extraction raises (as a bug would) for pages named "boom"."""
    real = desk_module.extract

    def extract(doc: Any, options: Any = None) -> Any:
        if "boom" in doc.source:
            with open(log, "a") as f:
                f.write(f"{os.getpid()}\n")
            raise RuntimeError("extractor crashed")
        return real(doc, options)

    extract.real = real  # type: ignore[attr-defined]
    desk_module.extract = extract


def _restore() -> None:
    desk_module.extract = getattr(desk_module.extract, "real", desk_module.extract)


def test_a_task_that_raises_is_retried_then_recorded_for_its_item(
    cluster: DaskExecutor, site: DeskSite, tmp_path: Path
) -> None:
    event = synthetic_event(1)
    links = []
    for name in ("ok-1", "boom", "ok-2"):
        title, html = synthetic_article(event, f"Outlet {name}", 0)
        site.set(f"/x/{name}.html", Reply(html.encode()))
        links.append((f"/x/{name}.html", title))
    feed = site.set("/x/rss.xml", Reply(synthetic_rss("X", site.base, links), content_type=RSS))
    log = tmp_path / "attempts.log"
    cluster.client.run(_explode_on_boom, str(log))
    try:
        store, report = scan(str(tmp_path / "fail.sqlite"), [feed], cluster)
    finally:
        cluster.client.run(_restore)

    assert report.articles == 2 and report.items_failed == 1
    assert len(log.read_text().split()) == cluster.retries + 1  # tried, then retried
    (failure,) = [f for f in report.failures if "boom" in f["url"]]
    assert failure["reason"].startswith(f"worker failed {cluster.retries + 1} times")
    assert "RuntimeError: extractor crashed" in failure["reason"]
    with store.read() as conn:
        state, error, attempts = conn.exec_driver_sql(
            "SELECT state, last_error, attempts FROM items WHERE url LIKE '%boom%'"
        ).one()
    # Recorded against the item like any transient failure: tried again on a later scan.
    assert (state, attempts) == ("pending", 1) and "extractor crashed" in error
    store.close()


def _square_unless_three(task: tuple[int, str]) -> int:
    n, log = task
    if n == 3:
        with open(log, "a") as f:
            f.write(f"{n}\n")
        raise ValueError("three is not welcome")
    return n * n


def test_a_batch_keeps_order_and_retries_only_the_task_that_raised(
    cluster: DaskExecutor, tmp_path: Path
) -> None:
    """Tasks travel in batches; one that raises does not fail its batch: it is run again
    alone, ``retries`` more times, then handed back as a ``TaskFailed``."""
    log = str(tmp_path / "threes.log")
    batched = DaskExecutor(cluster.client, retries=2, batch=10)
    tasks = [(n, log) for n in range(10)]
    chunks = list(batched.chunks(_square_unless_three, iter(tasks), count=len(tasks)))
    assert [t for chunk in chunks for t, _ in chunk] == tasks  # task order
    assert len(chunks) == 5  # 10 tasks over 2 workers: batches of 2 keep both busy
    results = dict((t[0], r) for chunk in chunks for t, r in chunk)
    assert {n: r for n, r in results.items() if n != 3} == {n: n * n for n in range(10) if n != 3}
    failed = results[3]
    assert isinstance(failed, TaskFailed) and failed.attempts == 3
    assert failed.reason == "ValueError: three is not welcome"
    assert Path(log).read_text().split() == ["3"] * 3  # once in its batch, twice alone
    big = list(DaskExecutor(cluster.client, batch=4).chunks(_square_unless_three, [(1, log)] * 40))
    assert [len(c) for c in big] == [4] * 10  # at most ``batch`` per round trip


def test_a_killed_worker_loses_no_article(site: DeskSite, tmp_path: Path) -> None:
    """SIGKILL one worker process mid-scan: Dask reruns its tasks elsewhere and every
    article is stored once."""
    executor = DaskExecutor.start(workers=2)
    try:
        site.default_delay = 0.05  # slow enough to kill a worker while items are read
        targets = synthetic_feeds(site, feeds=2, items=12, events=4)
        store = Store.open(str(tmp_path / "killed.sqlite"))
        desk = Desk(store, options(), executor=executor)
        result: dict[str, Any] = {}
        runner = threading.Thread(target=lambda: result.update(report=desk.scan(targets)))
        runner.start()
        deadline = time.monotonic() + 60
        while store.counts()["articles"] < 3:  # wait for the event, not for a length of time
            assert time.monotonic() < deadline and runner.is_alive(), "nothing was stored"
            time.sleep(0.01)
        victim = next(iter(executor.client.run(os.getpid).values()))
        os.kill(victim, signal.SIGKILL)
        runner.join(120)
        desk.close()
        report = result["report"]
        assert report.articles == 24 and report.items_failed == 0
        assert store.counts()["articles"] == 24 and store.check() == []
        store.close()
    finally:
        executor.close()


# -- options and the command line ------------------------------------------------------------


def test_politeness_is_divided_between_workers() -> None:
    policy = FetchPolicy(host_delay=1.0, host_concurrency=4)
    assert split_policy(policy, 1) == policy
    two = split_policy(policy, 2)
    assert (two.host_delay, two.host_concurrency) == (2.0, 2)
    eight = split_policy(policy, 8)
    assert (eight.host_delay, eight.host_concurrency) == (8.0, 1)


def test_local_executor_keeps_task_order() -> None:
    def slow_first(n: int) -> int:
        time.sleep(0.01 * (5 - n))  # later tasks finish first
        return n * n

    got = list(LocalExecutor(4).map(slow_first, range(5)))
    assert got == [(n, n * n) for n in range(5)]
    # In chunks: the results that were ready together (all of them here: the first task is
    # the slowest), to be stored in one transaction.
    chunks = list(LocalExecutor(4).chunks(slow_first, range(5)))
    assert [pair for chunk in chunks for pair in chunk] == got and len(chunks) < 5


def test_cli_scan_on_workers_and_usage_errors(site: DeskSite, tmp_path: Path) -> None:
    env = {**os.environ, "NEWSDISTILL_DB": ""}
    env.pop("NEWSDISTILL_DB")
    feeds = list(coast_site(site).values())
    common = ["--allow-private", "--host-delay", "0", "--format", "json"]
    out = subprocess.run(
        [EXE, "scan", *feeds, "--db", str(tmp_path / "w.sqlite"), "--workers", "1", *common],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert '"articles": 5' in out.stdout
    both = subprocess.run(
        [EXE, "scan", *feeds, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1", *common],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert both.returncode == 2 and "give one of them" in both.stderr
    gone = subprocess.run(
        [EXE, "scan", *feeds, "--db", str(tmp_path / "g.sqlite"),
         "--scheduler", "tcp://127.0.0.1:9", *common],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )  # fmt: skip
    assert gone.returncode == 1 and "cannot reach the Dask scheduler" in gone.stderr
