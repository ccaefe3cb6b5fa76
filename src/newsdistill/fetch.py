"""A polite HTTP fetcher for the news desk (``newsdistill scan`` / ``watch``).

What "polite" means here, each a rule of ``Fetcher.fetch``:

- robots.txt is read once per site (cached for ``robots_ttl``) with protego and obeyed for
  our User-Agent; its Crawl-delay raises the wait between requests to that host. A robots.txt
  that answers 4xx allows everything; 5xx or no answer disallows the site for now (RFC 9309).
- Conditional GET: pass the ``etag``/``last_modified`` of the previous answer and an
  unchanged resource comes back as ``Fetched.not_modified`` with no body transferred.
- Per host: at most ``host_concurrency`` requests at once and ``host_delay`` seconds between
  the starts of two requests.
- 429/503 with Retry-After: a short wait (up to ``max_wait``) is waited out and the request
  retried once; a longer one defers the request (``Deferred``) and every other request to
  that host until then, without touching the network.
- Hosts that keep failing (connection errors, timeouts, 5xx) are backed off exponentially
  after ``failures_before_backoff`` consecutive failures.
- An honest User-Agent with a contact URL; redirects followed by hand (each hop checked) up
  to ``max_redirects``; responses capped at ``max_bytes`` (decoded) and ``timeout`` seconds
  in total, so a slow-drip server cannot hold a worker forever.
- Safety: only http and https; hosts that resolve to loopback, private, link-local or
  metadata addresses are refused unless ``allow_private`` (``sources.check_address``).

Errors (all ``errors.FetchError``, so a scan records them per source and goes on)::

    FetchError      the fetch failed: network, too large, too slow
    ├── HttpError   the server answered 4xx or 5xx; ``status`` holds the code
    ├── Refused     policy forbids this URL (robots.txt, private address, scheme, size or
    │               redirect limit); retrying will not help until the policy changes
    └── Deferred    the host asked us to wait or is backed off; ``retry_at`` says until when

The clock is injectable (``Clock``) so tests exercise rate limits, Retry-After and backoff
without sleeping on wall-clock time.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

from .errors import FetchError
from .sources import USER_AGENT, check_address

if TYPE_CHECKING:
    import httpx
    from protego import Protego

DEFAULT_CONTACT = "https://github.com/newsdistill/newsdistill"


class Refused(FetchError):
    """The URL may not be fetched: robots.txt, a private address or an unsupported scheme."""


class AddressRefused(Refused):
    """The URL resolves to an address we do not fetch from without ``--allow-private``.

    Unlike robots.txt, this depends on the user's flags, so it is not remembered."""


class HttpError(FetchError):
    """The server answered with an error status (4xx, or 5xx without Retry-After)."""

    def __init__(self, source: str, reason: str, status: int) -> None:
        super().__init__(source, reason)
        self.status = status


class Deferred(FetchError):
    """The host asked us to come back later (Retry-After) or is being backed off."""

    def __init__(self, source: str, reason: str, retry_at: float) -> None:
        super().__init__(source, reason)
        self.retry_at = retry_at


class Clock(Protocol):
    """Time as the fetcher sees it: seconds since the epoch, and a way to wait."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock for tests: ``sleep`` advances time at once and records the wait."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._t = start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            if seconds > 0:
                self.slept.append(seconds)
                self._t += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._t += seconds


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of the fetcher. The defaults suit polling real news sites."""

    contact: str = DEFAULT_CONTACT  # shown in the User-Agent so site owners can reach us
    timeout: float = 20.0  # seconds for a whole response, headers to last byte
    max_bytes: int = 10 * 1024 * 1024  # a news page or feed is well under 10 MB
    max_redirects: int = 5
    allow_private: bool = False
    # One request at a time per host, one second apart: the manners of common crawlers.
    host_concurrency: int = 1
    host_delay: float = 1.0
    max_crawl_delay: float = 60.0  # a robots.txt Crawl-delay above this is capped
    max_wait: float = 30.0  # a Retry-After up to this is waited out; longer ones defer
    max_retry_after: float = 24 * 3600.0  # ignore absurd Retry-After values beyond this
    failures_before_backoff: int = 3
    backoff_base: float = 60.0  # first backoff; doubles with each further failure
    backoff_max: float = 6 * 3600.0
    robots_ttl: float = 24 * 3600.0
    obey_robots: bool = True

    @property
    def user_agent(self) -> str:
        """An honest User-Agent: product/version and a contact URL."""
        base = USER_AGENT.split(" (", 1)[0]
        return f"{base} (+{self.contact})"


@dataclass(frozen=True)
class Fetched:
    """One successful answer (or a 304) to a GET."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    """What we know about one host (scheme://host:port)."""

    gate: threading.Semaphore
    next_start: float = 0.0
    delay: float = 0.0
    blocked_until: float = 0.0
    blocked_reason: str = ""
    failures: int = 0
    robots: Protego | None = None
    robots_error: str | None = None  # set when robots.txt could not be read
    robots_until: float = 0.0
    robots_lock: threading.Lock = field(default_factory=threading.Lock)


def host_key(url: str) -> str:
    """scheme://host[:port], lower-cased: the unit of politeness."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


# Query parameters that track the reader, not the article: dropped from canonical URLs.
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|ocid|cmpid|ncid)$", re.I
)


def canonical_url(url: str) -> str:
    """The URL an article is known by: lower-case scheme and host, no default port, no
    fragment, no tracking parameters, "/" for an empty path. Two links to one article that
    differ only in these compare equal."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port and (scheme, parts.port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = "&".join(
        p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0])
    )
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


class Fetcher:
    """Fetch URLs politely; thread-safe, meant to be shared by a pool of workers.

    >>> with Fetcher(FetchPolicy(allow_private=True)) as f:  # doctest: +SKIP
    ...     page = f.fetch("http://127.0.0.1:8000/feed.xml", etag='"v1"')
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        import httpx  # lazy: keeps `newsdistill --help` fast

        self.policy = policy or FetchPolicy()
        self.clock: Clock = clock or SystemClock()
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self._client = httpx.Client(
            timeout=self.policy.timeout,
            follow_redirects=False,
            headers={"User-Agent": self.policy.user_agent},
            transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        self.requests = 0  # HTTP requests sent, robots.txt included (for the benchmark)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
    ) -> Fetched:
        """GET ``url`` under the policy; raise ``FetchError`` (or a subclass) on failure."""
        start = self.clock.now()
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            self._check_url(current, url)
            host = self._host(current)
            self._check_blocked(host, url)
            if self.policy.obey_robots:
                self._check_robots(current, url, host)
            headers = {"Accept": accept}
            if current == url:  # validators belong to the URL they came from
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            result = self._get_with_retry(current, url, host, headers)
            if isinstance(result, str):  # a redirect: follow it
                current = result
                continue
            return Fetched(
                url=url,
                final_url=current,
                status=result.status,
                content=result.content,
                content_type=result.content_type,
                etag=result.etag,
                last_modified=result.last_modified,
                elapsed=self.clock.now() - start,
            )
        raise Refused(url, f"too many redirects (more than {self.policy.max_redirects})")

    def host_state(self, url: str) -> dict[str, object]:
        """What the fetcher knows about the host of ``url`` (for reports and tests)."""
        h = self._host(url)
        return {
            "failures": h.failures,
            "blocked_until": h.blocked_until,
            "blocked_reason": h.blocked_reason,
            "delay": h.delay,
        }

    # -- policy checks ----------------------------------------------------------------------

    def _check_url(self, current: str, source: str) -> None:
        scheme = urlsplit(current).scheme.lower()
        if scheme not in {"http", "https"}:
            raise Refused(
                source, f"unsupported URL scheme {scheme or '(none)'!r}: only http and https"
            )
        try:
            check_address(current, source, self.policy.allow_private)
        except FetchError as exc:
            if exc.reason.startswith("refused"):
                raise AddressRefused(source, exc.reason) from exc
            raise

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            h = self._hosts.get(key)
            if h is None:
                h = _Host(
                    gate=threading.Semaphore(self.policy.host_concurrency),
                    delay=self.policy.host_delay,
                )
                self._hosts[key] = h
            return h

    def _check_blocked(self, host: _Host, source: str) -> None:
        now = self.clock.now()
        if host.blocked_until > now:
            raise Deferred(
                source,
                f"host {host.blocked_reason}; "
                f"not asking again for {host.blocked_until - now:.0f} s",
                host.blocked_until,
            )

    def _check_robots(self, url: str, source: str, host: _Host) -> None:
        with host.robots_lock:
            if host.robots_until <= self.clock.now():
                self._load_robots(url, host)
        if host.robots_error is not None:
            raise Deferred(source, host.robots_error, host.robots_until)
        if host.robots is not None and not host.robots.can_fetch(url, self.policy.user_agent):
            raise Refused(source, "robots.txt disallows this URL for newsdistill")

    def _load_robots(self, url: str, host: _Host) -> None:
        from protego import Protego

        robots_url = urljoin(host_key(url) + "/", "/robots.txt")
        host.robots, host.robots_error = None, None
        host.robots_until = self.clock.now() + self.policy.robots_ttl
        try:
            result = self._get_with_retry(
                robots_url, robots_url, host, {"Accept": "text/plain"}, robots=True
            )
        except FetchError as exc:
            # RFC 9309: an unreachable robots.txt means "assume complete disallow" for now.
            host.robots_error = (
                f"robots.txt could not be read ({exc.reason}); trying the site later"
            )
            host.robots_until = self.clock.now() + min(self.policy.robots_ttl, 3600.0)
            return
        if isinstance(result, str) or result.status >= 400:
            return  # a redirect we do not chase, or 4xx: no rules, everything allowed
        text = result.content.decode("utf-8", errors="replace")
        host.robots = Protego.parse(text)
        delay = host.robots.crawl_delay(self.policy.user_agent)
        if delay:
            host.delay = max(host.delay, min(float(delay), self.policy.max_crawl_delay))

    # -- the request itself ------------------------------------------------------------------

    @contextmanager
    def _turn(self, host: _Host) -> Iterator[None]:
        """Wait for a slot on the host and for its delay since the last request started."""
        host.gate.acquire()
        try:
            with self._lock:
                now = self.clock.now()
                start = max(now, host.next_start)
                host.next_start = start + host.delay
            self.clock.sleep(start - now)
            yield
        finally:
            host.gate.release()

    def _get_with_retry(
        self, url: str, source: str, host: _Host, headers: dict[str, str], robots: bool = False
    ) -> _Answer | str:
        for attempt in range(2):
            try:
                return self._get(url, source, host, headers, robots)
            except _RetryAfter as exc:
                now = self.clock.now()
                if exc.seconds <= self.policy.max_wait and attempt == 0:
                    with self._lock:
                        host.next_start = max(host.next_start, now + exc.seconds)
                    continue  # _turn waits until next_start
                until = now + exc.seconds
                host.blocked_until, host.blocked_reason = (
                    until,
                    f"asked us to retry after {exc.seconds:.0f} s",
                )
                raise Deferred(source, f"HTTP {exc.status}: {host.blocked_reason}", until) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _get(
        self, url: str, source: str, host: _Host, headers: dict[str, str], robots: bool
    ) -> _Answer | str:
        import httpx

        p = self.policy
        deadline = time.monotonic() + p.timeout  # wall time on purpose: it bounds real I/O
        limit = 512 * 1024 if robots else p.max_bytes
        with self._turn(host):
            self.requests += 1
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in (301, 302, 303, 307, 308):
                        location = response.headers.get("location")
                        if not location:
                            raise self._failed(
                                host, source, f"HTTP {status} without a Location header"
                            )
                        self._succeeded(host)
                        return urljoin(url, location)
                    if status in (429, 503):
                        wait = parse_retry_after(
                            response.headers.get("retry-after"), self.clock.now()
                        )
                        if wait is None and status == 429:  # "too many" without a time: back off
                            wait = p.backoff_base
                        if wait is not None:
                            raise _RetryAfter(status, min(wait, p.max_retry_after))
                    if status >= 500:
                        raise self._failed(
                            host, source, f"HTTP {status} {response.reason_phrase}", status
                        )
                    if status == 304:
                        self._succeeded(host)
                        return _Answer.from_response(response, b"")
                    if status >= 400:
                        self._succeeded(host)  # the host works; this URL does not
                        if robots:
                            return _Answer.from_response(response, b"")
                        raise HttpError(source, f"HTTP {status} {response.reason_phrase}", status)
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise Refused(
                            source, f"response too large ({_mb(int(declared))}; limit {_mb(limit)})"
                        )
                    chunks: list[bytes] = []
                    total = 0
                    for chunk in response.iter_bytes():
                        total += len(chunk)
                        if total > limit:
                            raise Refused(source, f"response too large (over {_mb(limit)})")
                        if time.monotonic() > deadline:
                            raise self._failed(
                                host, source, f"too slow: not complete after {p.timeout:g} s"
                            )
                        chunks.append(chunk)
                    self._succeeded(host)
                    return _Answer.from_response(response, b"".join(chunks))
            except httpx.TimeoutException as exc:
                raise self._failed(host, source, f"timed out after {p.timeout:g} s") from exc
            except httpx.HTTPError as exc:
                raise self._failed(host, source, f"cannot connect: {_short(exc)}") from exc

    def _failed(
        self, host: _Host, source: str, reason: str, status: int | None = None
    ) -> FetchError:
        """Count a host failure; past the threshold, back the host off exponentially."""
        p = self.policy
        with self._lock:
            host.failures += 1
            extra = host.failures - p.failures_before_backoff
            if extra >= 0:
                wait = min(p.backoff_max, p.backoff_base * 2**extra)
                host.blocked_until = self.clock.now() + wait
                host.blocked_reason = f"failed {host.failures} times in a row ({reason})"
        return HttpError(source, reason, status) if status else FetchError(source, reason)

    def _succeeded(self, host: _Host) -> None:
        with self._lock:
            host.failures = 0


@dataclass(frozen=True)
class _Answer:
    status: int
    content: bytes
    content_type: str
    etag: str | None
    last_modified: str | None

    @classmethod
    def from_response(cls, response: httpx.Response, content: bytes) -> _Answer:
        h = response.headers
        return cls(
            status=response.status_code,
            content=content,
            content_type=h.get("content-type", ""),
            etag=h.get("etag"),
            last_modified=h.get("last-modified"),
        )


class _RetryAfter(Exception):
    def __init__(self, status: int, seconds: float) -> None:
        self.status = status
        self.seconds = seconds


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
