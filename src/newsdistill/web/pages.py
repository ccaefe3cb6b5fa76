"""The HTML pages of the news site, for the server and for ``publish`` alike.

Story pages reuse ``render.html.story_view`` and the ``render/templates/story.html`` partial,
so a story looks the same in ``newsdistill write --format html``, on the site and in the
static copy. Templates in ``web/templates`` come first in the search path: its
``evidence.html`` replaces the renderer's pop-up with one that also links to each source and
marks sentences on which the reports differ.

Everything that comes from an article is escaped by Jinja2's autoescaping; links out are
rendered only for http(s) URLs (``render.html.safe_url``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from ..render.common import NOTICE
from ..render.html import story_view
from ..render.jsonin import story_from_dict
from .data import Edition, Sort, Summary, topic_slug

SITE_TITLE = "newsdistill"

# The same policy is sent as a header by the server and written as <meta> into static pages
# (where frame-ancestors cannot be set). No inline script or style: the page's CSS and JS are
# files served from the site itself.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'"
)
CSP_HEADER = CSP + "; frame-ancestors 'none'"


@dataclass(frozen=True)
class Links:
    """Where every page lives. One URL scheme for the server and the static site: story
    pages are ``stories/<id>.html`` in both. On the server links are absolute paths from
    ``root`` ("/"); in a static site they are relative to the page being written ("../"),
    so the folder works from any address, including a file:// one."""

    root: str = "/"
    static: bool = False

    def at_depth(self, depth: int) -> Links:
        """The links as seen from a static page ``depth`` folders below the site root."""
        return Links("../" * depth, self.static)

    def front(self, sort: Sort = "latest", q: str | None = None) -> str:
        if self.static:
            return self.root + ("biggest.html" if sort == "biggest" else "index.html")
        params = {k: v for k, v in (("sort", sort if sort != "latest" else ""), ("q", q)) if v}
        return self.root + ("?" + urlencode(params) if params else "")

    def story(self, story_id: int) -> str:
        return f"{self.root}stories/{story_id}.html"

    def version(self, story_id: int, n: int) -> str:
        return f"{self.root}stories/{story_id}/v{n}.html"

    def history(self, story_id: int) -> str:
        return f"{self.root}stories/{story_id}/history.html"

    def feed(self) -> str:
        return self.root + "feed.atom"

    def topic_feed(self, topic: str) -> str:
        return f"{self.root}topics/{quote(topic_slug(topic))}.atom"

    def asset(self, name: str) -> str:
        return f"{self.root}assets/{name}"

    def api_story(self, story_id: int) -> str | None:
        """The story's JSON on the server; ``None`` in a static site, which has no API."""
        return None if self.static else f"{self.root}api/stories/{story_id}"

    def api(self) -> str | None:
        return None if self.static else f"{self.root}api/openapi.json"


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("newsdistill", "web/templates"),
                jinja2.PackageLoader("newsdistill", "render/templates"),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    return env


def when(value: str | None) -> str:
    """ "2026-11-18T14:05:00Z" -> "2026-11-18 14:05 UTC"; a date stays a date."""
    if not value:
        return ""
    if "T" not in value:
        return value[:10]
    day, clock = value.split("T", 1)
    utc = clock.endswith("Z") or clock.endswith("+00:00")
    return f"{day} {clock[:5]}" + (" UTC" if utc else "")


def _page(template: str, links: Links, **context: Any) -> str:
    return str(
        _env()
        .get_template(template)
        .render(links=links, csp=CSP, site_title=SITE_TITLE, notice=NOTICE, **context)
    )


def front_page(
    stories: Sequence[Summary],
    links: Links,
    *,
    sort: Sort = "latest",
    q: str | None = None,
    topics: Iterable[str] = (),
) -> str:
    """The front page: the latest stories (or the biggest), with a search box."""
    return _page("front.html", links, stories=stories, sort=sort, q=q or "", topics=list(topics))


def mark_disputed(view: dict[str, Any]) -> dict[str, Any]:
    """Flag the story sentences and key facts that rest on a source sentence one side of a
    "Reports differ" entry cites, so the page can mark them where the reader meets them."""
    disputed = {
        e["id"] for d in view["discrepancies"] for claim in d["claims"] for e in claim["evidence"]
    }

    def flag(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "disputed": any(e["id"] in disputed for e in item["evidence"])}

    return {
        **view,
        "paragraphs": [[flag(s) for s in para] for para in view["paragraphs"]],
        "sections": [
            {**sec, "paragraphs": [[flag(s) for s in p] for p in sec["paragraphs"]]}
            for sec in view["sections"]
        ],
        "key_facts": [flag(f) for f in view["key_facts"]],
    }


def view_of(story: Mapping[str, Any]) -> dict[str, Any]:
    """What the story templates show, from a story's (public) JSON form."""
    return mark_disputed(story_view(story_from_dict(story)))


def story_page(edition: Edition, versions: Sequence[Mapping[str, Any]], links: Links) -> str:
    """A story's page: the full anatomy with evidence, its versions and the notice."""
    return _page(
        "story_page.html",
        links,
        edition=edition,
        story=view_of(edition.story),
        versions=versions,
        si=1,
    )


def history_page(
    story_id: int, headline: str, versions: Sequence[Mapping[str, Any]], links: Links
) -> str:
    """The list of a story's versions with what changed in each."""
    return _page(
        "history.html",
        links,
        story_id=story_id,
        headline=headline,
        versions=[{**v, "what": what_changed(v["changes"])} for v in reversed(versions)],
    )


def what_changed(changes: Mapping[str, Any]) -> str:
    """One line on what a version changed (``desk.describe_changes``), for readers."""

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    if changes.get("first"):
        return f"First version, from {n(len(changes.get('articles_added', [])), 'article')}."
    bits = []
    if changes.get("articles_added"):
        bits.append(f"{n(len(changes['articles_added']), 'article')} added")
    if changes.get("articles_removed"):
        bits.append(f"{n(len(changes['articles_removed']), 'article')} removed")
    if changes.get("headline_changed"):
        bits.append("new headline")
    added, removed = changes.get("sentences_added", 0), changes.get("sentences_removed", 0)
    bits.append(f"{n(added, 'sentence')} added, {removed} removed")
    return "; ".join(bits).capitalize() + "."


def not_found_page(links: Links, message: str) -> str:
    return _page("not_found.html", links, message=message)


def feed_content(story: Mapping[str, Any], story_url: str) -> str:
    """A story as HTML for an Atom entry: its paragraphs, where reports differ, its sources
    with links, and the notice. No scripts or styles: feed readers strip them anyway."""
    return str(
        _env()
        .get_template("feed_entry.html")
        .render(story=view_of(story), story_url=story_url, notice=NOTICE)
    )


@lru_cache(maxsize=1)
def site_css() -> str:
    """The site's stylesheet: the story renderer's CSS, then the site's own rules."""
    env = _env()
    return str(env.loader.get_source(env, "story.css")[0]) + "\n" + _asset_file("site.css")


def _asset_file(name: str) -> str:
    from importlib.resources import files

    return (files("newsdistill") / "web" / "assets" / name).read_text(encoding="utf-8")


ASSETS = {
    "site.css": "text/css; charset=utf-8",
    "site.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


def asset(name: str) -> str:
    """The text of one of ``ASSETS``."""
    return site_css() if name == "site.css" else _asset_file(name)
