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
  pickled module-level functions, sent in batches (one Dask task per batch: a Dask task
  costs milliseconds of CPU, as much as a small page); each worker process keeps its own
  ``Fetcher`` (``worker_fetcher``). A task that raises is run again alone, ``retries``
  times, and then handed back as a ``TaskFailed`` value, which the desk records against
  the source, item or story like any other failure; a batch whose worker died is run again
  elsewhere by Dask.

Results come in lists (``Executor.chunks``: a worker's batch, or the threads' results
already done), which the desk stores one transaction each. Every database write stays in
the driver (the process that called ``Desk.scan``): workers only compute values. So a lost
worker never loses a committed article, and SQLite keeps its single writer even with many
workers.

Politeness across processes: each worker has its own per-host limits, so the desk divides
the budget (``split_policy``): with N workers each waits N times ``host_delay`` between two
requests to a host and gets ``host_concurrency // N`` (at least 1) connections to it; the
request rate to one host stays what a single process would send.

Dask is an optional dependency (``pip install 'newsdistill[scale]'``), imported only when a
``DaskExecutor`` starts.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
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

    def chunks(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        inline: bool = False,
        count: int | None = None,
    ) -> Iterator[list[tuple[T, R | TaskFailed]]]:
        """Yield ``(task, fn(task))`` pairs in task order, in lists of the results that
        arrived together (a worker's batch, or the threads' results already done), so that
        the caller can store each list in one transaction. ``inline``: the work is
        CPU-bound Python that threads cannot speed up, so a local executor runs it in the
        calling thread, one task at a time. ``count``: how many tasks a generator will
        yield (sizes the batches sent to workers)."""
        ...

    def map(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, inline: bool = False
    ) -> Iterator[tuple[T, R | TaskFailed]]:
        """Yield ``(task, fn(task))`` in task order, one at a time."""
        for chunk in self.chunks(fn, tasks, inline=inline):
            yield from chunk

    def prepare(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` once in every worker process before any task (imports, models)."""
        ...

    def close(self) -> None: ...


class LocalExecutor(Executor):
    """Threads in this process: the default, single-process path."""

    name = "threads"
    in_process = True
    most = 64  # results handed over together at most

    def __init__(self, threads: int = 8) -> None:
        self.threads = threads

    def workers(self) -> int:
        return 1

    def chunks(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        inline: bool = False,
        count: int | None = None,
    ) -> Iterator[list[tuple[T, R | TaskFailed]]]:
        if inline:
            for task in tasks:
                yield [(task, fn(task))]
            return
        todo = list(tasks)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="desk") as pool:
            futures: list[Future[R]] = [pool.submit(fn, t) for t in todo]
            try:
                i = 0
                while i < len(todo):
                    # Wait for the next result, then take those already done after it.
                    chunk: list[tuple[T, R | TaskFailed]] = [(todo[i], futures[i].result())]
                    i += 1
                    while i < len(todo) and futures[i].done() and len(chunk) < self.most:
                        chunk.append((todo[i], futures[i].result()))
                        i += 1
                    yield chunk
            finally:  # a consumer that stops early (an error, kill) does not wait for all
                for fut in futures:
                    fut.cancel()

    def prepare(self, fn: Callable[[], object]) -> None:
        pass  # this process imports what it needs on first use, as it always did

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class _Raised:
    """A task of a batch that raised on the worker (the rest of the batch went on)."""

    reason: str


def run_batch(fn: Callable[[T], R], tasks: list[T]) -> list[R | _Raised]:
    """Worker side of a batch: ``fn`` over ``tasks``; a task that raises does not stop the
    others, it comes back as ``_Raised`` and the driver retries it alone."""
    out: list[R | _Raised] = []
    for task in tasks:
        try:
            out.append(fn(task))
        except Exception as exc:  # noqa: BLE001 - a bug in one task; retried alone by the driver
            out.append(_Raised(_describe(exc)))
    return out


class DaskExecutor(Executor):
    """A Dask cluster: ``DaskExecutor.start(workers=N)`` or ``start(scheduler="tcp://...")``.

    Tasks travel in batches of up to ``batch``: each Dask task costs a few milliseconds of
    CPU in the scheduler, the client and the worker (measured by ``bench/bench_scale.py``),
    as much as extracting a small page, so one task per article spent half the cluster on
    bookkeeping. Batches are small enough that every worker thread gets several
    (``count / (4 * threads)``), so a small scan still spreads over all workers.

    ``retries``: how many times a task that raised is run again, alone (a worker that dies
    mid-batch is handled by Dask itself, which reschedules the batch elsewhere up to its
    ``allowed-failures``). ``window``: tasks in flight per worker thread, so a scan of a
    million items does not pickle them all at once and results do not pile up in worker
    memory.
    """

    name = "dask"
    in_process = False

    def __init__(
        self,
        client: Any,
        cluster: Any = None,
        *,
        retries: int = 2,
        window: int = 32,
        batch: int = 16,
    ) -> None:
        self.client = client
        self.cluster = cluster  # ours to close when we started it
        self.retries = retries
        self.window = window
        self.batch = batch

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

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def chunks(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        inline: bool = False,
        count: int | None = None,
    ) -> Iterator[list[tuple[T, R | TaskFailed]]]:
        threads = self.threads()
        if count is None and isinstance(tasks, Sized):
            count = len(tasks)
        size = self.batch if count is None else -(-count // (4 * threads))
        size = max(1, min(self.batch, size))
        window = threads * max(2, -(-self.window // size))  # batches in flight
        pending: deque[tuple[list[T], Any]] = deque()
        source = iter(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    batch = list(itertools.islice(source, size))
                    if not batch:
                        exhausted = True
                        break
                    # No Dask retries for the batch: run_batch catches each task's error.
                    pending.append((batch, self.client.submit(run_batch, fn, batch, pure=False)))
                if not pending:
                    return
                batch, fut = pending.popleft()
                try:
                    results: list[R | _Raised] = fut.result()
                except Exception as exc:  # noqa: BLE001 - the batch itself failed (lost workers)
                    results = [_Raised(_describe(exc))] * len(batch)
                    tries = self.retries + 1  # no task of it was tried to the end
                else:
                    tries = self.retries
                yield [
                    (task, self._again(fn, task, r, tries) if isinstance(r, _Raised) else r)
                    for task, r in zip(batch, results, strict=True)
                ]
        finally:
            for _, fut in pending:
                fut.cancel()

    def _again(self, fn: Callable[[T], R], task: T, raised: _Raised, tries: int) -> R | TaskFailed:
        """Run a task that raised in its batch again, alone, ``tries`` more times."""
        if tries <= 0:
            return TaskFailed(raised.reason, self.retries + 1)
        fut = self.client.submit(fn, task, pure=False, retries=tries - 1)
        try:
            result: R = fut.result()
        except Exception as exc:  # noqa: BLE001 - anything a worker raised, after retries
            return TaskFailed(_describe(exc), self.retries + 1)
        return result

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
