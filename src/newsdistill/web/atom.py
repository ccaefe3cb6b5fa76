"""The Atom feed (RFC 4287) of generated stories, for the server and the static site.

Written with ``xml.etree.ElementTree``, which escapes every text and attribute, so titles and
outlet names from articles cannot break out of the XML. Each entry's ``content`` is HTML
(``type="html"``) rendered by ``pages.feed_content`` with autoescaping, then escaped once
more as XML text, as Atom requires.

Entry ids are ``urn:uuid:`` names derived from the story's id and creation time: stable when
the site moves to another address, and distinct between two desks.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from .. import __version__
from .data import Summary
from .pages import feed_content

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50  # entries per feed: the newest updates


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def story_urn(story_id: int, created: str) -> str:
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"newsdistill:story:{story_id}:{created}")
    )


def feed_xml(
    stories: Sequence[Summary],
    load: Callable[[Summary], Mapping[str, Any] | None],
    *,
    base: str,
    story_href: Callable[[int], str],
    self_href: str,
    home_href: str,
    title: str,
) -> bytes:
    """An Atom feed of ``stories`` (newest update first), each entry's content loaded with
    ``load`` (the public story JSON). Hrefs are made absolute against ``base`` when it is
    an absolute URL; otherwise they stay relative and ``xml:base`` is left out."""

    def href(h: str) -> str:
        return urljoin(base, h) if base else h

    # Plain tag names under an explicit xmlns: ElementTree's default_namespace option
    # refuses the unqualified attributes (href, rel) Atom uses.
    feed = ET.Element("feed", xmlns=ATOM_NS)
    if base:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", base)
    _el(
        feed,
        "id",
        "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"newsdistill:feed:{href(self_href)}")),
    )
    _el(feed, "title", title, type="text")
    _el(feed, "subtitle", "Stories machine-written by newsdistill from the reports they cite.")
    _el(feed, "updated", max((s.updated for s in stories), default="1970-01-01T00:00:00Z"))
    _el(feed, "link", rel="self", type="application/atom+xml", href=href(self_href))
    _el(feed, "link", rel="alternate", type="text/html", href=href(home_href))
    author = _el(feed, "author")
    _el(author, "name", "newsdistill")
    _el(feed, "generator", "newsdistill", version=__version__)
    for s in stories[:FEED_SIZE]:
        story = load(s)
        if story is None:
            continue
        url = href(story_href(s.id))
        entry = _el(feed, "entry")
        _el(entry, "id", story_urn(s.id, s.created))
        _el(entry, "title", s.headline, type="text")
        _el(entry, "published", s.created)
        _el(entry, "updated", s.updated)
        _el(entry, "link", rel="alternate", type="text/html", href=url)
        if s.single_source:
            _el(entry, "category", term="single-source", label="Single source")
        for outlet in s.outlets:
            _el(entry, "category", term=outlet, scheme="urn:newsdistill:outlet")
        _el(entry, "summary", s.lede, type="text")
        _el(entry, "content", feed_content(story, url), type="html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
