"""Scale-out of the news desk: the same local scan single-process and on Dask workers.

Serves FEEDS RSS feeds x ITEMS teaser items on 127.0.0.1 with ``bench_scan``'s server and
synthetic news, then scans them into a fresh SQLite store three ways: the single-process
path (``--threads``), a local Dask cluster of 1 worker process and one of 2. Prints seconds,
items per second and speed-up over the single-process path, and where the time goes per
article: the workers' stages (fetch, extract = trafilatura + cleaning + segmentation, split,
features, write) summed over articles, and the driver's (store writes, clustering).

The server runs in a process of its own, as the web would, serving bytes rendered before
the scan (measured: 0.1 s of CPU per 1,000 items): in the driver's process its threads would
compete with the driver for one interpreter lock and hide the workers' gain.
Cluster start-up is timed apart from the scan: a desk that runs ``watch`` starts it once.
Worker stage times are wall time inside the tasks (a fetch includes waiting for the server),
so on a loaded machine they grow with contention; other jobs on the machine make every
figure noisy. The CPU seconds each process used during the scan (server, driver, workers)
vary far less with load than wall time: they show what each part costs, and give the
scan's time if the machine's cores were free (an estimate, printed as such).

    .venv/bin/python bench/bench_scale.py                 # 200 feeds x 20 items
    .venv/bin/python bench/bench_scale.py --feeds 20      # quicker
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import table  # noqa: E402
from bench.bench_scan import Stages, serve  # noqa: E402
from tests.desk_server import DeskSite  # noqa: E402

from newsdistill.desk import Desk, DeskOptions  # noqa: E402
from newsdistill.distributed import DaskExecutor  # noqa: E402
from newsdistill.fetch import FetchPolicy  # noqa: E402
from newsdistill.store import Store  # noqa: E402


def _serve(
    conn: multiprocessing.connection.Connection, feeds: int, items: int, events: int
) -> None:
    """Child process: serve the synthetic feeds until told to stop."""
    site = DeskSite().start()
    conn.send(serve(site, feeds, items, events))
    conn.recv()
    site.stop()


STAGES = ("fetch", "extract", "split", "features", "cluster", "write", "store")


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``."""
    import psutil

    try:
        t = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return t.user + t.system


def _waited(pid: int) -> float:
    """Seconds the threads of process ``pid`` have spent ready to run but waiting for a core
    (Linux schedstat; 0 elsewhere): how much other jobs and our own processes held us up."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        pass  # a thread that ended meanwhile, or no schedstat here
    return total / 1e9


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _worker_pids(executor: DaskExecutor | None) -> list[int]:
    """The worker processes (a LocalCluster's nannies live in this process)."""
    if executor is None:
        return []
    return [p for p in executor.client.run(os.getpid).values() if p != os.getpid()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--events", type=int, default=0, help="default: one per 10 items")
    ap.add_argument("--threads", type=int, default=8, help="threads of the single-process path")
    ap.add_argument("--max-workers", type=int, default=2)
    args = ap.parse_args()
    events = args.events or max(1, args.feeds * args.items // 10)

    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(theirs, args.feeds, args.items, events))
    server.start()
    urls: list[str] = ours.recv()
    tmp = tempfile.TemporaryDirectory()
    # One host serves every feed: politeness off, as in bench_scan.
    policy = FetchPolicy(allow_private=True, host_delay=0.0, host_concurrency=args.threads)
    options = DeskOptions(fetch=policy, workers=args.threads)

    paths: list[tuple[str, int]] = [(f"single process, {args.threads} threads", 0)]
    paths += [(f"dask, {n} worker{'s' * (n > 1)}", n) for n in range(1, args.max_workers + 1)]
    rows: list[list[object]] = []
    per_article: list[list[object]] = []
    cpu_rows: list[list[object]] = []
    bounds: list[float] = []
    base = None
    for label, workers in paths:
        executor, startup = None, 0.0
        if workers:
            t = time.perf_counter()
            executor = DaskExecutor.start(workers=workers)
            startup = time.perf_counter() - t
        store = Store.open(str(Path(tmp.name) / f"{workers}.sqlite"))
        t = time.perf_counter()
        desk = Desk(store, options, executor=executor)  # warms the workers up
        startup += time.perf_counter() - t
        watched = _worker_pids(executor)
        pids = [server.pid or 0, os.getpid(), *watched]
        cpu0 = [_cpu(server.pid or 0), _self_cpu(), *(_cpu(p) for p in watched)]
        waited0 = sum(_waited(p) for p in pids)
        desk.progress = stages = Stages()
        started = time.perf_counter()
        report = desk.scan(urls)
        took = time.perf_counter() - started
        cpu1 = [_cpu(server.pid or 0), _self_cpu(), *(_cpu(p) for p in watched)]
        waited = sum(_waited(p) for p in pids) - waited0
        desk.close()
        if executor is not None:
            executor.close()
        base = base or took
        n = report.new_items
        stories = report.stories_new + report.stories_updated
        phases = [f"{stages.times.get(s, 0.0):.1f}" for s in ("sources", "items", "stories")]
        rows.append([label, f"{startup:.1f}", f"{took:.1f}", *phases, f"{n / took:.0f}",
                     f"{base / took:.2f}x", report.articles, stories])  # fmt: skip
        arts = max(1, report.articles)
        per_article.append(
            [label, *(f"{1000 * desk.seconds.get(s, 0.0) / arts:.2f}" for s in STAGES)]
        )
        used = [b - a for a, b in zip(cpu0, cpu1, strict=True)]
        total = sum(used)
        # The scan's time if the cores were ours alone and no stage waited for another: no
        # process goes faster than its own CPU time, nor all of them than their total over
        # the cores. An upper bound on the speed-up (the phases of a scan do wait).
        bound = max(*used, total / (os.cpu_count() or 1))
        bounds.append(bound)
        cpu_rows.append([label, f"{used[0]:.1f}", f"{used[1]:.1f}", f"{sum(used[2:]):.1f}",
                         f"{total:.1f}", f"{total / took:.2f}", f"{waited:.1f}", f"{bound:.1f}",
                         f"{bounds[0] / bound:.2f}x"])  # fmt: skip
        store.close()
    load = os.getloadavg()[0]
    print(
        f"bench_scale: {args.feeds} feeds x {args.items} items = {args.feeds * args.items} items, "
        f"{events} events, SQLite, {os.cpu_count()} CPUs, load average {load:.1f} at the end"
    )
    headers = ["path", "s start", "s scan", "s sources", "s items", "s stories", "items/s",
               "speed-up", "articles", "stories"]  # fmt: skip
    print(table(headers, rows))
    print("\nms per stored article, summed over tasks (workers: fetch..features, write; "
          "driver: cluster, store)")  # fmt: skip
    print(table(["path", *STAGES], per_article))
    print("\nCPU seconds during the scan, per process (driver: desk, store, clustering, Dask "
          "client, scheduler and nannies).\n's waiting': seconds our processes were ready to "
          "run but had no core (other jobs, or each other).\n"
          "'s at best': the scan's time if the cores were "
          "free and nothing waited, max(busiest process, total / cores): a bound, not a "
          "measurement")  # fmt: skip
    headers = ["path", "server", "driver", "workers", "total", "cores busy", "s waiting",
               "s at best", "speed-up at best"]  # fmt: skip
    print(table(headers, cpu_rows))
    ours.send("stop")
    server.join(10)
    tmp.cleanup()


if __name__ == "__main__":
    main()
