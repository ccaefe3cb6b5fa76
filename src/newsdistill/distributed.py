"""Where the desk's per-article work runs: a thread pool here, or a Dask cluster.

The desk (``desk.Desk``) hands an executor a pure function and a list of tasks (a feed or
page row, a pending item, a story's articles) and gets the results back **in task order**,
each as soon as it and every task before it are done. Task order, not completion order, is
what makes a scan reproducible: articles are stored, numbered and clustered in the same
order whether one thread, eight threads or ten machines read them, so a distributed scan
gives the same stories as a single-process one.

Two executors:

- ``LocalExecutor``: the single-process path (the default). A thread pool of
  ``DeskOptions.workers`` threads shares the desk's ``Fetcher`` (one politeness state per
  host). An unexpected exception in a task is a bug and propagates, as it always did.
- ``DaskExecutor``: a ``dask.distributed`` cluster, local (``LocalCluster`` of N processes,
  one thread each unless told otherwise) or existing (a scheduler address). Tasks are
  pickled module-level functions; each worker process keeps its own ``Fetcher``
  (``worker_fetcher``). A task that raises is retried ``retries`` times by Dask (on another
  worker if its worker died) and then handed back as a ``TaskFailed`` value, which the desk
  records against the source, item or story like any other failure.

Every database write stays in the driver (the process that called ``Desk.scan``): workers
only compute values. So a lost worker never loses a committed article, and SQLite keeps its
single writer even with many workers.

Politeness across processes: each worker has its own per-host limits, so the desk divides
the budget (``split_policy``): with N workers each waits N times ``host_delay`` between two
requests to a host and gets ``host_concurrency // N`` (at least 1) connections to it; the
request rate to one host stays what a single process would send.

Dask is an optional dependency (``pip install 'newsdistill[scale]'``), imported only when a
``DaskExecutor`` starts.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .errors import NewsdistillError

if TYPE_CHECKING:
    from .fetch import Fetcher, FetchPolicy

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "install it with: pip install 'newsdistill[scale]'"


@dataclass(frozen=True)
class TaskFailed:
    """A task that raised on a worker every time it was tried."""

    reason: str  # "RuntimeError: ..." of the last attempt
    attempts: int


class Executor(Protocol):
    """Runs a pure function over tasks; results come back in task order."""

    name: str
    # True when tasks run in the driver's memory (and may share its Fetcher); False when
    # tasks and results are pickled to other processes.
    in_process: bool

    def workers(self) -> int:
        """How many processes share the work (1 for the thread pool)."""
        ...

    def map(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, inline: bool = False
    ) -> Iterator[tuple[T, R | TaskFailed]]:
        """Yield ``(task, fn(task))`` in task order. ``inline``: the work is CPU-bound
        Python that threads cannot speed up, so a local executor runs it in the calling
        thread, one task at a time."""
        ...

    def prepare(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` once in every worker process before any task (imports, models)."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """Threads in this process: the default, single-process path."""

    name = "threads"
    in_process = True

    def __init__(self, threads: int = 8) -> None:
        self.threads = threads

    def workers(self) -> int:
        return 1

    def map(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, inline: bool = False
    ) -> Iterator[tuple[T, R | TaskFailed]]:
        if inline:
            for task in tasks:
                yield task, fn(task)
            return
        todo = list(tasks)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="desk") as pool:
            futures: list[Future[R]] = [pool.submit(fn, t) for t in todo]
            try:
                for task, fut in zip(todo, futures, strict=True):
                    yield task, fut.result()
            finally:  # a consumer that stops early (an error, kill) does not wait for all
                for fut in futures:
                    fut.cancel()

    def prepare(self, fn: Callable[[], object]) -> None:
        pass  # this process imports what it needs on first use, as it always did

    def close(self) -> None:
        pass


class DaskExecutor:
    """A Dask cluster: ``DaskExecutor.start(workers=N)`` or ``start(scheduler="tcp://...")``.

    ``retries``: how many times Dask runs a task again after it raised (a worker that dies
    mid-task is handled by Dask itself, which reschedules the task elsewhere up to its
    ``allowed-failures``). ``window``: tasks in flight per worker, so a scan of a million
    items does not pickle them all at once and results do not pile up in worker memory.
    """

    name = "dask"
    in_process = False

    def __init__(
        self, client: Any, cluster: Any = None, *, retries: int = 2, window: int = 16
    ) -> None:
        self.client = client
        self.cluster = cluster  # ours to close when we started it
        self.retries = retries
        self.window = window

    @classmethod
    def start(
        cls,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        threads_per_worker: int = 1,
        retries: int = 2,
    ) -> DaskExecutor:
        """Start a local cluster of ``workers`` processes, or connect to ``scheduler``.
        Raise ``NewsdistillError`` with what to do when Dask is missing or unreachable."""
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise NewsdistillError(
                f"running on Dask workers needs dask.distributed; {INSTALL_HINT}"
            ) from exc
        if scheduler:
            try:
                client = Client(scheduler, timeout="5s")
            except (OSError, TimeoutError) as exc:
                raise NewsdistillError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}; check the address "
                    "(tcp://HOST:PORT) and that `dask scheduler` is running there"
                ) from exc
            return cls(client, retries=retries)
        cluster = LocalCluster(
            n_workers=workers or 1,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=":0",  # any free port: two clusters on one machine coexist
            silence_logs=logging.ERROR,
        )
        return cls(Client(cluster), cluster, retries=retries)

    def workers(self) -> int:
        return max(1, len(self.client.nthreads()))

    def map(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, inline: bool = False
    ) -> Iterator[tuple[T, R | TaskFailed]]:
        window = self.window * self.workers()
        pending: deque[tuple[T, Any]] = deque()
        source = iter(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    try:
                        task = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    fut = self.client.submit(fn, task, pure=False, retries=self.retries)
                    pending.append((task, fut))
                if not pending:
                    return
                task, fut = pending.popleft()
                try:
                    result: R | TaskFailed = fut.result()
                except Exception as exc:  # noqa: BLE001 - anything a worker raised, after retries
                    result = TaskFailed(_describe(exc), self.retries + 1)
                yield task, result
        finally:
            for _, fut in pending:
                fut.cancel()

    def prepare(self, fn: Callable[[], object]) -> None:
        # Workers that join later warm up on their first task instead.
        self.client.run(fn)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def split_policy(policy: FetchPolicy, workers: int) -> FetchPolicy:
    """The politeness budget of one of ``workers`` processes fetching independently: the
    delay between two requests to a host multiplied by N, the connections to it divided by
    N (at least one each), so N workers together send what one process would."""
    if workers <= 1:
        return policy
    return dataclasses.replace(
        policy,
        host_delay=policy.host_delay * workers,
        host_concurrency=max(1, policy.host_concurrency // workers),
    )


_FETCHERS: dict[Any, Fetcher] = {}
_FETCHERS_LOCK = threading.Lock()


def worker_fetcher(policy: FetchPolicy) -> Fetcher:
    """The ``Fetcher`` of this worker process for ``policy``: made once and kept, so its
    robots.txt cache, per-host delays and backoffs last across tasks and scans."""
    from .fetch import Fetcher

    with _FETCHERS_LOCK:
        fetcher = _FETCHERS.get(policy)
        if fetcher is None:
            fetcher = _FETCHERS[policy] = Fetcher(policy)
        return fetcher


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
