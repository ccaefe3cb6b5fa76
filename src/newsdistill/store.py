"""Where the news desk keeps everything: SQLite by default, PostgreSQL on request.

SQLAlchemy Core (no ORM): the desk passes plain values in and gets plain values out; ids are
the store's. Tables, and what each row is::

    sources         a feed or page URL the desk polls, with its health: last check, last
                    success, consecutive failures, last error, when to try next, validators
    items           a link a feed listed (or a page given directly): pending until read,
                    then done / duplicate / failed / refused, with attempts and last error
    articles        an extracted article; unique by canonical URL and by content hash
    sentences       its sentences, as ``split_sentences`` cut them
    stories         one event; ``version`` is the latest written version, ``dirty`` marks a
                    story whose membership changed since (it is rewritten by the next scan)
    story_versions  every version: the full story JSON (``render.jsonout.story``), the
                    article ids, and a summary of what changed from the version before
    fetch_log       every fetch with its outcome and reason (pruned after 30 days)
    schema_version  one row: the schema version of this database

Every write is one transaction (``Store.write``), or several writes in one
(``Store.batch``, which the desk uses to store a worker's batch of articles at once), so a
process killed at any moment (``kill -9``) leaves each article with all its sentences or not
at all, and each story at a version that exists. SQLite runs in WAL mode: readers (``newsdistill stories``) never wait
for a scan, and with ``synchronous=NORMAL`` a killed process loses nothing it committed
(a power cut may lose the last transactions, never consistency). Write transactions start
with ``BEGIN IMMEDIATE`` so two processes serialise instead of failing half-way.

Migrations: a fresh database gets the current schema from ``METADATA`` and is stamped with
``SCHEMA_VERSION``; an older one runs ``MIGRATIONS[v:]`` in order, each in the same
transaction as its version bump. No alembic: a handful of tables in one package, migrations
written by us and shipped inside the wheel; alembic would add a dependency, a script folder
and a config file for what twenty lines do. Revisit if the schema grows branches.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text
from sqlalchemy.engine import Connection, Engine

from .errors import NewsdistillError
from .models import Article, Page, Sentence
from .textutil import normalize

METADATA = sa.MetaData()

schema_version = Table("schema_version", METADATA, Column("version", Integer, nullable=False))

sources = Table(
    "sources",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False, server_default="unknown"),  # feed | page | opml | unknown
    Column("title", Text),
    Column("format", Text),  # rss20, atom10, json1.1, html, opml
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", Text),  # pages: hash of the last text read
    Column("added", Text, nullable=False),
    Column("last_checked", Text),
    Column("last_ok", Text),
    Column("last_outcome", Text),  # ok | not_modified | failed | deferred | refused
    Column("last_status", Integer),  # HTTP status of the last answer, when there was one
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, server_default="0"),  # consecutive
    Column("next_check", Text),
    Column("items_seen", Integer, nullable=False, server_default="0"),
)

items = Table(
    "items",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),  # canonical link, or "guid:<guid>"
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", Text),
    Column("content", Text),  # the feed's full text when it is not a teaser
    Column("state", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", Text),
    Column("last_error", Text),
    Column("article_id", Integer, ForeignKey("articles.id")),
    Column("first_seen", Text, nullable=False),
    Index("ix_items_state", "state", "next_attempt"),
)

articles = Table(
    "articles",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, unique=True),  # canonical URL
    Column("content_hash", Text, nullable=False, unique=True),
    Column("source_id", Integer, ForeignKey("sources.id")),
    Column("title", Text, nullable=False),
    Column("outlet", Text),
    Column("byline", Text),
    Column("published", Text),
    Column("dateline", Text),
    Column("text", Text, nullable=False),
    Column("n_sentences", Integer, nullable=False),
    Column("fetched", Text, nullable=False),
    Column("story_id", Integer, ForeignKey("stories.id")),
    Index("ix_articles_story", "story_id"),
)

sentences = Table(
    "sentences",
    METADATA,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, primary_key=True),  # 1-based, as in the sentence id "a<id>.s<n>"
    Column("text", Text, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("paragraph", Integer, nullable=False),
)

stories = Table(
    "stories",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("headline", Text),
    # open | merged | roundup (a roundup page's own story: kept so the article is placed
    # once, never written or listed)
    Column("state", Text, nullable=False, server_default="open"),
    Column("merged_into", Integer, ForeignKey("stories.id")),
    Column("dirty", sa.Boolean, nullable=False, server_default=sa.false()),
    Column("last_error", Text),
    Index("ix_stories_updated", "updated"),
)

story_versions = Table(
    "story_versions",
    METADATA,
    Column("story_id", Integer, ForeignKey("stories.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created", Text, nullable=False),
    Column("headline", Text, nullable=False),
    Column("article_ids", Text, nullable=False),  # JSON list of article ids (integers)
    Column("changes", Text, nullable=False),  # JSON: what changed from the version before
    Column("story", Text, nullable=False),  # JSON: render.jsonout.story(...)
)

fetch_log = Table(
    "fetch_log",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id")),
    Column("url", Text, nullable=False),
    Column("what", Text, nullable=False),  # feed | page | item
    Column(
        "outcome", Text, nullable=False
    ),  # ok | not_modified | failed | deferred | refused | duplicate
    Column("status", Integer),
    Column("reason", Text),
    Column("bytes", Integer),
    Column("elapsed", sa.Float),
    Index("ix_fetch_log_at", "at"),
)

SCHEMA_VERSION = 1
Migration = Callable[[Connection], None]
# MIGRATIONS[i] upgrades a database from version i + 1 to i + 2. Append; never edit one that
# shipped. Keep METADATA equal to the result of applying them all (tests check it).
MIGRATIONS: list[Migration] = []


class StoreError(NewsdistillError):
    """The database cannot be opened or used; the message says which and what to do."""


def iso(t: float) -> str:
    """Seconds since the epoch as the store writes times: "2026-11-18T14:05:00Z"."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(text: str) -> str:
    """Hash of an article's text with spacing, case and quote styles normalised."""
    return hashlib.sha256(" ".join(normalize(text).lower().split()).encode()).hexdigest()


def default_db_path() -> Path:
    """The desk's SQLite file in the user's data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir("newsdistill", appauthor=False)) / "desk.sqlite"


def db_url(value: str | None = None) -> str:
    """A SQLAlchemy URL from ``--db``/``NEWSDISTILL_DB``: a file path, ``sqlite:///...`` or
    ``postgresql://...`` (served by psycopg 3). ``None`` means the default SQLite file."""
    value = value or os.environ.get("NEWSDISTILL_DB") or ""
    if not value:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class NewItem:
    """A feed item to remember, as the desk hands it to the store."""

    key: str
    url: str | None
    title: str
    published: str | None
    content: str | None  # full text from the feed, or None when the page must be fetched


@dataclass(frozen=True)
class NewArticle:
    """An extracted article to store, with where it came from and how it was fetched."""

    page: Page
    sentences: Sequence[Sentence]
    url: str | None  # canonical URL
    source_id: int | None
    item: dict[str, Any] | None = None  # the feed item it was read for (marked done)
    nbytes: int | None = None
    elapsed: float | None = None


class Store:
    """The desk's database. Open with ``Store.open(url)``; every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._batch = threading.local()  # .conn: this thread's open batch transaction

    @classmethod
    def open(cls, url: str | None = None, migrations: Sequence[Migration] | None = None) -> Store:
        """Connect, create or migrate the schema, and return the store."""
        full = db_url(url)
        try:
            if full.startswith("sqlite"):
                engine = sa.create_engine(full, connect_args={"timeout": 60})
                _sqlite_setup(engine)
            else:
                engine = sa.create_engine(full, pool_pre_ping=True)
            store = cls(engine)
            try:
                store.migrate(MIGRATIONS if migrations is None else migrations)
            except BaseException:
                engine.dispose()
                raise
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"cannot open {_safe(full)}: {exc}; install psycopg[binary] for PostgreSQL"
            ) from exc
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot open the database {_safe(full)}: {_short(exc)}") from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions and schema ------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One atomic write transaction (BEGIN IMMEDIATE on SQLite), or the open batch."""
        batch: Connection | None = getattr(self._batch, "conn", None)
        if batch is not None:
            yield batch
            return
        with self.engine.connect() as conn:
            conn.execution_options(newsdistill_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write (and read) of this thread inside the block in one transaction: a
        batch of articles costs one commit instead of one each, and reads see the batch's
        own writes. All or nothing, like a single write."""
        if getattr(self._batch, "conn", None) is not None:
            yield  # already inside a batch
            return
        with self.write() as conn:
            self._batch.conn = conn
            try:
                yield
            finally:
                self._batch.conn = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read (one snapshot on SQLite WAL and PostgreSQL REPEATABLE READ);
        inside a batch, the batch's transaction."""
        batch: Connection | None = getattr(self._batch, "conn", None)
        if batch is not None:
            yield batch
            return
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def migrate(self, migrations: Sequence[Migration]) -> int:
        """Bring the schema to the latest version; return that version."""
        latest = SCHEMA_VERSION + len(migrations) - len(MIGRATIONS)
        with self.write() as conn:
            if self.dialect == "postgresql":  # one migrating process at a time
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(7247001)"))
            if not sa.inspect(conn).has_table("schema_version"):
                METADATA.create_all(conn)
                conn.execute(schema_version.insert().values(version=latest))
                return latest
            current = conn.execute(sa.select(schema_version.c.version)).scalar_one()
            if current > latest:
                raise StoreError(
                    f"the database schema is version {current}, newer than this newsdistill "
                    f"understands ({latest}); upgrade newsdistill"
                )
            for step in range(current, latest):
                migrations[step - 1](conn)
                conn.execute(schema_version.update().values(version=step + 1))
            return latest

    def schema_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute(sa.select(schema_version.c.version)).scalar_one())

    def _insert_ignore(self, table: Table) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING in this database's dialect."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table).on_conflict_do_nothing()
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()

    # -- sources ----------------------------------------------------------------------------

    def add_source(self, url: str, now: float, kind: str = "unknown") -> int:
        """The id of the source with this URL, adding it when new."""
        with self.write() as conn:
            conn.execute(self._insert_ignore(sources).values(url=url, kind=kind, added=iso(now)))
            return int(
                conn.execute(sa.select(sources.c.id).where(sources.c.url == url)).scalar_one()
            )

    def source(self, source_id: int) -> dict[str, Any]:
        with self.read() as conn:
            row = conn.execute(sa.select(sources).where(sources.c.id == source_id)).mappings().one()
            return dict(row)

    def sources(self) -> list[dict[str, Any]]:
        """Every source with its health and item counts by state, oldest first."""
        with self.read() as conn:
            rows = [
                dict(r) for r in conn.execute(sa.select(sources).order_by(sources.c.id)).mappings()
            ]
            counts = conn.execute(
                sa.select(items.c.source_id, items.c.state, sa.func.count()).group_by(
                    items.c.source_id, items.c.state
                )
            ).all()
        by_source: dict[int, dict[str, int]] = {}
        for sid, state, n in counts:
            by_source.setdefault(sid, {})[state] = n
        for r in rows:
            r["items"] = by_source.get(r["id"], {})
        return rows

    def sources_due(
        self, now: float, kinds: Sequence[str] = ("feed", "page", "unknown")
    ) -> list[dict[str, Any]]:
        """Sources to check now: never checked, or whose ``next_check`` has come."""
        with self.read() as conn:
            q = (
                sa.select(sources)
                .where(sources.c.kind.in_(kinds))
                .where(sa.or_(sources.c.next_check.is_(None), sources.c.next_check <= iso(now)))
                .order_by(sources.c.id)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

    def record_check(
        self,
        source_id: int,
        now: float,
        outcome: str,
        *,
        url: str,
        what: str = "feed",
        status: int | None = None,
        reason: str | None = None,
        next_check: float | None = None,
        nbytes: int | None = None,
        elapsed: float | None = None,
        **fields: Any,
    ) -> None:
        """Record one check of a source (its health and the fetch log) in one transaction.

        ``fields`` updates columns such as ``kind``, ``title``, ``format``, ``etag``,
        ``last_modified`` and ``content_hash``.
        """
        ok = outcome in ("ok", "not_modified")
        values: dict[str, Any] = {
            "last_checked": iso(now),
            "last_outcome": outcome,
            "last_status": status,
            "last_error": None if ok else reason,
            "next_check": iso(next_check) if next_check is not None else None,
            "failures": 0 if ok else sources.c.failures + (1 if outcome == "failed" else 0),
            **fields,
        }
        if ok:
            values["last_ok"] = iso(now)
        with self.write() as conn:
            conn.execute(sources.update().where(sources.c.id == source_id).values(**values))
            _log(
                conn, _log_row(now, source_id, url, what, outcome, status, reason, nbytes, elapsed)
            )

    def fetch_log(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.read() as conn:
            q = sa.select(fetch_log).order_by(fetch_log.c.id.desc()).limit(limit)
            return [dict(r) for r in conn.execute(q).mappings()]

    def prune_log(self, before: float) -> int:
        with self.write() as conn:
            return int(
                conn.execute(fetch_log.delete().where(fetch_log.c.at < iso(before))).rowcount or 0
            )

    # -- items --------------------------------------------------------------------------------

    def add_items(self, source_id: int, new: Sequence[NewItem], now: float) -> int:
        """Remember a feed's items; return how many were not known before."""
        if not new:
            return 0
        with self.write() as conn:
            keys = [n.key for n in new]
            known: set[str] = set()
            for chunk in _chunks(keys):
                known.update(
                    conn.execute(sa.select(items.c.key).where(items.c.key.in_(chunk))).scalars()
                )
            fresh = [n for n in dict((n.key, n) for n in new).values() if n.key not in known]
            if fresh:
                conn.execute(
                    self._insert_ignore(items),
                    [
                        {
                            "key": n.key,
                            "source_id": source_id,
                            "url": n.url,
                            "title": n.title,
                            "published": n.published,
                            "content": n.content,
                            "first_seen": iso(now),
                        }
                        for n in fresh
                    ],
                )
            conn.execute(
                sources.update()
                .where(sources.c.id == source_id)
                .values(items_seen=sources.c.items_seen + len(fresh))
            )
            return len(fresh)

    def due_items(self, now: float, limit: int | None = None) -> list[dict[str, Any]]:
        """Pending items whose next attempt has come, oldest first."""
        with self.read() as conn:
            q = (
                sa.select(items)
                .where(items.c.state == "pending")
                .where(sa.or_(items.c.next_attempt.is_(None), items.c.next_attempt <= iso(now)))
                .order_by(items.c.id)
            )
            if limit:
                q = q.limit(limit)
            return [dict(r) for r in conn.execute(q).mappings()]

    def item_failed(
        self,
        item: dict[str, Any],
        now: float,
        reason: str,
        *,
        outcome: str = "failed",
        retry_at: float | None = None,
        final: bool = False,
        status: int | None = None,
    ) -> None:
        """Record a failed read of an item: retried at ``retry_at`` unless ``final``."""
        state = "pending" if not final else ("refused" if outcome == "refused" else "failed")
        with self.write() as conn:
            conn.execute(
                items.update()
                .where(items.c.id == item["id"])
                .values(
                    state=state,
                    attempts=items.c.attempts + (0 if outcome == "deferred" else 1),
                    next_attempt=iso(retry_at) if retry_at is not None else None,
                    last_error=reason,
                )
            )
            row = _log_row(
                now, item["source_id"], item["url"] or item["key"], "item", outcome, status, reason
            )
            _log(conn, row)

    def item_duplicate(self, item: dict[str, Any], now: float, article_id: int, why: str) -> None:
        with self.write() as conn:
            conn.execute(
                items.update()
                .where(items.c.id == item["id"])
                .values(state="duplicate", article_id=article_id, last_error=why)
            )
            row = _log_row(
                now, item["source_id"], item["url"] or item["key"], "item", "duplicate", reason=why
            )
            _log(conn, row)

    # -- articles ----------------------------------------------------------------------------

    def find_article(self, url: str | None = None, text_hash: str | None = None) -> int | None:
        """The id of the article with this canonical URL or this content hash."""
        with self.read() as conn:
            for col, value in ((articles.c.url, url), (articles.c.content_hash, text_hash)):
                if value is not None:
                    found = conn.execute(sa.select(articles.c.id).where(col == value)).scalar()
                    if found is not None:
                        return int(found)
        return None

    def articles_by_url(self, urls: Sequence[str]) -> dict[str, int]:
        """``{canonical URL: article id}`` for those of ``urls`` stored (``find_article`` for
        many URLs in a few queries)."""
        with self.read() as conn:
            return _ids_by(conn, articles.c.url, list(urls))

    def add_article(
        self,
        page: Page,
        split: Sequence[Sentence],
        now: float,
        *,
        url: str | None,
        source_id: int | None,
        item: dict[str, Any] | None = None,
        nbytes: int | None = None,
        elapsed: float | None = None,
    ) -> tuple[int, bool]:
        """Store an article with its sentences (and mark its item done) in one transaction.

        Returns ``(article id, True)``; when an article with the same canonical URL or text
        already exists nothing is added, the item is marked a duplicate and the result is
        ``(existing id, False)``.
        """
        new = NewArticle(page, split, url, source_id, item, nbytes, elapsed)
        return self.add_articles([new], now)[0]

    def add_articles(self, new: Sequence[NewArticle], now: float) -> list[tuple[int, bool]]:
        """``add_article`` for several articles, in order, in one transaction and a few
        statements (a worker's batch: the per-statement cost, not the database, is what a
        scan's driver spends its time on). An article that repeats one stored before it,
        in this batch or earlier, is a duplicate of that one."""
        if not new:
            return []
        digests = [content_hash(a.page.text) for a in new]
        with self.write() as conn:
            by_url = _ids_by(conn, articles.c.url, [a.url for a in new if a.url is not None])
            by_hash = _ids_by(conn, articles.c.content_hash, digests)
            # Per article: the stored id it repeats, or -(i + 1) for the i-th, new, article.
            refs: list[int] = []
            for i, (a, digest) in enumerate(zip(new, digests, strict=True)):
                hit = by_url.get(a.url) if a.url is not None else None
                if hit is None:
                    hit = by_hash.get(digest)
                if hit is None:
                    hit = -(i + 1)
                    if a.url is not None:
                        by_url[a.url] = hit
                    by_hash[digest] = hit
                refs.append(hit)
            fresh = [i for i, hit in enumerate(refs) if hit == -(i + 1)]
            ids: dict[int, int] = {}
            if fresh:
                rows = [
                    {
                        "url": new[i].url,
                        "content_hash": digests[i],
                        "source_id": new[i].source_id,
                        **_article_fields(new[i].page, new[i].sentences, now),
                    }
                    for i in fresh
                ]
                query = articles.insert().returning(articles.c.id, sort_by_parameter_order=True)
                got = conn.execute(query, rows).scalars().all()
                ids = {i: int(aid) for i, aid in zip(fresh, got, strict=True)}
                sentence_rows = [r for i in fresh for r in _sentence_rows(ids[i], new[i].sentences)]
                if sentence_rows:
                    conn.execute(sentences.insert(), sentence_rows)
            out = [
                (ids[-hit - 1] if hit < 0 else hit, hit == -(i + 1)) for i, hit in enumerate(refs)
            ]
            done = [
                {
                    "_id": a.item["id"],
                    "_state": "done" if is_new else "duplicate",
                    "_article": aid,
                    "_error": None if is_new else "same text as another article",
                }
                for a, (aid, is_new) in zip(new, out, strict=True)
                if a.item is not None
            ]
            if done:
                conn.execute(
                    items.update()
                    .where(items.c.id == sa.bindparam("_id"))
                    .values(
                        state=sa.bindparam("_state"),
                        article_id=sa.bindparam("_article"),
                        last_error=sa.bindparam("_error"),
                    ),
                    done,
                )
            _log(
                conn,
                *(
                    _log_row(
                        now,
                        a.source_id,
                        (a.item["url"] or a.item["key"]) if a.item else (a.url or a.page.source),
                        "item" if a.item else "page",
                        "ok" if is_new else "duplicate",
                        200,
                        None,
                        a.nbytes,
                        a.elapsed,
                    )
                    for a, (_, is_new) in zip(new, out, strict=True)
                ),
            )
            return out

    def replace_article(
        self, article_id: int, page: Page, split: Sequence[Sentence], now: float
    ) -> None:
        """A page changed: replace its text and sentences and mark its story for rewriting."""
        with self.write() as conn:
            conn.execute(sentences.delete().where(sentences.c.article_id == article_id))
            conn.execute(
                articles.update()
                .where(articles.c.id == article_id)
                .values(content_hash=content_hash(page.text), **_article_fields(page, split, now))
            )
            if split:
                conn.execute(sentences.insert(), _sentence_rows(article_id, split))
            story_id = conn.execute(
                sa.select(articles.c.story_id).where(articles.c.id == article_id)
            ).scalar()
            if story_id is not None:
                conn.execute(stories.update().where(stories.c.id == story_id).values(dirty=True))

    def unassigned(self) -> list[int]:
        """Ids of articles that belong to no story yet, in the order they were stored."""
        with self.read() as conn:
            q = (
                sa.select(articles.c.id)
                .where(articles.c.story_id.is_(None))
                .order_by(articles.c.id)
            )
            return [int(x) for x in conn.execute(q).scalars()]

    def assigned_since(self, since: float, limit: int = 20_000) -> list[tuple[int, int]]:
        """(article id, story id) of articles fetched since ``since`` that have a story, in
        the order they were stored (the most recent ``limit``)."""
        with self.read() as conn:
            q = (
                sa.select(articles.c.id, articles.c.story_id)
                .where(articles.c.story_id.is_not(None))
                .where(articles.c.fetched >= iso(since))
                .order_by(articles.c.id.desc())
                .limit(limit)
            )
            return sorted((int(a), int(s)) for a, s in conn.execute(q).all())

    def load_articles(self, ids: Sequence[int]) -> list[Article]:
        """Articles as pipeline values, in ``ids`` order: article ids "a<id>", sentence ids
        "a<id>.s<n>"."""
        rows: dict[int, Any] = {}
        sents: dict[int, list[Sentence]] = {}
        with self.read() as conn:
            for chunk in _chunks(list(ids)):
                for r in conn.execute(
                    sa.select(articles, sources.c.url.label("source_url"))
                    .select_from(articles.outerjoin(sources, articles.c.source_id == sources.c.id))
                    .where(articles.c.id.in_(chunk))
                ).mappings():
                    rows[r["id"]] = r
                for s in conn.execute(
                    sa.select(sentences)
                    .where(sentences.c.article_id.in_(chunk))
                    .order_by(sentences.c.article_id, sentences.c.n)
                ).mappings():
                    aid = s["article_id"]
                    sents.setdefault(aid, []).append(
                        Sentence(
                            f"a{aid}.s{s['n']}",
                            s["text"],
                            s["start_offset"],
                            s["end_offset"],
                            s["paragraph"],
                            s["n"] - 1,
                        )
                    )
        out = []
        for i in ids:
            row = rows.get(i)
            if row is None:
                continue
            page = Page(
                source=row["url"] or row["source_url"] or f"article {i}",
                title=row["title"],
                text=row["text"],
                outlet=row["outlet"],
                byline=row["byline"],
                published=row["published"],
                url=row["url"],
                dateline=row["dateline"],
            )
            out.append(Article(f"a{i}", page, sents.get(i, [])))
        return out

    # -- stories ------------------------------------------------------------------------------

    def assign(
        self,
        placements: Sequence[tuple[int, int | str]],
        now: float,
        merges: Sequence[tuple[int, Sequence[int]]] = (),
        reasons: Mapping[str, str] | None = None,
    ) -> dict[str, int]:
        """Put articles into stories and merge stories, in one transaction.

        ``placements`` are (article id, story id) pairs, where the story id may be a label
        such as "new-3" for a story to create (every article with the same label joins it);
        a label starting "roundup-" creates a story in state ``roundup``, which holds a
        roundup page (a briefing of unrelated events) and is never written or listed.
        ``merges`` are (survivor, [absorbed story ids]). Every open story that gained or lost
        an article is marked for rewriting. ``reasons`` gives a new label's story its
        ``last_error`` (why a roundup story is not published). Returns the ids given to new
        labels.
        """
        created: dict[str, int] = {}
        touched: set[int] = set()
        with self.write() as conn:
            for article_id, target in placements:
                if isinstance(target, str):
                    roundup = target.startswith("roundup-")
                    if target not in created:
                        created[target] = int(
                            conn.execute(
                                stories.insert()
                                .values(
                                    created=iso(now),
                                    updated=iso(now),
                                    dirty=not roundup,
                                    state="roundup" if roundup else "open",
                                    last_error=(reasons or {}).get(target),
                                )
                                .returning(stories.c.id)
                            ).scalar_one()
                        )
                    story_id = created[target]
                else:
                    story_id, roundup = target, False
                conn.execute(
                    articles.update().where(articles.c.id == article_id).values(story_id=story_id)
                )
                if not roundup:
                    touched.add(story_id)
            for survivor, absorbed in merges:
                for other in absorbed:
                    if other == survivor:
                        continue
                    conn.execute(
                        articles.update()
                        .where(articles.c.story_id == other)
                        .values(story_id=survivor)
                    )
                    conn.execute(
                        stories.update()
                        .where(stories.c.id == other)
                        .values(state="merged", merged_into=survivor, dirty=False, updated=iso(now))
                    )
                    touched.discard(other)
                touched.add(survivor)
            if touched:
                conn.execute(
                    stories.update().where(stories.c.id.in_(sorted(touched))).values(dirty=True)
                )
        return created

    def story_states(self, ids: Iterable[int]) -> dict[int, str]:
        """The state ("open", "merged", "roundup") of each of these stories."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        with self.read() as conn:
            q = sa.select(stories.c.id, stories.c.state).where(stories.c.id.in_(wanted))
            return {int(i): str(st) for i, st in conn.execute(q).all()}

    def dirty_stories(self) -> list[int]:
        with self.read() as conn:
            q = (
                sa.select(stories.c.id)
                .where(stories.c.dirty.is_(True))
                .where(stories.c.state == "open")
                .order_by(stories.c.id)
            )
            return [int(x) for x in conn.execute(q).scalars()]

    def story_articles(self, story_id: int) -> list[int]:
        with self.read() as conn:
            q = (
                sa.select(articles.c.id)
                .where(articles.c.story_id == story_id)
                .order_by(articles.c.id)
            )
            return [int(x) for x in conn.execute(q).scalars()]

    def resolve_story(self, story_id: int) -> int:
        """The id a story has now (a merged story resolves to the one it joined)."""
        with self.read() as conn:
            for _ in range(100):
                merged = conn.execute(
                    sa.select(stories.c.merged_into).where(stories.c.id == story_id)
                ).scalar()
                if merged is None:
                    break
                story_id = int(merged)
        return story_id

    def save_version(
        self,
        story_id: int,
        story_json: dict[str, Any],
        article_ids: Sequence[int],
        changes: dict[str, Any],
        now: float,
    ) -> int:
        """Save the next version of a story and clear its rewrite mark; return the version."""
        with self.write() as conn:
            current = conn.execute(
                sa.select(sa.func.max(story_versions.c.version)).where(
                    story_versions.c.story_id == story_id
                )
            ).scalar()
            version = int(current or 0) + 1
            conn.execute(
                story_versions.insert().values(
                    story_id=story_id,
                    version=version,
                    created=iso(now),
                    headline=story_json["headline"],
                    article_ids=json.dumps(list(article_ids)),
                    changes=json.dumps(changes, ensure_ascii=False),
                    story=json.dumps(story_json, ensure_ascii=False),
                )
            )
            conn.execute(
                stories.update()
                .where(stories.c.id == story_id)
                .values(
                    version=version,
                    headline=story_json["headline"],
                    updated=iso(now),
                    dirty=False,
                    last_error=None,
                )
            )
            return version

    def story_failed(self, story_id: int, reason: str) -> None:
        """Writing failed: keep the last version, record why, rewrite when articles join."""
        with self.write() as conn:
            conn.execute(
                stories.update()
                .where(stories.c.id == story_id)
                .values(dirty=False, last_error=reason)
            )

    def stories(self, since: float | None = None) -> list[dict[str, Any]]:
        """Written, open stories (newest update first) with their articles' summaries."""
        with self.read() as conn:
            q = sa.select(stories).where(stories.c.state == "open").where(stories.c.version > 0)
            if since is not None:
                q = q.where(stories.c.updated >= iso(since))
            rows = [
                dict(r)
                for r in conn.execute(
                    q.order_by(stories.c.updated.desc(), stories.c.id.desc())
                ).mappings()
            ]
            ids = [r["id"] for r in rows]
            members: dict[int, list[dict[str, Any]]] = {}
            for chunk in _chunks(ids):
                q2 = (
                    sa.select(
                        articles.c.id,
                        articles.c.story_id,
                        articles.c.title,
                        articles.c.outlet,
                        articles.c.url,
                        articles.c.published,
                    )
                    .where(articles.c.story_id.in_(chunk))
                    .order_by(articles.c.id)
                )
                for a in conn.execute(q2).mappings():
                    members.setdefault(a["story_id"], []).append(
                        {
                            "id": f"a{a['id']}",
                            "title": a["title"],
                            "outlet": a["outlet"],
                            "url": a["url"],
                            "published": a["published"],
                        }
                    )
        for r in rows:
            r["articles"] = members.get(r["id"], [])
        return rows

    def story(self, story_id: int) -> dict[str, Any] | None:
        with self.read() as conn:
            row = (
                conn.execute(sa.select(stories).where(stories.c.id == story_id)).mappings().first()
            )
            return dict(row) if row else None

    def version(self, story_id: int, version: int | None = None) -> dict[str, Any] | None:
        """One version of a story (the latest by default) with its JSON decoded."""
        with self.read() as conn:
            q = sa.select(story_versions).where(story_versions.c.story_id == story_id)
            q = (
                q.where(story_versions.c.version == version)
                if version
                else q.order_by(story_versions.c.version.desc())
            )
            row = conn.execute(q.limit(1)).mappings().first()
        return _decode_version(dict(row)) if row else None

    def versions(self, story_id: int) -> list[dict[str, Any]]:
        """Every version of a story, oldest first, without the story JSON."""
        with self.read() as conn:
            q = (
                sa.select(
                    story_versions.c.version,
                    story_versions.c.created,
                    story_versions.c.headline,
                    story_versions.c.article_ids,
                    story_versions.c.changes,
                )
                .where(story_versions.c.story_id == story_id)
                .order_by(story_versions.c.version)
            )
            return [_decode_version(dict(r)) for r in conn.execute(q).mappings()]

    # -- health -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (for progress reports, tests and the benchmark)."""
        with self.read() as conn:
            return {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for t in (sources, items, articles, sentences, stories, story_versions, fetch_log)
            }

    def check(self) -> list[str]:
        """Consistency problems, as sentences; an empty list means the store is sound.

        Checks what a half-done write would break: articles without all their sentences,
        items marked done without an article, stories whose version has no saved row, and
        (SQLite) the database file itself.
        """
        problems: list[str] = []
        with self.read() as conn:
            if self.dialect == "sqlite":
                result = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
                if result != "ok":
                    problems.append(f"sqlite integrity_check: {result}")
            counted = (
                sa.select(
                    articles.c.id, articles.c.n_sentences, sa.func.count(sentences.c.n).label("n")
                )
                .select_from(articles.outerjoin(sentences, sentences.c.article_id == articles.c.id))
                .group_by(articles.c.id, articles.c.n_sentences)
            )
            for aid, want, have in conn.execute(counted).all():
                if want != have:
                    problems.append(f"article {aid} has {have} of its {want} sentences")
            orphans = (
                conn.execute(
                    sa.select(items.c.id)
                    .where(items.c.state.in_(["done", "duplicate"]))
                    .where(items.c.article_id.is_(None))
                )
                .scalars()
                .all()
            )
            problems += [f"item {i} is marked read but has no article" for i in orphans]
            latest = (
                sa.select(
                    story_versions.c.story_id, sa.func.max(story_versions.c.version).label("v")
                )
                .group_by(story_versions.c.story_id)
                .subquery()
            )
            q = sa.select(stories.c.id, stories.c.version, latest.c.v).select_from(
                stories.outerjoin(latest, latest.c.story_id == stories.c.id)
            )
            for sid, version, saved in conn.execute(q).all():
                if (saved or 0) != version:
                    problems.append(
                        f"story {sid} is at version {version} but version {saved or 0} is saved"
                    )
        return problems


def _decode_version(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("article_ids", "changes", "story"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row


def _article_fields(page: Page, split: Sequence[Sentence], now: float) -> dict[str, Any]:
    """The article columns that come from an extracted page."""
    return {
        "title": page.title,
        "outlet": page.outlet,
        "byline": page.byline,
        "published": page.published,
        "dateline": page.dateline,
        "text": page.text,
        "n_sentences": len(split),
        "fetched": iso(now),
    }


def _sentence_rows(article_id: int, split: Sequence[Sentence]) -> list[dict[str, Any]]:
    return [
        {
            "article_id": article_id,
            "n": s.index + 1,
            "text": s.text,
            "start_offset": s.start,
            "end_offset": s.end,
            "paragraph": s.paragraph,
        }
        for s in split
    ]


def _log(conn: Connection, *rows: dict[str, Any]) -> None:
    """Add rows (``_log_row``) to the fetch log."""
    conn.execute(fetch_log.insert(), list(rows))


def _log_row(
    now: float,
    source_id: int | None,
    url: str,
    what: str,
    outcome: str,
    status: int | None = None,
    reason: str | None = None,
    nbytes: int | None = None,
    elapsed: float | None = None,
) -> dict[str, Any]:
    """One ``fetch_log`` row."""
    return {
        "at": iso(now),
        "source_id": source_id,
        "url": url,
        "what": what,
        "outcome": outcome,
        "status": status,
        "reason": reason,
        "bytes": nbytes,
        "elapsed": elapsed,
    }


def _ids_by(conn: Connection, column: Any, values: list[str]) -> dict[str, int]:
    """``{value: article id}`` for the articles whose ``column`` holds one of ``values``."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(values))):
        found.update(
            (v, int(i))
            for v, i in conn.execute(sa.select(column, articles.c.id).where(column.in_(chunk)))
        )
    return found


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys, and explicit BEGIN (IMMEDIATE for writes) on every connection."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is lazy)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("newsdistill_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _safe(url: str) -> str:
    """A database URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # pragma: no cover - a URL SQLAlchemy cannot parse is shown as is
        return url


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
