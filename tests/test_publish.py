"""``newsdistill publish``: the static site holds the server's pages and feeds as files, with
relative links that resolve inside the folder, and feeds that parse."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from newsdistill.cli import main
from newsdistill.store import Store
from newsdistill.web.app import create_app
from newsdistill.web.static import publish

from .test_web_api import HOSTILE_TITLE, make_store


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.found.append(value)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def article_text(html: str) -> list[str]:
    found = re.search(r'<article class="story".*?</article>', html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", " ", found.group(0)).split()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store, dict[str, int]]:
    root = tmp_path_factory.mktemp("publish")
    store, ids = make_store(root / "desk.sqlite")
    out = root / "site"
    report = publish(store, out, base_url="https://news.example/", topics=["streetcar", "fire"])
    assert report.stories == 3 and report.feeds == 3
    return out, store, ids


def test_files_written(site: tuple[Path, Store, dict[str, int]]) -> None:
    out, _, ids = site
    a = ids["A"]
    for rel in (
        "index.html",
        "biggest.html",
        f"stories/{a}.html",
        f"stories/{a}/v1.html",
        f"stories/{a}/v2.html",
        f"stories/{a}/history.html",
        "feed.atom",
        "topics/streetcar.atom",
        "topics/fire.atom",
        "assets/site.css",
        "assets/site.js",
    ):
        assert (out / rel).is_file(), rel
    assert not list(out.rglob(".tmp-*"))


def test_every_local_link_resolves(site: tuple[Path, Store, dict[str, int]]) -> None:
    out = site[0]
    pages = list(out.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        base = page.relative_to(out).as_posix()
        for href in links_of(page.read_text(encoding="utf-8")):
            if href.startswith(("https://", "http://", "#")):
                continue
            target = urlsplit(urljoin("http://x/" + base, href)).path.lstrip("/")
            assert not href.startswith("/"), f"{base}: absolute link {href}"
            assert (out / target).is_file(), f"{base}: {href} -> {target} is missing"


def test_same_pages_as_the_server(site: tuple[Path, Store, dict[str, int]]) -> None:
    out, store, ids = site
    with TestClient(create_app(store=store)) as client:
        for sid in ids.values():
            served = client.get(f"/stories/{sid}.html").text
            static = (out / f"stories/{sid}.html").read_text(encoding="utf-8")
            # The same story; only link prefixes differ, and tags are left out here.
            assert article_text(served) == article_text(static)
            assert 'href="../assets/site.css"' in static
            assert "/api/" not in static
    front = (out / "index.html").read_text(encoding="utf-8")
    assert "data-filter hidden" in front  # search is a script-only filter on a static site
    assert 'href="topics/streetcar.atom"' in front


def test_static_pages_escape_and_carry_a_csp(site: tuple[Path, Store, dict[str, int]]) -> None:
    out, _, ids = site
    html = (out / f"stories/{ids['B']}.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert 'http-equiv="Content-Security-Policy"' in html
    assert "javascript:" not in html


def test_static_feeds_parse(site: tuple[Path, Store, dict[str, int]]) -> None:
    out, _, ids = site
    feed = feedparser.parse((out / "feed.atom").read_bytes())
    assert not feed.bozo and len(feed.entries) == 3
    assert {e.link for e in feed.entries} == {
        f"https://news.example/stories/{i}.html" for i in ids.values()
    }
    topic = feedparser.parse((out / "topics/streetcar.atom").read_bytes())
    assert not topic.bozo and len(topic.entries) == 1
    body = topic.entries[0].content[0].value
    assert "<script" not in body and "&lt;script&gt;" in body
    assert HOSTILE_TITLE.split("</script>")[1].strip().split()[0] in body  # "Streetcar"


def test_feed_ids_do_not_depend_on_the_address(
    site: tuple[Path, Store, dict[str, int]], tmp_path: Path
) -> None:
    out, store, _ = site
    publish(store, tmp_path / "elsewhere")  # no --base-url: relative links
    here = feedparser.parse((out / "feed.atom").read_bytes())
    there = feedparser.parse((tmp_path / "elsewhere/feed.atom").read_bytes())
    assert [e.id for e in here.entries] == [e.id for e in there.entries]
    assert not there.bozo


def test_publish_command(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite"
    store, _ = make_store(db)
    store.close()
    out = tmp_path / "site"
    args = ["publish", "--out", str(out), "--db", str(db), "--topic", "fire"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "wrote 3 stories" in result.output
    assert (out / "topics/fire.atom").is_file() and (out / "index.html").is_file()
    bad = CliRunner().invoke(main, [*args, "--base-url", "ftp://x"])
    assert bad.exit_code == 2


def test_publish_empty_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["publish", "--out", str(tmp_path / "site"), "--db", str(tmp_path / "d.sqlite")]
    )
    assert result.exit_code == 0
    assert "no stories yet" in result.output
    assert "No stories yet" in (tmp_path / "site/index.html").read_text(encoding="utf-8")


def test_serve_help_and_bad_port() -> None:
    runner = CliRunner()
    assert "--host" in runner.invoke(main, ["serve", "--help"]).output
    assert runner.invoke(main, ["serve", "--port", "70000"]).exit_code == 2


def test_serve_command(tmp_path: Path) -> None:
    """`newsdistill serve` answers on 127.0.0.1 by default, and stops on SIGTERM."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    db = tmp_path / "desk.sqlite"
    store, ids = make_store(db)
    store.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli = "from newsdistill.cli import main; main()"
    exe = [sys.executable, "-c", cli, "serve", "--port", str(port), "--db", str(db)]
    proc = subprocess.Popen(exe, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        assert r.status_code == 200 and r.json()["count"] == 3
        assert "server" not in r.headers  # no software banner
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err
