"""A real HTTP server on 127.0.0.1 for the desk tests, whose answers change between polls.

Richer than ``conftest.LocalSite``: each path answers with a ``Reply`` or a queue of them
(429 then 200), honours ETag/Last-Modified with 304, can be slow (``delay``), stream without
a Content-Length (``chunked``), or drip bytes forever (``drip``). Every request is recorded
with its headers.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).parent / "fixtures" / "feeds"

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSONFEED = "application/feed+json"


@dataclass
class Reply:
    """One answer. ``etag``/``last_modified`` make the server answer 304 to a matching
    conditional request."""

    body: bytes = b""
    status: int = 200
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before answering: a slow server
    chunked: bool = False  # no Content-Length; the body is streamed and the connection closed
    drip: float = 0.0  # with chunked: seconds between 1 KB chunks, forever (a stalling server)


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


Handler = Callable[[Seen], Reply]


class DeskSite:
    """A local site whose routes tests set and change between polls."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | list[Reply] | Handler] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.default_delay = 0.0
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                reply = site._answer(seen)
                if reply.delay or site.default_delay:
                    time.sleep(reply.delay or site.default_delay)  # the server is slow
                self._send(seen, reply)

            def _send(self, seen: Seen, reply: Reply) -> None:
                status = reply.status
                if status == 200 and _not_modified(seen, reply):
                    status = 304
                self.send_response(status)
                self.send_header("Content-Type", reply.content_type)
                if reply.etag:
                    self.send_header("ETag", reply.etag)
                if reply.last_modified:
                    self.send_header("Last-Modified", reply.last_modified)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                body = b"" if status == 304 else reply.body
                try:
                    if reply.chunked or reply.drip:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self._stream(body, reply.drip)
                        self.close_connection = True
                    else:
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client stopped reading: expected

            def _stream(self, body: bytes, drip: float) -> None:
                if drip:
                    while True:  # until the client gives up
                        self.wfile.write(b"<p>" + b"x" * 1000 + b"</p>")
                        self.wfile.flush()
                        time.sleep(drip)
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i : i + 65536])

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            path = seen.path
            route = self.routes.get(path)
            if route is None and "?" in path:
                route = self.routes.get(path.split("?", 1)[0])
            if route is None:
                if path == "/robots.txt":
                    return Reply(b"", 404, "text/plain")
                return Reply(b"not found", 404, "text/plain")
            if isinstance(route, list):
                return route.pop(0) if len(route) > 1 else route[0]
            if callable(route):
                return route(seen)
            return route

    # -- setting up --------------------------------------------------------------------------

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, reply: Reply | list[Reply] | Handler) -> str:
        """Serve ``reply`` at ``path`` (a list: one reply per request, the last one repeats)."""
        with self.lock:
            self.routes[path] = reply
        return self.url(path)

    def fixture(self, path: str, name: str, content_type: str = HTML, **kw: object) -> str:
        """Serve a fixture file from tests/fixtures/feeds, with ``{base}`` filled in."""
        body = (FEEDS / name).read_text(encoding="utf-8").replace("{base}", self.base).encode()
        return self.set(path, Reply(body, content_type=content_type, **kw))  # type: ignore[arg-type]

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.split("?", 1)[0] == path)

    def start(self) -> DeskSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _not_modified(seen: Seen, reply: Reply) -> bool:
    inm = seen.headers.get("if-none-match")
    if reply.etag and inm:
        return reply.etag in [t.strip() for t in inm.split(",")]
    ims = seen.headers.get("if-modified-since")
    return bool(reply.last_modified and ims and ims == reply.last_modified)


def serve() -> Iterator[DeskSite]:
    """Generator for a pytest fixture: a started site, stopped afterwards."""
    site = DeskSite().start()
    try:
        yield site
    finally:
        site.stop()


def coast_site(site: DeskSite, gazette: str = "gazette-1.rss.xml") -> dict[str, str]:
    """Serve the fictional coast desk: four feeds and their pages. Returns the feed URLs."""
    pages = {
        "/news/barrier-fails.html": "gazette-barrier-fails.html",
        "/news/barrier-inspection.html": "gazette-barrier-inspection.html",
        "/ledger/wexcombe-evacuated.html": "ledger-barrier-evacuation.html",
        "/post/tram-strike.html": "post-tram-strike.html",
        "/wire/carrowmere-trams.html": "wire-tram-strike.html",
    }
    for path, name in pages.items():
        site.fixture(path, f"pages/{name}")
    return {
        "gazette": site.fixture(
            "/gazette/rss.xml", gazette, RSS, etag='"g1"' if "1" in gazette else '"g2"'
        ),
        "ledger": site.fixture(
            "/ledger/rss.xml", "ledger.rss.xml", RSS, last_modified="Fri, 14 Mar 2031 09:20:00 GMT"
        ),
        "wire": site.fixture("/wire/atom.xml", "coastline-wire.atom.xml", ATOM, etag='"w1"'),
        "post": site.fixture("/post/feed.json", "post.feed.json", JSONFEED),
    }


# -- PostgreSQL ----------------------------------------------------------------------------


class PgServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1, from Debian's binaries.

    Postgres refuses to run as root, so as root the cluster belongs to the ``postgres``
    user and its commands run through ``runuser``. ``skip_reason`` says why there is none.
    """

    def __init__(self) -> None:
        self.skip_reason: str | None = None
        self.port = 0
        self.dir: Path | None = None
        self._prefix: list[str] = []
        self._bin: Path | None = None

    @staticmethod
    def find_bin() -> Path | None:
        import glob

        for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
            if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists():
                return Path(d)
        return None

    def start(self) -> PgServer:
        import os
        import pwd
        import shutil
        import socket
        import subprocess
        import tempfile

        self._bin = self.find_bin()
        if self._bin is None:
            self.skip_reason = (
                "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                "`apt-get install -y postgresql` to run these tests against it"
            )
            return self
        self.dir = Path(tempfile.mkdtemp(prefix="newsdistill-pg-"))
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                self.skip_reason = "running as root and there is no postgres user to run PostgreSQL"
                return self
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            if shutil.which("runuser") is None:
                self.skip_reason = "running as root and runuser is missing"
                return self
            self._prefix = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        data = self.dir / "data"
        try:
            self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
            opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            self._run(
                "pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start"
            )
        except subprocess.CalledProcessError as exc:
            out = (exc.stdout or b"").decode(errors="replace")[-400:] + (exc.stderr or b"").decode(
                errors="replace"
            )[-400:]
            self.skip_reason = f"PostgreSQL did not start: {out.strip()}"
        return self

    def _run(self, tool: str, *args: str) -> None:
        import subprocess

        assert self._bin is not None
        subprocess.run(
            [*self._prefix, str(self._bin / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import uuid

        import sqlalchemy as sa

        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(
            self.url().replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        import shutil
        import subprocess

        if self.dir is None:
            return
        if self.skip_reason is None:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
