"""The news desk end to end: a real server on 127.0.0.1 whose feeds change between polls, a
real database (SQLite, and PostgreSQL when installed), the real command line, and kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdistill.desk import Desk, DeskOptions
from newsdistill.fetch import FakeClock, FetchPolicy
from newsdistill.render.jsonin import story_from_dict
from newsdistill.store import Store
from tests.desk_server import (
    FEEDS,
    RSS,
    DeskSite,
    Reply,
    coast_site,
    serve,
    synthetic_article,
    synthetic_event,
    synthetic_rss,
)

EXE = str(Path(sys.executable).parent / "newsdistill")
T0 = 1_950_000_000.0


@pytest.fixture
def site() -> Iterator[DeskSite]:
    yield from serve()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


_OPEN: list[Desk] = []


@pytest.fixture(autouse=True)
def _close_desks() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def make_desk(store: Store, clock: FakeClock | None = None, **kw: Any) -> Desk:
    """A desk that may fetch from 127.0.0.1 without waiting between requests (closed after
    the test)."""
    options = DeskOptions(fetch=FetchPolicy(allow_private=True, host_delay=0.0), workers=4, **kw)
    desk = Desk(store, options, clock=clock or FakeClock(T0))
    _OPEN.append(desk)
    return desk


def by_headline(store: Store) -> dict[str, dict[str, Any]]:
    return {s["headline"]: s for s in store.stories()}


def barrier(store: Store) -> dict[str, Any]:
    (story,) = [s for s in store.stories() if "Wexcombe" in s["headline"]]
    return story


def tables(store: Store) -> dict[str, int]:
    counts = store.counts()
    counts.pop("fetch_log")
    return counts


# -- the main story ------------------------------------------------------------------------


def test_scan_polls_again_and_rewrites_only_what_changed(site: DeskSite, store: Store) -> None:
    feeds = coast_site(site)
    desk = make_desk(store)
    first = desk.scan(list(feeds.values()))
    assert (first.feeds, first.feeds_failed, first.new_items, first.articles) == (4, 0, 5, 5)
    assert (first.stories_new, first.stories_updated) == (2, 0)
    assert site.hits("/wire/wexcombe-flooding.html") == 0  # full text came with the feed
    assert site.hits("/news/barrier-fails.html") == 1  # a teaser: the page was fetched

    story = barrier(store)
    assert story["version"] == 1
    assert {a["outlet"] for a in story["articles"]} == {
        "Harbour Gazette",
        "Northern Ledger",
        "Coastline Wire",
    }
    # Tracking parameters are gone; the page's canonical link names the article.
    assert store.find_article(url=site.url("/news/barrier-fails.html")) is not None
    saved = store.version(story["id"])
    assert saved is not None
    sentence_ids = {s["id"] for a in saved["story"]["articles"] for s in a["sentences"]}
    cited = {c["sentence"] for s in saved["story"]["sentences"] for c in s["citations"]}
    assert cited and cited <= sentence_ids

    # The follow-up is published: one new item, the barrier story gets version 2.
    coast_site(site, "gazette-2.rss.xml")
    second = desk.scan(list(feeds.values()))
    assert (second.new_items, second.articles, second.stories_new, second.stories_updated) == (
        1,
        1,
        0,
        1,
    )
    assert second.not_modified == 2  # the ledger and the wire answered 304
    story = barrier(store)
    assert story["version"] == 2 and len(story["articles"]) == 4
    (v1, v2) = store.versions(story["id"])
    assert v2["changes"]["articles_added"] == [story["articles"][-1]["id"]]
    assert v2["changes"]["articles_added_titles"] == [
        "Engineers find jammed hinge on failed Wexcombe barrier gate"
    ]
    assert v1["changes"]["first"] and not v2["changes"]["first"]
    tram = [s for s in store.stories() if "ram" in s["headline"]]
    assert [s["version"] for s in tram] == [1]  # unchanged, not rewritten

    # Nothing new: nothing changes.
    before = tables(store)
    third = desk.scan(list(feeds.values()))
    assert (third.new_items, third.articles, third.stories_new, third.stories_updated) == (
        0,
        0,
        0,
        0,
    )
    assert tables(store) == before and store.check() == []
    sent = [r.headers.get("if-none-match") for r in site.requests if r.path == "/gazette/rss.xml"]
    assert sent == [None, '"g1"', '"g2"']
    desk.close()


def test_saved_versions_render_in_every_format(site: DeskSite, store: Store) -> None:
    from newsdistill.models import Digest
    from newsdistill.render import render

    desk = make_desk(store)
    desk.scan(list(coast_site(site).values()))
    saved = store.version(barrier(store)["id"])
    assert saved is not None
    story = story_from_dict(saved["story"])
    for fmt in ("markdown", "html", "text", "json"):
        out = render(Digest([story], []), fmt)
        assert "Wexcombe" in out
    assert json.loads(render(Digest([story], []), "json"))["stories"][0] == saved["story"]
    desk.close()


# -- failures are recorded, never fatal --------------------------------------------------------


def test_every_failure_is_recorded_and_the_scan_goes_on(site: DeskSite, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "desk.sqlite"))
    coast_site(site)
    site.set(
        "/robots.txt", Reply(b"User-agent: *\nDisallow: /blocked/\n", content_type="text/plain")
    )
    site.set("/down/rss.xml", Reply(b"server on fire", 500))
    site.fixture("/bomb/rss.xml", "entity-bomb.rss.xml", RSS)
    site.fixture("/broken/rss.xml", "malformed.rss.xml", RSS)
    site.set("/loop/a.html", Reply(b"", 302, headers={"Location": "/loop/b.html"}))
    site.set("/loop/b.html", Reply(b"", 302, headers={"Location": "/loop/a.html"}))
    site.set("/huge.html", Reply(b"<p>" + b"x" * (50 * 1024 * 1024) + b"</p>"))
    site.set("/blocked/a.html", Reply(b"<p>secret</p>"))
    links = [
        ("/blocked/a.html", "Blocked"),
        ("/loop/a.html", "Loop"),
        ("/huge.html", "Huge"),
        ("/gone.html", "Gone"),
        ("/post/tram-strike.html", "Tram strike"),
    ]
    mixed = site.set(
        "/mixed/rss.xml", Reply(synthetic_rss("Mixed", site.base, links), content_type=RSS)
    )
    urls = [
        mixed,
        site.url("/down/rss.xml"),
        site.url("/bomb/rss.xml"),
        site.url("/broken/rss.xml"),
    ]
    clock = FakeClock(T0)
    desk = make_desk(store, clock)
    report = desk.scan(urls)
    assert (report.feeds, report.feeds_ok, report.feeds_failed) == (4, 2, 2)
    assert report.articles == 2  # the tram strike, from the mixed and the malformed feed
    reasons = {f["url"]: f["reason"] for f in report.failures}
    assert "robots.txt disallows" in reasons[site.url("/blocked/a.html")]
    assert "too many redirects" in reasons[site.url("/loop/a.html")]
    assert "too large" in reasons[site.url("/huge.html")]
    assert "HTTP 404" in reasons[site.url("/gone.html")]
    assert "HTTP 500" in reasons[site.url("/down/rss.xml")]
    assert "declares XML entities" in reasons[site.url("/bomb/rss.xml")]
    assert "malformed XML read leniently" in reasons[site.url("/broken/rss.xml")]
    assert site.hits("/blocked/a.html") == 0

    health = {s["url"]: s for s in store.sources()}
    down = health[site.url("/down/rss.xml")]
    assert down["failures"] == 1 and down["last_error"] == "HTTP 500 Internal Server Error"
    assert down["next_check"] is not None
    assert health[mixed]["items"] == {"done": 1, "failed": 1, "refused": 3}
    assert store.check() == []

    # The failing feed is backed off: not asked again until its time has come.
    hits = site.hits("/down/rss.xml")
    again = desk.scan(urls)
    assert again.backing_off == 2 and site.hits("/down/rss.xml") == hits  # and the bomb
    assert again.articles == 0 and again.items_failed == 0  # final failures are not retried
    clock.advance(301)
    site.set("/down/rss.xml", Reply(synthetic_rss("Back", site.base, []), content_type=RSS))
    desk.scan(urls)
    down = {s["url"]: s for s in store.sources()}[site.url("/down/rss.xml")]
    assert down["failures"] == 0 and down["last_outcome"] == "ok"
    desk.close()
    store.close()


def test_retry_after_defers_items_until_their_time(site: DeskSite, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "desk.sqlite"))
    site.set(
        "/feed.xml",
        Reply(synthetic_rss("Busy", site.base, [("/busy.html", "Busy")]), content_type=RSS),
    )
    site.set("/busy.html", Reply(b"", 429, headers={"Retry-After": "7200"}))
    clock = FakeClock(T0)
    desk = make_desk(store, clock)
    first = desk.scan([site.url("/feed.xml")])
    assert first.items_deferred == 1 and first.articles == 0
    assert store.sources()[0]["items"] == {"pending": 1}
    site.fixture("/busy.html", "pages/post-tram-strike.html")
    clock.advance(7201)
    later = desk.scan([site.url("/feed.xml")])
    assert later.articles == 1 and store.sources()[0]["items"] == {"done": 1}
    desk.close()
    store.close()


def test_private_addresses_are_refused_without_the_flag(site: DeskSite, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "desk.sqlite"))
    desk = Desk(store, DeskOptions(), clock=FakeClock(T0))
    report = desk.scan([site.url("/gazette/rss.xml")])
    assert report.feeds_failed == 1 and "--allow-private" in report.failures[0]["reason"]
    assert site.requests == []
    desk.close()
    store.close()


# -- sources: OPML, known sources, pages, duplicates -----------------------------------------


def test_opml_then_rescanning_known_sources(site: DeskSite, store: Store, tmp_path: Path) -> None:
    coast_site(site)
    opml = tmp_path / "desk.opml"
    opml.write_text((FEEDS / "desk.opml").read_text().replace("{base}", site.base))
    desk = make_desk(store)
    report = desk.scan([], [str(opml)])
    assert report.feeds == 4 and report.stories_new == 2
    before = tables(store)
    feed_hits = site.hits("/gazette/rss.xml")
    again = desk.scan()  # no arguments: every known source
    assert again.feeds == 4 and site.hits("/gazette/rss.xml") == feed_hits + 1
    assert tables(store) == before
    desk.close()


def test_a_page_source_is_an_article_and_its_updates_rewrite_the_story(
    site: DeskSite, store: Store
) -> None:
    feeds = coast_site(site)
    page = site.fixture("/ledger/wexcombe-evacuated.html", "pages/ledger-barrier-evacuation.html")
    desk = make_desk(store)
    desk.scan([feeds["gazette"], page])
    story = barrier(store)
    assert story["version"] == 1 and len(story["articles"]) == 2
    changed = (
        (FEEDS / "pages/ledger-barrier-evacuation.html").read_text().replace("38 homes", "41 homes")
    )
    site.set("/ledger/wexcombe-evacuated.html", Reply(changed.encode()))
    report = desk.scan([feeds["gazette"], page])
    assert report.articles == 0 and report.stories_updated == 1
    story = barrier(store)
    assert story["version"] == 2 and len(story["articles"]) == 2
    texts = [
        s["text"] for a in store.version(story["id"])["story"]["articles"] for s in a["sentences"]
    ]  # type: ignore[index]
    assert any("41 homes" in t for t in texts) and not any("38 homes" in t for t in texts)
    desk.close()


def test_the_same_article_twice_is_stored_once(site: DeskSite, store: Store) -> None:
    site.fixture("/post/tram-strike.html", "pages/post-tram-strike.html")
    site.fixture("/syndicated/trams.html", "pages/post-tram-strike.html")
    site.set(
        "/a.xml",
        Reply(synthetic_rss("A", site.base, [("/post/tram-strike.html", "T")]), content_type=RSS),
    )
    links = [("/syndicated/trams.html", "T"), ("/post/tram-strike.html?utm_source=b", "T")]
    site.set("/b.xml", Reply(synthetic_rss("B", site.base, links), content_type=RSS))
    desk = make_desk(store)
    report = desk.scan([site.url("/a.xml"), site.url("/b.xml")])
    assert report.articles == 1 and report.duplicates == 1  # same text at another URL
    assert store.counts()["items"] == 2  # the utm link is the same item as the plain one
    assert site.hits("/post/tram-strike.html") == 1
    desk.close()


def test_an_item_whose_page_is_stored_is_not_read_again(site: DeskSite, store: Store) -> None:
    page = site.fixture("/post/tram-strike.html", "pages/post-tram-strike.html")
    links = [("/post/tram-strike.html?utm_source=a", "T")]
    site.set("/a.xml", Reply(synthetic_rss("A", site.base, links), content_type=RSS))
    desk = make_desk(store)
    report = desk.scan([page, site.url("/a.xml")])
    assert report.articles == 1 and report.duplicates == 1
    assert site.hits("/post/tram-strike.html") == 1  # as a source, not again as an item
    with store.read() as conn:
        state, why = conn.exec_driver_sql("SELECT state, last_error FROM items").one()
    assert (state, why) == ("duplicate", "an article with this URL is stored")
    desk.close()


# -- resuming, watching ------------------------------------------------------------------------


def test_a_new_desk_resumes_articles_left_without_a_story(site: DeskSite, store: Store) -> None:
    """An article committed just before a kill (no story yet) joins the right story in the
    next process, whose clustering state is rebuilt from the store."""
    from newsdistill.extract import extract
    from newsdistill.models import Document
    from newsdistill.sentences import split_sentences

    feeds = coast_site(site)
    desk = make_desk(store)
    desk.scan(list(feeds.values()))
    desk.close()
    html = (FEEDS / "pages/gazette-barrier-inspection.html").read_text()
    page = extract(Document("x", html, "html", url=site.url("/news/barrier-inspection.html")))
    store.add_article(page, split_sentences(page.text, "a0"), T0, url=page.url, source_id=None)
    fresh = make_desk(store)
    report = fresh.scan(list(feeds.values()))
    assert report.articles == 0 and report.stories_updated == 1
    story = barrier(store)
    assert story["version"] == 2 and len(story["articles"]) == 4
    fresh.close()


def test_watch_keeps_scanning(site: DeskSite, store: Store) -> None:
    feeds = coast_site(site)
    clock = FakeClock(T0)
    desk = make_desk(store, clock)
    reports: list[Any] = []

    def publish_follow_up(report: Any) -> None:
        reports.append(report)
        coast_site(site, "gazette-2.rss.xml")

    assert desk.watch(list(feeds.values()), [], every=600, passes=3, on_pass=publish_follow_up) == 3
    assert [r.articles for r in reports] == [5, 1, 0]
    assert clock.slept.count(600.0) == 2  # scans take no fake time: a full interval each
    desk.close()


# -- the command line ------------------------------------------------------------------------


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("NEWSDISTILL_DB", None)
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=timeout)


def test_cli_scan_stories_show_history_sources(site: DeskSite, tmp_path: Path) -> None:
    feeds = coast_site(site)
    db = str(tmp_path / "cli.sqlite")
    common = ["--db", db, "--allow-private", "--host-delay", "0"]
    out = run("scan", *feeds.values(), *common, "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["articles"] == 5 and report["stories_new"] == 2 and out.stderr == ""

    listed = json.loads(run("stories", "--db", db, "--format", "json", "--since", "1h").stdout)
    assert len(listed["stories"]) == 2
    first = listed["stories"][0]
    assert set(first) >= {"id", "version", "updated", "headline", "articles"}
    assert {"id", "title", "outlet", "url", "published"} <= set(first["articles"][0])
    sid = str(first["id"])

    md = run("show", sid, "--db", db)
    assert md.returncode == 0 and md.stdout.startswith("# ") and "## Sources" in md.stdout
    shown = json.loads(run("show", sid, "--db", db, "--format", "json").stdout)
    assert shown["id"] == first["id"] and shown["version"] == 1 and shown["sentences"]
    assert "<html" in run("show", sid, "--db", db, "--format", "html").stdout.lower()
    assert run("show", "999", "--db", db).returncode == 1

    hist = run("history", sid, "--db", db)
    assert hist.returncode == 0 and "v1" in hist.stdout and "first version" in hist.stdout

    health = json.loads(run("sources", "--db", db, "--format", "json").stdout)
    assert len(health["sources"]) == 4 and all(s["last_outcome"] == "ok" for s in health["sources"])

    text = run("scan", "--db", db, "--allow-private", "--host-delay", "0")  # known sources
    assert text.returncode == 0 and "0 new articles" in text.stdout


def test_cli_refuses_local_addresses_without_the_flag(site: DeskSite, tmp_path: Path) -> None:
    url = site.set("/rss.xml", Reply(b"", content_type=RSS))
    out = run("scan", url, "--db", str(tmp_path / "x.sqlite"))
    assert out.returncode == 1
    assert "--allow-private" in out.stderr and "every source failed" in out.stderr
    helptext = run("scan", "--help").stdout
    assert "--allow-private" in helptext and "tests" in helptext and "Example" in helptext
    for cmd in ("watch", "stories", "show", "history", "sources"):
        assert "Example" in run(cmd, "--help").stdout, cmd


def test_cli_usage_errors(tmp_path: Path) -> None:
    out = run("scan", "--db", str(tmp_path / "empty.sqlite"))
    assert out.returncode == 2 and "give feed or page URLs" in out.stderr
    assert run("watch", "--every", "soon", "http://x.test/").returncode == 2


# -- kill -9 -------------------------------------------------------------------------------


def _synthetic_desk(site: DeskSite, n: int) -> str:
    links = []
    for i in range(n):
        event = synthetic_event(i % 3)
        title, html = synthetic_article(event, f"Outlet {i}", i)
        site.set(f"/s/{i}.html", Reply(html.encode()))
        links.append((f"/s/{i}.html", title))
    return site.set(
        "/s/rss.xml", Reply(synthetic_rss("Synthetic", site.base, links), content_type=RSS)
    )


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


@pytest.mark.parametrize("kill_when", ["articles", "stories"])
def test_kill_9_mid_scan_loses_nothing_committed(
    site: DeskSite, tmp_path: Path, kill_when: str
) -> None:
    feed = _synthetic_desk(site, 12)
    db = tmp_path / "killed.sqlite"
    site.default_delay = 0.25 if kill_when == "articles" else 0.0  # a slow server
    args = [EXE, "scan", feed, "--db", str(db), "--allow-private", "--host-delay", "0",
            "--workers", "2", "--host-concurrency", "2", "--format", "json"]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    query = (
        "SELECT count(*) FROM articles"
        if kill_when == "articles"
        else "SELECT count(*) FROM story_versions"
    )
    deadline = time.monotonic() + 60
    # Wait for the event (articles or a story version committed), not for a length of time.
    while _count(db, query) < (3 if kill_when == "articles" else 1) and proc.poll() is None:
        assert time.monotonic() < deadline, "the scan never committed anything"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    store = Store.open(str(db))
    assert store.check() == []
    with store.read() as conn:
        committed = {r[0] for r in conn.exec_driver_sql("SELECT url FROM articles")}
        versions = {
            tuple(r) for r in conn.exec_driver_sql("SELECT story_id, version FROM story_versions")
        }
    if kill_when == "articles":
        assert 3 <= len(committed) < 12

    site.default_delay = 0.0
    rerun = run("scan", "--db", str(db), "--allow-private", "--host-delay", "0", "--format", "json")
    assert rerun.returncode == 0, rerun.stderr
    assert store.check() == []
    with store.read() as conn:
        final = {r[0] for r in conn.exec_driver_sql("SELECT url FROM articles")}
        after = {
            tuple(r) for r in conn.exec_driver_sql("SELECT story_id, version FROM story_versions")
        }
        states = dict(
            conn.exec_driver_sql("SELECT state, count(*) FROM items GROUP BY state").all()
        )
    assert committed <= final and len(final) == 12
    assert versions <= after  # no saved version was lost
    assert states == {"done": 12} and store.dirty_stories() == []
    assert sum(len(s["articles"]) for s in store.stories()) == 12
    store.close()


def test_a_forgotten_allow_private_is_not_remembered(site: DeskSite, tmp_path: Path) -> None:
    feeds = coast_site(site)
    db = str(tmp_path / "again.sqlite")
    url = next(iter(feeds.values()))
    refused = run("scan", url, "--db", db, "--host-delay", "0")
    assert refused.returncode == 1 and "--allow-private" in refused.stderr
    again = run("scan", url, "--db", db, "--allow-private", "--host-delay", "0", "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["articles"] > 0  # not held back by the earlier refusal


def test_a_roundup_page_is_kept_apart_and_never_published(
    site: DeskSite, store: Store, db_url: str
) -> None:
    feeds = coast_site(site)
    briefing = site.fixture("/ledger/briefing-friday.html", "pages/ledger-morning-briefing.html")
    desk = make_desk(store)
    report = desk.scan([*feeds.values(), briefing])
    assert report.articles == 6 and report.stories_new == 2  # the briefing opened no story
    # The scan report says it was set aside, and why.
    [aside] = report.roundups
    assert aside["url"] == briefing and aside["reason"].startswith("roundup: 5 items")
    assert report.line().endswith(", 1 roundup set aside")
    stored = store.find_article(url=briefing)
    assert stored is not None
    story = barrier(store)
    assert briefing not in {a["url"] for a in story["articles"]}
    saved = store.version(story["id"])
    assert saved is not None
    assert not any("Hallamshire" in s["text"] for s in saved["story"]["sentences"])
    assert len(store.stories()) == 2
    # Placed once: a rescan (and a desk rebuilt from the store) leaves it where it is.
    assert store.unassigned() == []
    again = make_desk(store).scan([*feeds.values(), briefing])
    assert (again.articles, again.stories_new, again.stories_updated) == (0, 0, 0)
    assert again.roundups == []  # reported once, when it was placed
    assert len(store.stories()) == 2 and store.check() == []
    # Its reason is kept, and `show` says it instead of "no story".
    (rid,) = [i for i, st in store.story_states(range(1, 10)).items() if st == "roundup"]
    assert store.story(rid)["last_error"].startswith("roundup: 5 items on 5 unrelated")  # type: ignore[index]
    shown = run("show", str(rid), "--db", db_url)
    assert shown.returncode == 1 and "roundup page and is not published" in shown.stderr


def test_an_event_is_never_poured_into_a_stored_roundup(site: DeskSite, store: Store) -> None:
    feeds = coast_site(site)
    page = site.fixture("/ledger/wexcombe-evacuated.html", "pages/ledger-barrier-evacuation.html")
    make_desk(store).scan([page])
    # As if the page had been stored as a roundup by settings that a later replay no longer
    # shares: the replay puts it in the barrier event, and the barrier reports meet it there.
    aid = store.find_article(url=page)
    assert aid is not None
    created = store.assign([(aid, "roundup-0")], T0, reasons={"roundup-0": "roundup: test"})
    rid = created["roundup-0"]
    report = make_desk(store).scan(list(feeds.values()))
    assert report.articles == 4  # the ledger's item is the page already stored
    assert store.story_articles(rid) == [aid]  # nothing poured into the roundup story
    # The other reports opened a story of their own, and it is written.
    (story,) = [s for s in store.stories() if "Wexcombe" in s["headline"] and s["articles"]]
    assert story["version"] == 1 and story["id"] != rid
    assert store.story_states([rid]) == {rid: "roundup"}
