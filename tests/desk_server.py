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

import pytest

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


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when many workers connect at once, and
    # a dropped SYN costs a 1 s retransmit: a stall of the test server, not of the fetcher.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up (size limits, resets after an error reply) is expected here;
        # anything else is still printed.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


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
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body

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

        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

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


def postgres_server() -> Iterator[PgServer]:
    """Body of a session fixture: a PostgreSQL server (``skip_reason`` set when none)."""
    pg = PgServer().start()
    try:
        yield pg
    finally:
        pg.stop()


def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Body of a fixture parametrized over ["sqlite", "postgresql"]: a fresh database of that
    backend. The PostgreSQL case is skipped, with the reason, when PostgreSQL is absent; it
    needs a ``postgres`` fixture returning ``postgres_server()``."""
    if request.param == "sqlite":
        return str(tmp_path / "desk.sqlite")
    pg: PgServer = request.getfixturevalue("postgres")
    if pg.skip_reason:
        pytest.skip(pg.skip_reason)
    return pg.new_database()


# -- synthetic news (fictional) for the kill test and the benchmark --------------------------

_SYLLABLES = "bar wen tor lin mar del quin ash brek hol var sten mor cal fen rid gal orn pel tus"
_STREETS = ["Mill", "Church", "Harbour", "Station", "Bridge", "Market", "School", "Orchard"]
_KINDS = [
    ("flood", "floodwater covered the lower streets", "homes were evacuated", "the river"),
    (
        "fire",
        "a fire spread through a warehouse",
        "workers were moved to safety",
        "the fire service",
    ),
    ("strike", "bus drivers walked out over pay", "routes were cancelled", "the union"),
    (
        "landslide",
        "a hillside gave way onto the coast road",
        "households were told to leave",
        "geologists",
    ),
    (
        "power cut",
        "a substation fault cut electricity",
        "properties lost power",
        "the grid operator",
    ),
    (
        "bridge closure",
        "cracks were found in the old bridge",
        "vehicles were diverted",
        "engineers",
    ),
    (
        "water alert",
        "tap water was found to be contaminated",
        "residents were told to boil water",
        "the utility",
    ),
    ("rail crash", "a freight train left the tracks", "passengers were stranded", "investigators"),
]


def _name(rng: object, parts: int = 2) -> str:
    import random

    assert isinstance(rng, random.Random)
    return "".join(rng.choice(_SYLLABLES.split()) for _ in range(parts)).capitalize()


_NOUNS = [
    "ferry",
    "depot",
    "school",
    "clinic",
    "library",
    "stadium",
    "warehouse",
    "pier",
    "tunnel",
    "market",
    "orchard",
    "quarry",
    "reservoir",
    "airport",
    "museum",
    "factory",
    "bakery",
    "brewery",
    "chapel",
    "barracks",
    "lighthouse",
    "mill",
    "foundry",
    "granary",
    "hospital",
    "courthouse",
    "theatre",
    "cinema",
    "college",
    "observatory",
    "marina",
    "dockyard",
    "pumping station",
    "substation",
    "canal",
    "lock",
    "footbridge",
    "viaduct",
    "bypass",
    "roundabout",
    "ring",
    "road",
    "harbour",
    "wall",
    "sea",
    "wall",
    "embankment",
    "dam",
    "levee",
    "culvert",
    "sewer",
    "gas",
    "main",
    "water",
    "main",
]
_VERBS = [
    "collapsed",
    "flooded",
    "burned",
    "cracked",
    "closed",
    "reopened",
    "failed",
    "leaked",
    "shifted",
    "sank",
    "overflowed",
    "jammed",
    "stalled",
    "froze",
    "subsided",
]
_ROLES = [
    "mayor",
    "fire chief",
    "police commander",
    "harbour master",
    "union organiser",
    "engineer",
    "council leader",
    "headteacher",
    "site manager",
    "coroner",
]


def synthetic_event(n: int) -> dict[str, object]:
    """A fictional event: a town, an official, what happened to which places, a figure and a
    date. Events differ in names and vocabulary, as real events do, not only in numbers."""
    import random

    rng = random.Random(n)
    kind = _KINDS[n % len(_KINDS)]
    return {
        "n": n,
        "town": _name(rng, 3),
        "official": f"{_name(rng)} {_name(rng, 3)}",
        "role": rng.choice(_ROLES),
        "kind": kind,
        "places": rng.sample(_NOUNS, 4),
        "verbs": rng.sample(_VERBS, 3),
        "street": f"{_name(rng)} {rng.choice(_STREETS)}",
        "count": rng.choice([n for n in range(12, 900) if n not in (404, 410, 500, 503)]),
        "day": 1 + n % 27,
    }


def synthetic_article(event: dict[str, object], outlet: str, variant: int) -> tuple[str, str]:
    """(title, HTML page) of one outlet's report of a synthetic event. Reports of one event
    share its names, places and figures; their wording, order and extras differ."""
    import random

    rng = random.Random(f"{event['n']}-{outlet}-{variant}")
    e = event
    town, official, role, count = e["town"], e["official"], e["role"], e["count"]
    noun, what, effect, who = e["kind"]  # type: ignore[misc]
    p1, p2, p3, p4 = e["places"]  # type: ignore[misc]
    v1, v2, v3 = e["verbs"]  # type: ignore[misc]
    street = e["street"]
    lede = [
        f"In {town} on Tuesday, {what}, and {count} {effect}, officials said.",
        f"{count} {effect} in {town} on Tuesday after {what}, according to officials.",
    ]
    facts = [
        f"The {p1} on {street} {v1} first, followed by the nearby {p2}.",
        f"{official}, the {role} in {town}, said the {p3} had {v2} by mid-morning.",
        f'"The {p1} {v1} faster than anyone expected," {official} said.',
        f"According to {who}, the {p4} {v3} shortly after dawn.",
        f"Crews from the {p2} and the {p3} worked through the night in {town}.",
        f"A shelter opened at the {p4} in {town} for people who could not go home.",
        f"The {role} said a review of what happened at the {p1} would follow.",
    ]
    rng.shuffle(facts)
    extra = [
        f"Reporters for {outlet} saw crews at work on {street}.",
        f"{outlet} could not confirm when the {noun} response would be complete.",
        f"Residents told {outlet} they had {rng.randint(2, 9)} hours of warning.",
    ]
    keep = [rng.choice(lede)] + facts[: rng.randint(5, 7)] + rng.sample(extra, 2)
    paragraphs = "".join(f"<p>{s}</p>" for s in keep)
    title = rng.choice(
        [f"{noun.capitalize()} in {town}: {count} affected", f"{town} {p1} {v1} in {noun}",
         f"{official} responds to {town} {noun}"]
    )  # fmt: skip
    day = int(e["day"])  # type: ignore[call-overload]
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} | {outlet}</title>"
        f"<meta property='og:site_name' content='{outlet}'>"
        f"<meta property='article:published_time' content='2031-04-{day:02d}T08:00:00Z'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>{outlet}</footer></body></html>"
    )
    return title, html


def synthetic_rss(title: str, base: str, links: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 feed whose items are teasers linking to ``links`` (path, title)."""
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>{escape(t)}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<description>{escape(t)}. Read more</description></item>"
        for p, t in links
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
        f"<channel><title>{escape(title)}</title>"
        f"<link>{base}/</link><description>synthetic</description>{items}</channel></rss>"
    ).encode()
