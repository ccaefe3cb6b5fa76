"""Read news feeds (RSS 2.0, RSS 1.0, Atom, JSON Feed) and OPML feed lists into plain values.

RSS and Atom go through feedparser, which also reads broken feeds leniently; JSON Feed is
plain JSON and read here (feedparser 6.0 does not know it). Hostile XML is refused before
any parser sees it: a document that declares a DTD internal subset or entities is rejected,
because news feeds never need one and entity expansion is how an "XML bomb" eats memory.
(Python's expat >= 2.4 also stops billion-laughs amplification, and feedparser then falls
back to a loose parser that does not expand entities; the guard does not rely on either.)

A feed item's text may be the whole article or only a teaser. ``is_teaser`` decides which:
the desk reads full items from the feed and fetches the page behind a teaser.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin

from .errors import ExtractionError
from .models import Document
from .textutil import word_count

Kind = Literal["feed", "json", "opml", "html"]


class FeedError(ExtractionError):
    """A feed or OPML document was read but cannot be used (malformed, hostile, empty)."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed."""

    link: str | None
    guid: str | None
    title: str
    summary: str  # plain text of the description/summary, possibly a teaser
    content: str | None = None  # the full content (HTML or text) when the feed carries one
    published: str | None = None  # ISO 8601 UTC, "2026-11-18T14:05:00Z"
    author: str | None = None

    @property
    def key(self) -> str | None:
        """What identifies the item across polls: its link, else its guid."""
        return self.link or (f"guid:{self.guid}" if self.guid else None)


@dataclass(frozen=True)
class Feed:
    """A parsed feed."""

    url: str
    title: str
    format: str  # "rss20", "atom10", "rss10", "json1", ...
    items: list[FeedItem] = field(default_factory=list)
    link: str | None = None
    warning: str | None = None  # e.g. the feed was malformed and read leniently


@dataclass(frozen=True)
class OpmlFeed:
    """A feed listed in an OPML file."""

    url: str
    title: str


# -- what is this document? ----------------------------------------------------------------

_HEAD_XML = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*", re.S)


def sniff(content: bytes, content_type: str = "") -> Kind:
    """Tell a feed, a JSON Feed, an OPML list and a web page apart by type and first bytes."""
    ctype = content_type.lower()
    head = content[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = head.lower()
    if head.startswith(b"{") and ("json" in ctype or b"jsonfeed.org" in lowered):
        return "json"
    if b"<opml" in lowered:
        return "opml"
    if re.search(rb"<(?:rss|feed|rdf:rdf)[\s>]", lowered) and b"<html" not in lowered[:512]:
        return "feed"
    if head.startswith(b"{"):
        return "json"
    return "html"


# -- hostile XML ---------------------------------------------------------------------------

_PROLOG_END = re.compile(r"<[A-Za-z]")
_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.I)


def check_xml_safety(content: bytes, source: str) -> None:
    """Refuse XML that declares entities or a DTD internal subset (entity-bomb guard)."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = content.decode("utf-16", errors="ignore")
    else:
        text = content.decode("latin-1")  # byte-preserving; markup is ASCII in any encoding
    m = _PROLOG_END.search(text)
    prolog = text[: m.start()] if m else text
    if "<!ENTITY" in prolog.upper() or _INTERNAL_SUBSET.search(prolog):
        raise FeedError(
            source,
            "refused: the document declares XML entities (a DTD internal subset); feeds never "
            "need them and entity expansion can exhaust memory",
        )


# -- RSS / Atom / JSON Feed ----------------------------------------------------------------


def parse_feed(content: bytes, url: str, content_type: str = "") -> Feed:
    """Parse a feed document; raise ``FeedError`` naming ``url`` when it is not a usable feed.

    Relative links are resolved against ``url``. A malformed feed that still yields items is
    returned with a ``warning``; one that yields none is an error.
    """
    if sniff(content, content_type) == "json":
        return parse_json_feed(content, url)
    check_xml_safety(content, url)
    import feedparser  # lazy: keeps `newsdistill --help` fast

    # A stream, never bytes or str: feedparser treats a string as a URL or a file name.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={
            "content-location": url,
            "content-type": content_type or "application/xml",
        },
    )
    items = [item for item in (_item(e, url) for e in parsed.entries) if item is not None]
    if parsed.bozo and not items:
        exc = parsed.get("bozo_exception")
        raise FeedError(url, f"not a usable feed: malformed XML ({_short(exc)})")
    if not parsed.version and not items:
        raise FeedError(url, "not a feed: no RSS, Atom or JSON Feed document found")
    warning = None
    if parsed.bozo:
        warning = f"malformed XML read leniently ({_short(parsed.get('bozo_exception'))})"
    return Feed(
        url=url,
        title=_text(parsed.feed.get("title", "")),
        format=parsed.version or "unknown",
        items=items,
        link=parsed.feed.get("link"),
        warning=warning,
    )


def _item(entry: Any, base: str) -> FeedItem | None:
    link = entry.get("link") or None
    if link:
        link = urljoin(base, link.strip())
    guid = entry.get("id") or None
    content = None
    for c in entry.get("content") or []:
        if c.get("value"):
            content = c["value"]
            break
    summary = _text(entry.get("summary", ""))
    if not (link or guid):
        return None
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    return FeedItem(
        link=link,
        guid=guid,
        title=_text(entry.get("title", "")),
        summary=summary,
        content=content,
        published=_iso_struct(when),
        author=entry.get("author") or None,
    )


def parse_json_feed(content: bytes, url: str) -> Feed:
    """Parse a JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(url, f"not a usable feed: invalid JSON ({_short(exc)})") from exc
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise FeedError(url, "not a feed: JSON without a jsonfeed.org version")
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise FeedError(url, "not a usable feed: JSON Feed without an items list")
    items = []
    for it in raw_items:
        if not isinstance(it, dict):
            continue
        link = it.get("url") or it.get("external_url")
        link = urljoin(url, str(link)) if link else None
        guid = str(it["id"]) if it.get("id") is not None else None
        if not (link or guid):
            continue
        author = it.get("author") or (it.get("authors") or [None])[0]
        items.append(
            FeedItem(
                link=link,
                guid=guid,
                title=_text(str(it.get("title") or "")),
                summary=_text(str(it.get("summary") or "")),
                content=it.get("content_html") or it.get("content_text") or None,
                published=_iso_string(it.get("date_published") or it.get("date_modified")),
                author=author.get("name") if isinstance(author, dict) else None,
            )
        )
    version = str(data["version"]).rstrip("/").rsplit("/", 1)[-1]
    return Feed(
        url=url,
        title=_text(str(data.get("title") or "")),
        format=f"json{version.replace('version', '')}",
        items=items,
        link=data.get("home_page_url"),
    )


# -- OPML ------------------------------------------------------------------------------------


def parse_opml(content: bytes, source: str) -> list[OpmlFeed]:
    """The feeds an OPML document lists (nested outlines included), in document order."""
    import xml.etree.ElementTree as ET

    check_xml_safety(content, source)
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise FeedError(source, f"not a usable OPML file: malformed XML ({exc})") from exc
    if root.tag.lower() != "opml":
        raise FeedError(source, f"not an OPML file (root element <{root.tag}>)")
    out: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if url and url not in seen:
            seen.add(url)
            out.append(OpmlFeed(url, attrs.get("title") or attrs.get("text") or url))
    if not out:
        raise FeedError(source, "the OPML file lists no feed (no outline with an xmlUrl)")
    return out


# -- teasers and full items ----------------------------------------------------------------

# Endings that mark a cut-off teaser: an ellipsis, "[...]", "Read more", "Continue reading".
_TEASER_END = re.compile(
    r"(?:\u2026|\.\.\.|\[\s*(?:\u2026|\.\.\.)\s*\]|read more|continue reading|full story)\W*$",
    re.IGNORECASE,
)


def full_text(item: FeedItem) -> str:
    """The longest text the feed gives for an item, as plain text."""
    content = _text(item.content) if item.content else ""
    return content if word_count(content) >= word_count(item.summary) else item.summary


def is_teaser(item: FeedItem, min_words: int = 150) -> bool:
    """True when the feed does not carry the whole article and the page must be fetched.

    A text under ``min_words`` is a teaser (a news brief runs 80+ words, but feeds that send
    whole articles send them whole; 150 keeps two-sentence standfirsts out), and so is one
    that ends in an ellipsis or a "Read more" link.
    """
    text = full_text(item)
    return word_count(text) < min_words or bool(_TEASER_END.search(text.strip()))


def item_document(item: FeedItem, feed_title: str = "") -> Document:
    """A full feed item as an HTML ``Document`` that ``extract`` can read like a page."""
    body = (
        item.content
        if item.content and word_count(_text(item.content))
        else html.escape(item.summary)
    )
    if item.content and not re.search(r"<(?:p|div|br)\b", item.content, re.I):
        paragraphs = re.split(r"\n\s*\n", item.content.strip())
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    meta = (
        f'<meta property="article:published_time" content="{html.escape(item.published)}">'
        if item.published
        else ""
    )
    site = (
        f'<meta property="og:site_name" content="{html.escape(feed_title)}">' if feed_title else ""
    )
    title = html.escape(item.title)
    page = (
        f"<!DOCTYPE html><html><head><title>{title}</title>{meta}{site}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )
    return Document(source=item.link or item.guid or "", content=page, kind="html", url=item.link)


# -- helpers -------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def _text(value: str | None) -> str:
    """Plain text from a feed field that may hold HTML."""
    if not value:
        return ""
    value = re.sub(r"(?i)</(?:p|div|h\d|li|blockquote)>|<br\s*/?>", "\n\n", value)
    text = html.unescape(_TAG.sub("", value))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def _iso_struct(value: time.struct_time | None) -> str | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None


def _iso_string(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(exc: object) -> str:
    text = str(exc or "").strip().splitlines()
    return text[0] if text else type(exc).__name__
