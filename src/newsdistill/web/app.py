"""The news site and its JSON API, served from the news desk's store (``create_app``).

Routes (every HTML page also exists in the static copy ``newsdistill publish`` writes)::

    /                                   front page: ?q=topic words, ?sort=latest|biggest
    /stories/{id}.html                  a story, latest version
    /stories/{id}/v{n}.html             version n of a story
    /stories/{id}/history.html          its versions and what changed in each
    /feed.atom                          Atom feed of the latest stories
    /topics/{topic}.atom                Atom feed of the stories about a topic
    /assets/site.css, /assets/site.js   the page's only stylesheet and script
    /api/stories                        JSON: story summaries (?q, ?sort, ?limit)
    /api/stories/{id}                   JSON: a story (latest version) and its versions
    /api/stories/{id}/versions          JSON: its versions with what changed
    /api/stories/{id}/versions/{n}      JSON: version n
    /api/openapi.json                   the OpenAPI document of the API

A merged story redirects to the story it joined. Every response carries a
Content-Security-Policy that allows only this site's own script and stylesheet; the API
documentation pages FastAPI would load from a CDN are switched off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from . import atom, pages
from .data import Newsroom, Summary, topic_slug

if TYPE_CHECKING:
    from ..store import Store

SECURITY_HEADERS = {
    "Content-Security-Policy": pages.CSP_HEADER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class StorySummary(BaseModel):
    """One story in a list."""

    id: int
    version: int = Field(description="The latest version.")
    created: str = Field(description="When the story was first written (ISO 8601, UTC).")
    updated: str = Field(description="When its latest version was written (ISO 8601, UTC).")
    headline: str
    lede: str
    dateline: str | None
    publishers: int = Field(description="Independent outlets reporting it.")
    single_source: bool = Field(description="Only one outlet reports it.")
    outlets: list[str]
    articles: int = Field(
        description="Articles it was written from (syndicated copies count once)."
    )
    url: str = Field(description="The story's page.")
    api_url: str


class StoryList(BaseModel):
    count: int
    stories: list[StorySummary]


class VersionInfo(BaseModel):
    """One saved version of a story."""

    version: int
    created: str
    headline: str
    article_ids: list[int] = Field(description="Store ids of the articles it was written from.")
    changes: dict[str, Any] = Field(description="What changed from the version before.")
    url: str
    api_url: str


class VersionList(BaseModel):
    id: int
    versions: list[VersionInfo]


class StoryDetail(BaseModel):
    """One version of a story with the full anatomy."""

    id: int
    version: int
    latest_version: int
    created: str = Field(description="When the story was first written.")
    updated: str = Field(description="When this version was written.")
    url: str
    history_url: str
    versions: list[int]
    story: dict[str, Any] = Field(
        description="The story in newsdistill's JSON form (docs/json-format.md), as published: "
        "articles keep only the sentences the story cites, and sentences the verifier refused "
        "are counted in dropped_count, not shown."
    )


def create_app(store_url: str | None = None, *, store: Store | None = None) -> FastAPI:
    """The site and API over the store at ``store_url`` (a path, ``sqlite:///...`` or
    ``postgresql://...``; ``None`` means the desk's default database). Pass ``store`` to
    serve an already open store (it is then not closed on shutdown)."""
    from ..store import Store

    owned = store is None
    newsroom = Newsroom(store if store is not None else Store.open(store_url))
    links = pages.Links()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            newsroom.store.close()

    app = FastAPI(
        title="newsdistill",
        version=__version__,
        description="News stories machine-written from the reports they cite. Every sentence "
        "carries citations to the source sentences that state it.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.newsroom = newsroom

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = exc.detail if exc.status_code == 404 else f"Error {exc.status_code}."
        if message == "Not Found":
            message = "There is no page at this address."
        return HTMLResponse(pages.not_found_page(links, message), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        # /stories/abc.html is an address with no page, not a malformed request.
        page = pages.not_found_page(links, "There is no page at this address.")
        return HTMLResponse(page, status_code=404)

    def current(story_id: int) -> int:
        found = newsroom.resolve(story_id)
        if found is None:
            raise HTTPException(404, f"There is no story {story_id}.")
        return found

    def summary_json(s: Summary) -> StorySummary:
        return StorySummary(**asdict(s), url=links.story(s.id), api_url=f"/api/stories/{s.id}")

    def feed_response(
        request: Request, stories: list[Summary], self_href: str, title: str
    ) -> Response:
        body = atom.feed_xml(
            stories,
            newsroom.story_of,
            base=str(request.base_url),
            story_href=links.story,
            self_href=self_href,
            home_href=links.front(),
            title=title,
        )
        return Response(body, media_type=atom.MEDIA_TYPE)

    # -- pages ------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def front(
        q: str | None = Query(None, max_length=200),
        sort: Literal["latest", "biggest"] = "latest",
    ) -> HTMLResponse:
        q = (q or "").strip() or None
        stories = newsroom.summaries(q, sort, limit=100)
        return HTMLResponse(pages.front_page(stories, links, sort=sort, q=q))

    @app.get("/stories/{story_id}.html", response_class=HTMLResponse, include_in_schema=False)
    def story(story_id: int) -> Response:
        found = current(story_id)
        if found != story_id:
            return RedirectResponse(links.story(found), status_code=301)
        edition = newsroom.edition(found)
        if edition is None:
            raise HTTPException(404, f"There is no story {story_id}.")
        return HTMLResponse(pages.story_page(edition, newsroom.versions(found), links))

    @app.get(
        "/stories/{story_id}/v{version}.html", response_class=HTMLResponse, include_in_schema=False
    )
    def story_version(story_id: int, version: int) -> Response:
        edition = newsroom.edition(story_id, version)
        if edition is None:
            raise HTTPException(404, f"Story {story_id} has no version {version}.")
        return HTMLResponse(pages.story_page(edition, newsroom.versions(story_id), links))

    @app.get(
        "/stories/{story_id}/history.html", response_class=HTMLResponse, include_in_schema=False
    )
    def history(story_id: int) -> Response:
        versions = newsroom.versions(story_id)
        if not versions:
            raise HTTPException(404, f"There is no story {story_id}.")
        return HTMLResponse(pages.history_page(story_id, versions[-1]["headline"], versions, links))

    @app.get("/feed.atom", include_in_schema=False)
    def feed(request: Request) -> Response:
        return feed_response(
            request, newsroom.summaries(), links.feed(), f"{pages.SITE_TITLE}: latest stories"
        )

    @app.get("/topics/{topic}.atom", include_in_schema=False)
    def topic_feed(request: Request, topic: str) -> Response:
        words = topic_slug(topic).replace("-", " ")
        if not words:
            raise HTTPException(404, "Name a topic, e.g. /topics/fire.atom.")
        return feed_response(
            request,
            newsroom.summaries(words),
            links.topic_feed(words),
            f"{pages.SITE_TITLE}: stories about {words}",
        )

    @app.get("/assets/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in pages.ASSETS:
            raise HTTPException(404, "No such file.")
        return Response(
            pages.asset(name),
            media_type=pages.ASSETS[name],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    # -- API --------------------------------------------------------------------------------

    @app.get("/api/stories", response_model=StoryList, tags=["stories"])
    def api_stories(
        q: str | None = Query(None, max_length=200, description="Topic words; all must occur."),
        sort: Literal["latest", "biggest"] = Query(
            "latest", description="latest: newest update first; biggest: most outlets first."
        ),
        limit: int = Query(100, ge=1, le=1000),
    ) -> StoryList:
        """Written stories, newest update first."""
        stories = [summary_json(s) for s in newsroom.summaries(q, sort, limit)]
        return StoryList(count=len(stories), stories=stories)

    def detail(story_id: int, version: int | None) -> StoryDetail:
        edition = newsroom.edition(story_id, version)
        if edition is None:
            what = f"version {version} of story {story_id}" if version else f"story {story_id}"
            raise HTTPException(404, f"There is no {what}.")
        return StoryDetail(
            id=story_id,
            version=edition.version,
            latest_version=edition.latest,
            created=edition.created,
            updated=edition.updated,
            url=links.version(story_id, edition.version) if version else links.story(story_id),
            history_url=links.history(story_id),
            versions=list(range(1, edition.latest + 1)),
            story=edition.story,
        )

    @app.get(
        "/api/stories/{story_id}",
        response_model=StoryDetail,
        tags=["stories"],
        responses={301: {"description": "The story was merged into another; follow Location."}},
    )
    def api_story(story_id: int) -> Any:
        """A story's latest version, with the list of its versions."""
        found = current(story_id)
        if found != story_id:
            return RedirectResponse(f"/api/stories/{found}", status_code=301)
        return detail(found, None)

    @app.get("/api/stories/{story_id}/versions", response_model=VersionList, tags=["stories"])
    def api_versions(story_id: int) -> VersionList:
        """Every version of a story, oldest first, with what changed in each."""
        versions = newsroom.versions(story_id)
        if not versions:
            raise HTTPException(404, f"There is no story {story_id}.")
        return VersionList(
            id=story_id,
            versions=[
                VersionInfo(
                    version=v["version"],
                    created=v["created"],
                    headline=v["headline"],
                    article_ids=v["article_ids"],
                    changes=v["changes"],
                    url=links.version(story_id, v["version"]),
                    api_url=f"/api/stories/{story_id}/versions/{v['version']}",
                )
                for v in versions
            ],
        )

    @app.get(
        "/api/stories/{story_id}/versions/{version}", response_model=StoryDetail, tags=["stories"]
    )
    def api_version(story_id: int, version: int) -> StoryDetail:
        """One version of a story."""
        return detail(story_id, version)

    return app
