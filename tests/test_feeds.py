"""Feed parsing: RSS 2.0, Atom, JSON Feed, OPML, teasers, and hostile or broken XML."""

from __future__ import annotations

import io
import time

import pytest

from newsdistill.extract import extract
from newsdistill.feeds import (
    FeedError,
    FeedItem,
    is_teaser,
    item_document,
    parse_feed,
    parse_opml,
    sniff,
)
from tests.desk_server import FEEDS

BASE = "http://news.test"


def load(name: str) -> bytes:
    return (FEEDS / name).read_text(encoding="utf-8").replace("{base}", BASE).encode()


def test_rss_items_with_teasers() -> None:
    feed = parse_feed(load("gazette-2.rss.xml"), BASE + "/gazette/rss.xml", "application/rss+xml")
    assert (
        feed.format == "rss20" and feed.title == "Harbour Gazette - News" and feed.warning is None
    )
    first, second = feed.items
    assert first.link == BASE + "/news/barrier-inspection.html"
    assert first.guid == "gazette-2031-0315-hinge"
    assert first.published == "2031-03-15T11:05:00Z"
    assert second.link is not None and "utm_source=rss" in second.link  # canonicalised by the desk
    assert all(is_teaser(i) for i in feed.items)


def test_atom_full_content_is_not_a_teaser() -> None:
    feed = parse_feed(load("coastline-wire.atom.xml"), BASE + "/wire/atom.xml")
    assert feed.format == "atom10"
    full, teaser = feed.items
    assert full.content and "Quay Street" in full.content and not is_teaser(full)
    assert full.published == "2031-03-14T08:02:00Z" and full.author == "Coastline Wire staff"
    assert is_teaser(teaser)


def test_a_full_item_extracts_like_a_page() -> None:
    feed = parse_feed(load("coastline-wire.atom.xml"), BASE + "/wire/atom.xml")
    page = extract(item_document(feed.items[0], "Coastline Wire"))
    assert page.title == "Flooding in Wexcombe after harbour barrier gate fails to close"
    assert page.outlet == "Coastline Wire" and page.published == "2031-03-14T08:02:00Z"
    assert "6.2 metres" in page.text and page.url == BASE + "/wire/wexcombe-flooding.html"


def test_json_feed() -> None:
    raw = load("post.feed.json")
    assert sniff(raw, "application/feed+json") == "json"
    feed = parse_feed(raw, BASE + "/post/feed.json", "application/feed+json")
    assert feed.format == "json1.1" and feed.title == "Carrowmere Post"
    (item,) = feed.items
    assert item.link == BASE + "/post/tram-strike.html" and item.guid == "post-2031-0314-trams"
    assert item.published == "2031-03-14T07:30:00Z"
    assert is_teaser(item)  # "Read more"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON"),
        (b'{"title": "not a feed", "items": []}', "jsonfeed.org version"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', "items list"),
    ],
)
def test_bad_json_feeds_are_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(raw, "http://x.test/f.json", "application/json")


def test_entity_bomb_is_refused_before_parsing() -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(load("entity-bomb.rss.xml"), BASE + "/bomb.xml")
    assert time.perf_counter() - started < 1.0


def test_feedparser_itself_does_not_expand_the_bomb() -> None:
    """What our guard stands in front of: expat refuses the amplification and feedparser's
    loose fallback leaves entities unexpanded. Pinned so an upgrade that changes this is
    noticed (the guard keeps us safe either way)."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(load("entity-bomb.rss.xml")))
    assert parsed.bozo
    assert len(parsed.feed.get("title", "")) < 1000


def test_external_entities_are_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss version='2.0'><channel><title>&x;</title></channel></rss>"
    )
    with pytest.raises(FeedError, match="refused"):
        parse_feed(xxe, "http://x.test/rss")


def test_malformed_feed_is_read_leniently_with_a_warning() -> None:
    feed = parse_feed(load("malformed.rss.xml"), BASE + "/broken.xml")
    assert feed.warning and "malformed XML" in feed.warning
    assert [i.link for i in feed.items] == [BASE + "/wire/carrowmere-trams.html"]


def test_garbage_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match="not a"):
        parse_feed(b"<?xml version='1.0'?><rss><channel><item>", "http://x.test/rss")
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"<?xml version='1.0'?><catalog><book/></catalog>", "http://x.test/rss")


def test_sniff_tells_documents_apart() -> None:
    assert sniff(load("gazette-1.rss.xml")) == "feed"
    assert sniff(load("coastline-wire.atom.xml"), "text/xml") == "feed"
    assert sniff(load("desk.opml")) == "opml"
    assert sniff((FEEDS / "pages" / "post-tram-strike.html").read_bytes(), "text/html") == "html"
    assert sniff(b"\xef\xbb\xbf  <rss version='2.0'>", "text/html") == "feed"


def test_opml_lists_nested_feeds() -> None:
    feeds = parse_opml(load("desk.opml"), "desk.opml")
    assert [f.title for f in feeds] == [
        "Harbour Gazette",
        "Northern Ledger",
        "Coastline Wire",
        "Carrowmere Post",
    ]
    assert feeds[0].url == BASE + "/gazette/rss.xml"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"<opml><body><outline", "malformed"),
        (b"<rss/>", "not an OPML file"),
        (b"<opml><body><outline text='folder'/></body></opml>", "lists no feed"),
        (b'<!DOCTYPE opml [<!ENTITY a "aa">]><opml><body/></opml>', "declares XML entities"),
    ],
)
def test_bad_opml_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_opml(raw, "feeds.opml")


@pytest.mark.parametrize(
    ("summary", "teaser"),
    [
        ("Short standfirst about the strike.", True),
        (" ".join(["word"] * 200), False),
        (" ".join(["word"] * 200) + " [...]", True),
        (" ".join(["word"] * 200) + " Continue reading", True),
    ],
)
def test_teasers(summary: str, teaser: bool) -> None:
    assert is_teaser(FeedItem("http://x.test/a", None, "t", summary)) is teaser
