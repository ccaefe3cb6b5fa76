"""The desk's store, run against SQLite and (when installed) a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from newsdistill import store as st
from newsdistill.models import Page
from newsdistill.sentences import split_sentences
from newsdistill.store import NewArticle, NewItem, Store, StoreError

T0 = 2_000_000_000.0


TEXT = (
    "The harbour barrier failed before dawn on Friday. Forty homes were evacuated.\n\n"
    '"The gate did not close," the harbour master said. Engineers will inspect it.'
)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()


def page(
    text: str = TEXT, title: str = "Barrier fails", url: str = "https://gazette.test/a"
) -> Page:
    return Page(
        source=url,
        title=title,
        text=text,
        outlet="Harbour Gazette",
        published="2031-03-14",
        url=url,
    )


def add(
    store: Store,
    text: str = TEXT,
    url: str = "https://gazette.test/a",
    source_id: int | None = None,
):
    p = page(text, url=url)
    return store.add_article(p, split_sentences(p.text, "a0"), T0, url=url, source_id=source_id)


# -- schema and migrations -----------------------------------------------------------------


def test_fresh_database_gets_the_current_schema(store: Store, db_url: str) -> None:
    assert store.schema_version() == st.SCHEMA_VERSION
    assert set(store.counts()) >= {
        "sources",
        "items",
        "articles",
        "sentences",
        "stories",
        "story_versions",
    }
    Store.open(db_url).close()  # opening again changes nothing
    assert store.schema_version() == st.SCHEMA_VERSION


def test_migrations_run_in_order_on_an_older_database(store: Store, db_url: str) -> None:
    ran: list[int] = []

    def add_note(conn: sa.engine.Connection) -> None:
        ran.append(2)
        conn.exec_driver_sql("ALTER TABLE stories ADD COLUMN note TEXT")

    def fill_note(conn: sa.engine.Connection) -> None:
        ran.append(3)
        conn.exec_driver_sql("UPDATE stories SET note = 'x'")

    newer = Store.open(db_url, migrations=[add_note, fill_note])
    assert ran == [2, 3] and newer.schema_version() == 3
    newer.close()
    Store.open(db_url, migrations=[add_note, fill_note]).close()
    assert ran == [2, 3]  # applied once
    with pytest.raises(StoreError, match="newer than this newsdistill"):
        Store.open(db_url)  # the old code refuses a newer schema


def test_a_failing_migration_leaves_the_version_unchanged(store: Store, db_url: str) -> None:
    def broken(conn: sa.engine.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE stories ADD COLUMN half TEXT")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Store.open(db_url, migrations=[broken])
    assert store.schema_version() == 1
    with store.read() as conn:
        assert "half" not in {c["name"] for c in sa.inspect(conn).get_columns("stories")}


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    s = Store.open(str(tmp_path / "w.sqlite"))
    with s.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    s.close()


def test_db_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert st.db_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert st.db_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("NEWSDISTILL_DB", str(tmp_path / "env.db"))
    assert st.db_url(None).endswith("env.db")
    monkeypatch.delenv("NEWSDISTILL_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert st.db_url(None).endswith("newsdistill/desk.sqlite")


def test_unreachable_database_is_an_error_that_says_so() -> None:
    with pytest.raises(StoreError, match="cannot open"):
        Store.open("postgresql://nobody:secret@127.0.0.1:1/none")


# -- sources, items, articles --------------------------------------------------------------


def test_sources_record_health(store: Store) -> None:
    sid = store.add_source("https://gazette.test/rss", T0)
    assert store.add_source("https://gazette.test/rss", T0) == sid
    store.record_check(
        sid, T0, "failed", url="https://gazette.test/rss", reason="HTTP 500", next_check=T0 + 300
    )
    store.record_check(sid, T0 + 300, "failed", url="https://gazette.test/rss", reason="HTTP 502")
    row = store.source(sid)
    assert row["failures"] == 2 and row["last_error"] == "HTTP 502" and row["last_ok"] is None
    store.record_check(
        sid, T0 + 600, "ok", url="https://gazette.test/rss", kind="feed", etag='"v1"'
    )
    row = store.source(sid)
    assert (
        row["failures"] == 0
        and row["last_error"] is None
        and row["etag"] == '"v1"'
        and row["kind"] == "feed"
    )
    assert [r["outcome"] for r in store.fetch_log()] == ["ok", "failed", "failed"]


def test_items_are_remembered_once_and_retried_on_schedule(store: Store) -> None:
    sid = store.add_source("https://gazette.test/rss", T0)
    new = [
        NewItem(f"https://gazette.test/{i}", f"https://gazette.test/{i}", f"T{i}", None, None)
        for i in range(3)
    ]
    assert store.add_items(sid, new, T0) == 3
    assert store.add_items(sid, new + new[:1], T0) == 0
    due = store.due_items(T0)
    assert [d["key"] for d in due] == [n.key for n in new]
    store.item_failed(due[0], T0, "timed out", retry_at=T0 + 300)
    store.item_failed(due[1], T0, "HTTP 404", final=True, status=404)
    store.item_failed(due[2], T0, "robots.txt disallows", outcome="refused", final=True)
    assert store.due_items(T0) == []
    assert [d["key"] for d in store.due_items(T0 + 300)] == [new[0].key]
    assert store.sources()[0]["items"] == {"pending": 1, "failed": 1, "refused": 1}


def test_articles_are_unique_by_url_and_by_text(store: Store) -> None:
    aid, new = add(store)
    assert new
    assert add(store) == (aid, False)  # same URL
    assert add(store, url="https://mirror.test/copy") == (aid, False)  # same text elsewhere
    respaced = TEXT.replace("Friday.", "Friday. ").upper()
    assert add(store, respaced, url="https://other.test/x") == (aid, False)
    other, new = add(store, TEXT + " A second high tide is due.", url="https://other.test/y")
    assert new and other != aid
    assert store.find_article(url="https://gazette.test/a") == aid
    found = store.articles_by_url(
        ["https://gazette.test/a", "https://other.test/y", "https://no.test"]
    )
    assert found == {"https://gazette.test/a": aid, "https://other.test/y": other}


def test_articles_load_back_as_pipeline_values(store: Store) -> None:
    aid, _ = add(store)
    (article,) = store.load_articles([aid])
    assert article.id == f"a{aid}"
    assert [s.id for s in article.sentences] == [f"a{aid}.s{n}" for n in range(1, 5)]
    for s in article.sentences:
        assert article.page.text[s.start : s.end] == s.text
    assert article.page.outlet == "Harbour Gazette" and article.page.published == "2031-03-14"


def test_a_write_that_fails_half_way_leaves_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_rows(article_id: int, split: object) -> list[dict[str, object]]:
        raise RuntimeError("killed between the article and its sentences")

    monkeypatch.setattr(st, "_sentence_rows", broken_rows)
    with pytest.raises(RuntimeError):
        add(store)
    assert store.counts()["articles"] == 0 and store.check() == []


def test_a_batch_of_articles_is_stored_as_one_at_a_time_would_be(store: Store) -> None:
    """``add_articles``: duplicates of earlier articles in the same batch (by URL, by text)
    and of stored ones are found, new ones get ids in order, items and the log are kept."""
    stored, _ = add(
        store, "An older report of the flood. It was stored before.", "https://o.test/1"
    )
    sid = store.add_source("https://gazette.test/rss", T0)
    keys = [f"https://gazette.test/{i}" for i in range(6)]
    store.add_items(sid, [NewItem(k, k, "T", None, None) for k in keys], T0)
    items = store.due_items(T0)

    def new(i: int, text: str, url: str) -> NewArticle:
        p = page(text, url=url)
        return NewArticle(p, split_sentences(text, "a0"), url, sid, items[i], 100, 0.1)

    other = TEXT + " A second high tide is due."
    batch = [
        new(0, TEXT, "https://gazette.test/a"),
        new(1, TEXT, "https://gazette.test/a"),  # same URL as the first
        new(2, TEXT.upper(), "https://mirror.test/a"),  # same text as the first
        new(3, other, "https://gazette.test/b"),
        new(4, "An older report of the flood. It was stored before.", "https://x.test/9"),
        new(5, other + " Later.", None),  # no URL: known by its text only
    ]
    got = store.add_articles(batch, T0)
    first, second, third = got[0][0], got[3][0], got[5][0]
    assert got == [
        (first, True),
        (first, False),
        (first, False),
        (second, True),
        (stored, False),
        (third, True),
    ]
    assert stored < first < second < third
    assert store.counts()["articles"] == 4 and store.check() == []
    states = {i["key"]: (i["state"], i["article_id"]) for i in store.due_items(T0)}
    assert states == {}  # none left pending
    with store.read() as conn:
        rows = conn.exec_driver_sql("SELECT state, article_id FROM items ORDER BY id").all()
    assert [tuple(r) for r in rows] == [
        ("done", first),
        ("duplicate", first),
        ("duplicate", first),
        ("done", second),
        ("duplicate", stored),
        ("done", third),
    ]
    log = [r["outcome"] for r in reversed(store.fetch_log())]
    assert log == ["ok", "ok", "duplicate", "duplicate", "ok", "duplicate", "ok"]
    assert [s.id for s in store.load_articles([second])[0].sentences][:1] == [f"a{second}.s1"]
    assert store.add_articles([], T0) == []


def test_a_batch_is_one_transaction(store: Store) -> None:
    """Writes inside ``Store.batch`` see each other and are committed together, or not at
    all when the block fails."""
    with store.batch():
        aid, _ = add(store)
        assert store.find_article(url="https://gazette.test/a") == aid  # reads see the batch
        with store.batch():  # nested: the same transaction
            add(store, TEXT + " More.", url="https://gazette.test/b")
    assert store.counts()["articles"] == 2
    with pytest.raises(RuntimeError), store.batch():
        add(store, TEXT + " Third.", url="https://gazette.test/c")
        add(store, TEXT + " Fourth.", url="https://gazette.test/d")
        raise RuntimeError("killed mid-batch")
    assert store.counts()["articles"] == 2 and store.check() == []


# -- stories and versions --------------------------------------------------------------------


def test_stories_get_versions_and_merge(store: Store) -> None:
    a1, _ = add(store)
    a2, _ = add(store, TEXT + " More.", url="https://b.test/1")
    a3, _ = add(store, TEXT + " Other.", url="https://c.test/1")
    created = store.assign([(a1, "new-0"), (a2, "new-0"), (a3, "new-1")], T0)
    s1, s2 = created["new-0"], created["new-1"]
    assert store.story_articles(s1) == [a1, a2] and store.dirty_stories() == [s1, s2]
    story = {"headline": "Barrier fails", "sentences": [{"text": "x"}], "articles": []}
    assert store.save_version(s1, story, [a1, a2], {"first": True}, T0) == 1
    assert (
        store.save_version(s1, {**story, "headline": "Barrier gate jammed"}, [a1, a2], {}, T0 + 60)
        == 2
    )
    assert store.dirty_stories() == [s2]
    assert [v["version"] for v in store.versions(s1)] == [1, 2]
    latest = store.version(s1)
    assert latest is not None and latest["story"]["headline"] == "Barrier gate jammed"
    assert store.version(s1, 1)["headline"] == "Barrier fails"  # type: ignore[index]

    store.assign([], T0 + 120, merges=[(s1, [s2])])
    assert store.story_articles(s1) == [a1, a2, a3] and store.resolve_story(s2) == s1
    assert store.dirty_stories() == [s1]
    listed = store.stories()
    assert [r["id"] for r in listed] == [s1] and len(listed[0]["articles"]) == 3
    assert store.stories(since=T0 + 3600) == []
    assert store.check() == []


def test_check_finds_half_written_state(store: Store) -> None:
    aid, _ = add(store)
    sid = store.assign([(aid, "new")], T0)["new"]
    with store.write() as conn:
        conn.execute(st.sentences.delete().where(st.sentences.c.n == 2))
        conn.execute(st.stories.update().where(st.stories.c.id == sid).values(version=3))
    problems = store.check()
    assert any("3 of its 4 sentences" in p for p in problems)
    assert any(f"story {sid} is at version 3" in p for p in problems)


def test_replacing_a_changed_article_marks_its_story(store: Store) -> None:
    aid, _ = add(store)
    sid = store.assign([(aid, "new")], T0)["new"]
    store.save_version(sid, {"headline": "h", "sentences": [], "articles": []}, [aid], {}, T0)
    changed = page(TEXT + " The toll rose overnight.")
    store.replace_article(aid, changed, split_sentences(changed.text, "a0"), T0 + 60)
    assert store.dirty_stories() == [sid]
    (article,) = store.load_articles([aid])
    assert article.sentences[-1].text == "The toll rose overnight." and store.check() == []
