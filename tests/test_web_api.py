"""The web app through FastAPI's test client: JSON API, pages, feeds, escaping, headers.

The store is filled the way the desk fills it (``web.demo.fill_from_samples``) from the
bundled sample articles, with hostile metadata planted in one source: a title holding a
<script> element, an outlet name holding markup, and a javascript: link.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from newsdistill.models import Page
from newsdistill.store import Store
from newsdistill.web.app import create_app
from newsdistill.web.data import public_story
from newsdistill.web.demo import fill_from_samples

T0 = 1_795_000_000.0  # 2026-11-18T08:26:40Z
HOSTILE_TITLE = '<script>alert("pwned")</script> Streetcar <b>vote</b> & the budget'
HOSTILE_OUTLET = "Valley <i>Observer</i>"


def plant(name: str, page: Page) -> Page:
    """Hostile metadata in two sources of the streetcar story (event B)."""
    if name == "b-valley-observer":
        return dataclasses.replace(page, title=HOSTILE_TITLE, outlet=HOSTILE_OUTLET)
    if name == "b-metro-daily":
        return dataclasses.replace(page, url="javascript:alert(1)//metro")
    return page


def make_store(path: Path) -> tuple[Store, dict[str, int]]:
    """A store with the three sample stories (A: fire, two versions; B: streetcar, with the
    planted sources; Z: museum, single source)."""
    store = Store.open(f"sqlite:///{path}")
    return store, fill_from_samples(store, T0, edit=plant)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, int]]]:
    store, ids = make_store(tmp_path_factory.mktemp("web") / "desk.sqlite")
    yield store, ids
    store.close()


@pytest.fixture(scope="module")
def client(filled: tuple[Store, dict[str, int]]) -> Iterator[TestClient]:
    with TestClient(create_app(store=filled[0])) as c:
        yield c


@pytest.fixture(scope="module")
def ids(filled: tuple[Store, dict[str, int]]) -> dict[str, int]:
    return filled[1]


def test_list_newest_first_and_biggest(client: TestClient, ids: dict[str, int]) -> None:
    data = client.get("/api/stories").json()
    assert data["count"] == 3
    order = [s["id"] for s in data["stories"]]
    assert order == [ids["Z"], ids["B"], ids["A"]]  # the order they were last written
    biggest = [s["id"] for s in client.get("/api/stories?sort=biggest").json()["stories"]]
    assert biggest[0] == ids["A"] and biggest[-1] == ids["Z"]
    by_id = {s["id"]: s for s in data["stories"]}
    assert by_id[ids["Z"]]["single_source"] is True and by_id[ids["Z"]]["publishers"] == 1
    fire = by_id[ids["A"]]
    assert fire["publishers"] == 4 and not fire["single_source"]
    assert len(fire["outlets"]) == fire["publishers"]  # a syndicated copy is not an outlet
    assert fire["version"] == 2 and fire["lede"] and fire["url"] == f"/stories/{ids['A']}.html"


def test_search_and_limit(client: TestClient, ids: dict[str, int]) -> None:
    found = client.get("/api/stories", params={"q": "streetcar"}).json()["stories"]
    assert [s["id"] for s in found] == [ids["B"]]
    assert client.get("/api/stories", params={"q": "schooner museum"}).json()["count"] == 1
    assert client.get("/api/stories", params={"q": "volcano"}).json()["count"] == 0
    assert client.get("/api/stories", params={"limit": 1}).json()["count"] == 1
    assert client.get("/api/stories", params={"limit": 0}).status_code == 422


def test_story_and_versions(client: TestClient, ids: dict[str, int]) -> None:
    a = ids["A"]
    d = client.get(f"/api/stories/{a}").json()
    assert d["id"] == a and d["version"] == 2 and d["latest_version"] == 2
    assert d["versions"] == [1, 2]
    story = d["story"]
    assert story["headline"] and story["sentences"] and story["discrepancies"]
    vs = client.get(f"/api/stories/{a}/versions").json()["versions"]
    assert [v["version"] for v in vs] == [1, 2]
    assert vs[0]["changes"]["first"] is True
    assert vs[1]["changes"]["articles_added"] and vs[1]["url"] == f"/stories/{a}/v2.html"
    v1 = client.get(f"/api/stories/{a}/versions/1").json()
    assert v1["version"] == 1 and v1["latest_version"] == 2
    assert len(v1["story"]["articles"]) < len(story["articles"])


def test_published_story_holds_only_cited_source_sentences(
    client: TestClient, filled: tuple[Store, dict[str, int]], ids: dict[str, int]
) -> None:
    store = filled[0]
    for sid in ids.values():
        saved = store.version(sid)
        assert saved is not None
        served = client.get(f"/api/stories/{sid}").json()["story"]
        assert served == public_story(saved["story"])
        assert "dropped" not in served
        assert served["dropped_count"] == len(saved["story"]["dropped"])
        cited = set(re.findall(r"'sentence': '([^']+)'", repr(served["sentences"])))
        cited |= {c["sentence"] for c in served["headline_citations"]}
        for a in served["articles"]:
            assert a["path"] is None
            kept = {s["id"] for s in a["sentences"]}
            stored = next(x for x in saved["story"]["articles"] if x["id"] == a["id"])
            assert len(kept) < len(stored["sentences"])  # never the whole article
            assert kept <= cited | {
                c["sentence"]
                for key in ("key_facts", "quotes", "timeline")
                for x in served[key]
                for c in x["citations"]
            } | {
                c["sentence"]
                for x in served["discrepancies"]
                for claim in x["claims"]
                for c in claim["citations"]
            }


def test_missing_stories(client: TestClient) -> None:
    for path in ("/api/stories/999", "/api/stories/999/versions", "/api/stories/1/versions/99"):
        r = client.get(path)
        assert r.status_code == 404 and "detail" in r.json()
    r = client.get("/stories/999.html")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "There is no story 999" in r.text
    assert client.get("/stories/abc.html").status_code == 404
    assert client.get("/api/stories/abc").status_code == 422
    assert client.get("/assets/../../etc/passwd").status_code == 404
    assert client.get("/docs").status_code == 404  # its pages would load a CDN's scripts


def test_merged_story_redirects(tmp_path: Path) -> None:
    store, ids = make_store(tmp_path / "desk.sqlite")
    store.assign([], T0 + 3600, merges=[(ids["B"], [ids["Z"]])])
    with TestClient(create_app(store=store)) as c:
        r = c.get(f"/api/stories/{ids['Z']}", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == f"/api/stories/{ids['B']}"
        r = c.get(f"/stories/{ids['Z']}.html", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == f"/stories/{ids['B']}.html"
        assert ids["Z"] not in [s["id"] for s in c.get("/api/stories").json()["stories"]]
    store.close()


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/stories/{story_id}/versions",
        "/api/stories/{story_id}/versions/{version}",
    ):
        assert "get" in doc["paths"][path]
    assert {"StorySummary", "StoryDetail", "VersionInfo"} <= set(doc["components"]["schemas"])
    assert not any(p.endswith(".html") or p.endswith(".atom") for p in doc["paths"])


def test_security_headers(client: TestClient, ids: dict[str, int]) -> None:
    for path in ("/", f"/stories/{ids['A']}.html", "/api/stories", "/feed.atom", "/nope"):
        h = client.get(path).headers
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert h["x-content-type-options"] == "nosniff"


def test_pages_escape_everything_from_sources(client: TestClient, ids: dict[str, int]) -> None:
    html = client.get(f"/stories/{ids['B']}.html").text
    assert "<script>alert" not in html and "<b>vote</b>" not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; Streetcar &lt;b&gt;vote" in html
    assert "Valley &lt;i&gt;Observer&lt;/i&gt;" in html
    assert "javascript:" not in html  # the link is dropped, the source still listed
    # The only scripts are the site's own file.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/assets/site.js" defer>']
    front = client.get("/").text
    assert "<i>Observer</i>" not in front and "Valley &lt;i&gt;Observer&lt;/i&gt;" in front


def test_story_page_anatomy(client: TestClient, ids: dict[str, int]) -> None:
    html = client.get(f"/stories/{ids['A']}.html").text
    for part in ("<h1", "Key facts", "Quotes", "Reports differ", "Timeline", "Sources"):
        assert part in html
    assert "machine-written by newsdistill from the sources listed" in html
    assert f'href="/stories/{ids["A"]}/history.html"' in html
    assert 'class="differs"' in html  # sentences resting on a disputed report are marked
    assert html.count('<details class="evidence">') >= 5
    assert "<main" in html and "<header" in html and "<footer" in html
    old = client.get(f"/stories/{ids['A']}/v1.html").text
    assert "version 1 of 2" in old
    history = client.get(f"/stories/{ids['A']}/history.html").text
    assert "Version 2" in history and "First version, from 3 articles." in history
    z = client.get(f"/stories/{ids['Z']}.html").text
    assert "Single source" in z


def test_front_page(client: TestClient, ids: dict[str, int]) -> None:
    html = client.get("/").text
    assert html.index(f"/stories/{ids['Z']}.html") < html.index(f"/stories/{ids['A']}.html")
    assert "Single source" in html and "4 outlets" in html and "updated" in html
    assert 'role="search"' in html
    big = client.get("/?sort=biggest").text
    assert big.index(f"/stories/{ids['A']}.html") < big.index(f"/stories/{ids['Z']}.html")
    found = client.get("/?q=streetcar").text
    assert f"/stories/{ids['B']}.html" in found and f"/stories/{ids['A']}.html" not in found
    assert 'href="/topics/streetcar.atom"' in found
    assert "No story is about" in client.get("/?q=volcano").text


def test_atom_feed_parses(client: TestClient, ids: dict[str, int]) -> None:
    r = client.get("/feed.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 3
    headlines = {s["id"]: s["headline"] for s in client.get("/api/stories").json()["stories"]}
    for entry in feed.entries:
        sid = int(re.search(r"/stories/(\d+)\.html$", entry.link).group(1))  # type: ignore[union-attr]
        assert entry.link.startswith("http://testserver/stories/")
        assert entry.title == headlines[sid]
        assert entry.id.startswith("urn:uuid:")
        assert entry.updated_parsed and entry.published_parsed and entry.summary
    assert len({e.id for e in feed.entries}) == 3
    streetcar = next(e for e in feed.entries if "streetcar" in e.title.lower())
    body = streetcar.content[0].value
    assert "<script" not in body  # the hostile title stays text inside the entry's HTML
    assert "&lt;script&gt;" in body and "javascript:" not in body
    assert "machine-written" in body
    assert any(t.term == "single-source" for e in feed.entries for t in e.get("tags", []))


def test_topic_feed(client: TestClient, ids: dict[str, int]) -> None:
    feed = feedparser.parse(client.get("/topics/streetcar.atom").content)
    assert not feed.bozo and [e.title for e in feed.entries] == [
        client.get(f"/api/stories/{ids['B']}").json()["story"]["headline"]
    ]
    assert feed.feed.title == "newsdistill: stories about streetcar"
    assert feedparser.parse(client.get("/topics/volcano.atom").content).entries == []
    assert client.get("/topics/---.atom").status_code == 404


def test_assets(client: TestClient) -> None:
    css = client.get("/assets/site.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "details.evidence" in css.text
    js = client.get("/assets/site.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert "http" not in re.sub(r"//.*", "", js.text)  # nothing fetched from anywhere


def test_story_json_round_trip(filled: tuple[Store, dict[str, int]]) -> None:
    """render.jsonin.story_from_dict inverts render.jsonout.story on stored stories."""
    from newsdistill.render.jsonin import story_from_dict
    from newsdistill.render.jsonout import story as story_json

    store, ids = filled
    for sid in ids.values():
        for v in store.versions(sid):
            saved = store.version(sid, v["version"])
            assert saved is not None
            d = saved["story"]
            story = story_from_dict(d)
            assert story_json(story) == d
            assert story.publishers == d["publishers"]
            assert [s.verdict.label if s.verdict else None for s in story.sentences] == [
                s.get("verdict", {}).get("label") for s in d["sentences"]
            ]


def test_round_trip_of_a_written_story() -> None:
    """Every field of a story written by the pipeline survives JSON and back."""
    from newsdistill.pipeline import Options, load_pages, make_articles, stories_from
    from newsdistill.render.jsonin import story_from_dict
    from newsdistill.render.jsonout import story as story_json
    from newsdistill.sampledata import samples_dir

    pages, _ = load_pages([str(samples_dir())], Options())
    stories, _ = stories_from(make_articles(pages), Options())
    for s in stories:
        back = story_from_dict(story_json(s))
        assert story_json(back) == story_json(s)
        # The JSON form keeps no verdict for the headline, and scores to 3 decimals.
        assert (back.headline.text, back.headline.citations) == (
            s.headline.text,
            s.headline.citations,
        )
        for x, y in zip(back.sentences, s.sentences, strict=True):
            assert (x.text, x.section, x.paragraph, x.citations) == (
                y.text,
                y.section,
                y.paragraph,
                y.citations,
            )
            assert (x.verdict and x.verdict.label) == (y.verdict and y.verdict.label)
        assert back.key_facts == s.key_facts and back.quotes == s.quotes
        assert back.discrepancies == s.discrepancies and back.timeline == s.timeline
        assert back.dropped == s.dropped and back.notes == s.notes
        assert back.dateline == s.dateline and back.engine == s.engine
        for a, b in zip(back.articles, s.articles, strict=True):
            assert a.id == b.id and a.copies == b.copies
            assert [x.text for x in a.sentences] == [x.text for x in b.sentences]
            assert (a.page.title, a.page.outlet, a.page.url) == (
                b.page.title,
                b.page.outlet,
                b.page.url,
            )
