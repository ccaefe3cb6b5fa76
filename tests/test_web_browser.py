"""The news site as a reader meets it: a real server on 127.0.0.1 (uvicorn in a thread) and
Debian's Chromium driven by Playwright. Open the front page, open a story, reveal a
sentence's evidence by hover, click and keyboard, read it without JavaScript and on a phone,
follow the feed; screenshots are taken and their pixels checked.

Playwright cannot download its own browsers here, so the system Chromium is always passed as
``executable_path``; the tests are skipped, saying why, when it or Playwright is missing.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from newsdistill.store import Store

from .test_web_api import HOSTILE_OUTLET, HOSTILE_TITLE, make_store

CHROMIUM = os.environ.get("NEWSDISTILL_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: apt-get install chromium (or set NEWSDISTILL_CHROMIUM)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright: pip install playwright"
)


# -- a real server --------------------------------------------------------------------------


class LiveServer:
    """uvicorn serving the app on a free loopback port, in a thread."""

    def __init__(self, store: Store) -> None:
        import uvicorn

        from newsdistill.web.app import create_app

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(store=store), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:  # a condition, not a guess at how long startup takes
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, int]]]:
    store, ids = make_store(tmp_path_factory.mktemp("browser") / "desk.sqlite")
    yield store, ids
    store.close()


@pytest.fixture(scope="module")
def ids(filled: tuple[Store, dict[str, int]]) -> dict[str, int]:
    return filled[1]


@pytest.fixture(scope="module")
def live(filled: tuple[Store, dict[str, int]]) -> Iterator[LiveServer]:
    with LiveServer(filled[0]) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


class Reader:
    """One browser tab, recording what a test must not see: requests to other hosts,
    dialogs (a script from a source ran), CSP violations and script errors."""

    def __init__(self, browser: Any, live: LiveServer, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        self.problems: list[str] = []
        base = live.base

        def on_request(r: Any) -> None:
            if not r.url.startswith(base):
                self.foreign.append(r.url)

        def on_dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        def on_console(m: Any) -> None:
            if m.type == "error":
                self.problems.append(m.text)

        self.page.on("request", on_request)
        self.page.on("dialog", on_dialog)
        self.page.on("console", on_console)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def clean(self) -> None:
        assert self.foreign == [], "requests left the site"
        assert self.dialogs == [], "a script from a source ran"
        assert self.problems == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader(browser: Any, live: LiveServer) -> Iterator[Reader]:
    r = Reader(browser, live, viewport={"width": 1100, "height": 900})
    yield r
    r.clean()
    r.close()


# -- screenshots ------------------------------------------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB(A) PNG (what Chromium
    writes): enough to check what a screenshot shows without an imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        prev = line
        rows.append(bytes(v for i, v in enumerate(line) if i % channels < 3))
    return width, height, rows


def colours(rows: list[bytes], box: tuple[int, int, int, int] | None = None) -> dict[bytes, int]:
    """Pixel counts per RGB colour, in ``box`` (x, y, width, height) or everywhere."""
    x0, y0, w, h = box or (0, 0, len(rows[0]) // 3, len(rows))
    out: dict[bytes, int] = {}
    for row in rows[y0 : y0 + h]:
        for x in range(x0, min(x0 + w, len(row) // 3)):
            px = row[3 * x : 3 * x + 3]
            out[px] = out.get(px, 0) + 1
    return out


def shot(page: Any, path: Path) -> tuple[int, int, list[bytes]]:
    data = page.screenshot(path=str(path))
    width, height, rows = png_pixels(data)
    counts = colours(rows)
    # Not blank: text in several colours, and the white page no more than most of it.
    assert len(counts) > 40, f"{path.name} looks blank"
    assert max(counts.values()) < 0.97 * width * height, f"{path.name} is one colour"
    return width, height, rows


# -- the tests ------------------------------------------------------------------------------


def test_front_page_then_story(
    reader: Reader, live: LiveServer, ids: dict[str, int], tmp_path: Path
) -> None:
    page = reader.page
    page.goto(live.base + "/")
    assert page.title().startswith("Latest stories")
    headlines = page.locator("ol.stories h2 a").all_inner_texts()
    assert len(headlines) == 3
    teaser = page.locator("li.teaser").filter(has_text="Single source")
    assert teaser.count() == 1 and "1 outlet" in teaser.inner_text()
    assert "4 outlets" in page.locator("li.teaser").last.inner_text()
    shot(page, tmp_path / "front.png")

    page.locator(f'a[href="/stories/{ids["A"]}.html"]').first.click()
    page.wait_for_url(f"**/stories/{ids['A']}.html")
    h1 = page.locator("h1")
    assert h1.count() == 1 and h1.inner_text() == headlines[2]
    for heading in ("Key facts", "Quotes", "Reports differ", "Timeline", "Sources"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator("p.notice").is_visible()
    assert "machine-written" in page.locator("p.notice").inner_text()
    assert page.locator("a.differs").first.is_visible()  # a disputed figure is marked inline
    page.get_by_role("link", name="Version history").click()
    assert page.locator("ol.versions li").count() == 2
    shot(page, tmp_path / "history.png")


def test_hover_and_click_reveal_evidence(
    reader: Reader, live: LiveServer, ids: dict[str, int], tmp_path: Path
) -> None:
    page = reader.page
    page.goto(f"{live.base}/stories/{ids['A']}.html")
    pop = page.locator("details.evidence .ev").first
    assert not pop.is_visible()
    sentence = page.locator("span.s.lede").first
    sentence.hover()
    pop.wait_for(state="visible")
    text = pop.inner_text()
    assert "National Wire" in text or "Riverside Herald" in text or "Coastal Times" in text
    assert "\u201c" in text  # the source sentence, quoted
    assert pop.locator("a").first.get_attribute("href", timeout=1000).startswith("https://")
    # The pop-up shows the source sentence the lede rests on.
    assert sentence.inner_text()[:40] in text or sentence.inner_text().split()[3] in text
    width, height, rows = shot(page, tmp_path / "evidence.png")
    box = pop.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20
    inside = colours(rows, (int(box["x"]) + 2, int(box["y"]) + 2, 40, 10))
    assert inside.get(bytes((0xF4, 0xF6, 0xF9)), 0) > 100  # the pop-up's panel is painted
    # Moving away closes it; a click pins it open until a second click.
    page.mouse.move(5, 5)
    pop.wait_for(state="hidden")
    sentence.click()
    pop.wait_for(state="visible")
    page.mouse.move(5, 5)
    page.locator("h1").hover()
    assert pop.is_visible()
    sentence.click()
    pop.wait_for(state="hidden")


def test_evidence_by_keyboard(reader: Reader, live: LiveServer, ids: dict[str, int]) -> None:
    page = reader.page
    page.goto(f"{live.base}/stories/{ids['A']}.html")
    # Tab from the top of the page reaches the first evidence button.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    else:
        pytest.fail("Tab never reached an evidence button")
    details = page.locator("details.evidence").first
    assert page.evaluate("document.activeElement.closest('details') !== null")
    page.keyboard.press("Enter")
    details.locator(".ev").wait_for(state="visible")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focused button is visibly marked
    page.keyboard.press("Escape")
    details.locator(".ev").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_source_markup_shows_as_text(
    reader: Reader, live: LiveServer, ids: dict[str, int], tmp_path: Path
) -> None:
    page = reader.page
    page.goto(f"{live.base}/stories/{ids['B']}.html")
    sources = page.locator("section.sources")
    listed = sources.inner_text()
    assert HOSTILE_TITLE in listed  # the markup is shown, character for character
    assert HOSTILE_OUTLET in listed
    assert sources.locator("script, b, i").count() == 0
    assert page.locator("script").count() == 1  # the site's own file only
    assert page.evaluate("typeof window.pwned") == "undefined"
    # The source whose link was javascript: is listed without a link.
    assert sources.locator('a[href^="javascript"]').count() == 0
    assert all(
        href.startswith("https://")
        for href in sources.locator("a").evaluate_all("els => els.map(e => e.href)")
    )
    sources.scroll_into_view_if_needed()
    shot(page, tmp_path / "sources.png")
    assert reader.dialogs == []


def test_follow_the_feed(reader: Reader, live: LiveServer, ids: dict[str, int]) -> None:
    page = reader.page
    page.goto(live.base + "/")
    href = page.get_by_role("link", name="Atom feed").get_attribute("href")
    response = page.request.get(live.base + href)
    assert response.ok and "atom+xml" in response.headers["content-type"]
    feed = feedparser.parse(response.body())
    assert not feed.bozo and len(feed.entries) == 3
    first = feed.entries[0]
    page.goto(first.link)
    assert page.locator("h1").inner_text() == first.title


def test_reads_without_javascript(
    browser: Any, live: LiveServer, ids: dict[str, int], tmp_path: Path
) -> None:
    r = Reader(browser, live, java_script_enabled=False, viewport={"width": 1000, "height": 800})
    try:
        page = r.page
        page.goto(f"{live.base}/stories/{ids['A']}.html")
        assert page.evaluate("1") == 1 or True  # evaluate works; the page's scripts do not run
        assert page.locator("html.js").count() == 0
        details = page.locator("details.evidence").first
        details.locator("summary").click()  # the browser's own disclosure widget
        details.locator(".ev").wait_for(state="visible")
        assert "\u201c" in details.locator(".ev").inner_text()
        shot(page, tmp_path / "nojs.png")
        r.clean()
    finally:
        r.close()


def test_readable_on_a_phone(
    browser: Any, live: LiveServer, ids: dict[str, int], tmp_path: Path
) -> None:
    r = Reader(
        browser, live, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        page = r.page
        for path in ("/", f"/stories/{ids['A']}.html"):
            page.goto(live.base + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways on a phone"
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 15
        sentence = page.locator("span.s.lede").first
        sentence.tap()
        page.locator("details.evidence .ev").first.wait_for(state="visible")
        shot(page, tmp_path / "phone.png")
        r.clean()
    finally:
        r.close()


def test_published_site_in_the_browser(
    browser: Any, filled: tuple[Store, dict[str, int]], ids: dict[str, int], tmp_path: Path
) -> None:
    """The static copy, served by a plain file server: the topic box filters in place and
    evidence opens as on the live site."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from newsdistill.web.static import publish

    out = tmp_path / "site"
    publish(filled[0], out)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        foreign: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
        page.goto(base + "/index.html")
        box = page.get_by_role("searchbox", name="Find a topic")
        assert box.is_visible()  # shown by the script; a static site has no server to ask
        box.fill("streetcar")
        assert page.locator("li.teaser:visible").count() == 1
        box.fill("volcano")
        assert page.locator("li.teaser:visible").count() == 0
        assert page.get_by_text("No story matches.").is_visible()
        box.fill("")
        page.locator(f'a[href="stories/{ids["A"]}.html"]').click()
        # The click navigates; hover only once the deferred script has wired the sentences
        # (it marks them .has-ev), or a loaded machine hovers a page with no handlers yet.
        page.locator("span.s.lede.has-ev").first.hover()
        page.locator("details.evidence .ev").first.wait_for(state="visible")
        shot(page, tmp_path / "static.png")
        page.get_by_role("link", name="Version history").click()
        page.get_by_role("link", name="Version 1").click()
        assert "version 1 of 2" in page.locator("p.banner").inner_text()
        assert foreign == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_evidence_stays_inside_its_paragraph(
    reader: Reader, live: LiveServer, ids: dict[str, int]
) -> None:
    page = reader.page
    page.goto(f"{live.base}/stories/{ids['A']}.html")
    loose = page.evaluate(
        "[...document.querySelectorAll('details.evidence')]"
        ".filter(d => d.parentElement.closest('p, li, .para') === null).length"
    )
    assert loose == 0
