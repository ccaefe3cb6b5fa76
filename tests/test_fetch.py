"""The polite fetcher against a real server on 127.0.0.1, with a fake clock for every wait."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator

import pytest

from newsdistill.errors import FetchError
from newsdistill.fetch import (
    Deferred,
    FakeClock,
    Fetcher,
    FetchPolicy,
    HttpError,
    Refused,
    canonical_url,
    parse_retry_after,
)
from tests.desk_server import DeskSite, Reply, serve

PAGE = b"<html><body><p>Hello from the harbour.</p></body></html>"


@pytest.fixture
def site() -> Iterator[DeskSite]:
    yield from serve()


def fetcher(clock: FakeClock | None = None, **kw: object) -> Fetcher:
    policy = FetchPolicy(**{"allow_private": True, "host_delay": 0.0, **kw})  # type: ignore[arg-type]
    return Fetcher(policy, clock or FakeClock())


def test_conditional_get_with_etag_and_last_modified(site: DeskSite) -> None:
    site.set("/e", Reply(PAGE, etag='"v1"'))
    site.set("/m", Reply(PAGE, last_modified="Fri, 14 Mar 2031 09:20:00 GMT"))
    with fetcher() as f:
        first = f.fetch(site.url("/e"))
        assert first.status == 200 and first.etag == '"v1"' and first.content == PAGE
        again = f.fetch(site.url("/e"), etag=first.etag)
        assert again.not_modified and again.content == b""
        m = f.fetch(site.url("/m"))
        assert f.fetch(site.url("/m"), last_modified=m.last_modified).not_modified
    sent = [r.headers.get("if-none-match") for r in site.requests if r.path == "/e"]
    assert sent == [None, '"v1"']


def test_honest_user_agent_with_contact(site: DeskSite) -> None:
    site.set("/p", Reply(PAGE))
    with fetcher(contact="mailto:desk@example.org") as f:
        f.fetch(site.url("/p"))
    ua = site.requests[-1].headers["user-agent"]
    assert ua.startswith("newsdistill/") and "mailto:desk@example.org" in ua


def test_robots_txt_is_obeyed_and_read_once(site: DeskSite) -> None:
    site.set(
        "/robots.txt", Reply(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    )
    site.set("/private/a.html", Reply(PAGE))
    site.set("/public/a.html", Reply(PAGE))
    with fetcher() as f:
        with pytest.raises(Refused, match="robots.txt disallows"):
            f.fetch(site.url("/private/a.html"))
        assert f.fetch(site.url("/public/a.html")).status == 200
        f.fetch(site.url("/public/a.html"))
    assert site.hits("/private/a.html") == 0 and site.hits("/robots.txt") == 1


def test_robots_rules_for_our_agent(site: DeskSite) -> None:
    site.set(
        "/robots.txt", Reply(b"User-agent: newsdistill\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    )
    site.set("/a", Reply(PAGE))
    with fetcher() as f, pytest.raises(Refused):
        f.fetch(site.url("/a"))


def test_unreadable_robots_txt_defers_the_site(site: DeskSite) -> None:
    site.set("/robots.txt", Reply(b"oops", status=500))
    site.set("/a", Reply(PAGE))
    with fetcher() as f, pytest.raises(Deferred, match="robots.txt could not be read"):
        f.fetch(site.url("/a"))
    assert site.hits("/a") == 0


def test_robots_can_be_ignored_by_policy(site: DeskSite) -> None:
    site.set("/robots.txt", Reply(b"User-agent: *\nDisallow: /\n"))
    site.set("/a", Reply(PAGE))
    with fetcher(obey_robots=False) as f:
        assert f.fetch(site.url("/a")).status == 200


def test_host_delay_spaces_requests(site: DeskSite) -> None:
    site.set("/a", Reply(PAGE))
    clock = FakeClock()
    with fetcher(clock, host_delay=2.0) as f:
        for _ in range(3):
            f.fetch(site.url("/a"))
    # robots.txt, then three pages: each start 2 s after the one before.
    assert clock.slept == [2.0, 2.0, 2.0]


def test_crawl_delay_raises_the_host_delay(site: DeskSite) -> None:
    site.set("/robots.txt", Reply(b"User-agent: *\nCrawl-delay: 7\n"))
    site.set("/a", Reply(PAGE))
    clock = FakeClock()
    with fetcher(clock, host_delay=1.0) as f:
        f.fetch(site.url("/a"))
        f.fetch(site.url("/a"))
    assert clock.slept[-1] == 7.0


def test_short_retry_after_is_waited_out(site: DeskSite) -> None:
    site.set("/a", [Reply(b"slow down", 429, headers={"Retry-After": "5"}), Reply(PAGE)])
    clock = FakeClock()
    with fetcher(clock) as f:
        assert f.fetch(site.url("/a")).content == PAGE
    assert 5.0 in clock.slept and site.hits("/a") == 2


def test_long_retry_after_defers_the_whole_host(site: DeskSite) -> None:
    site.set("/a", [Reply(b"", 503, headers={"Retry-After": "3600"}), Reply(PAGE)])
    site.set("/b", Reply(PAGE))
    clock = FakeClock()
    with fetcher(clock) as f:
        with pytest.raises(Deferred) as caught:
            f.fetch(site.url("/a"))
        assert caught.value.retry_at == clock.now() + 3600
        with pytest.raises(Deferred, match="retry after 3600 s"):
            f.fetch(site.url("/b"))
        assert site.hits("/b") == 0  # not asked at all
        clock.advance(3601)
        assert f.fetch(site.url("/b")).status == 200


def test_retry_after_as_an_http_date() -> None:
    now = calendar.timegm((2030, 3, 17, 11, 58, 0))
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Sun, 17 Mar 2030 12:00:00 GMT", now) == 120.0
    assert parse_retry_after("Sun, 17 Mar 2030 11:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_429_without_retry_after_backs_off(site: DeskSite) -> None:
    site.set("/a", Reply(b"", 429))
    with fetcher(backoff_base=60) as f, pytest.raises(Deferred, match="60 s"):
        f.fetch(site.url("/a"))


def test_failing_host_is_backed_off(site: DeskSite) -> None:
    site.set("/a", Reply(b"down", 500))
    clock = FakeClock()
    with fetcher(clock, failures_before_backoff=2, backoff_base=60) as f:
        for _ in range(2):
            with pytest.raises(HttpError, match="HTTP 500"):
                f.fetch(site.url("/a"))
        with pytest.raises(Deferred, match="failed 2 times in a row"):
            f.fetch(site.url("/a"))
        assert site.hits("/a") == 2
        clock.advance(61)
        site.set("/a", Reply(PAGE))
        assert f.fetch(site.url("/a")).status == 200
        assert f.host_state(site.url("/a"))["failures"] == 0


def test_404_is_an_http_error_but_not_a_failing_host(site: DeskSite) -> None:
    with fetcher(failures_before_backoff=1) as f:
        for _ in range(3):
            with pytest.raises(HttpError) as caught:
                f.fetch(site.url("/gone"))
            assert caught.value.status == 404


def test_redirects_are_followed_and_loops_stopped(site: DeskSite) -> None:
    site.set("/old", Reply(b"", 301, headers={"Location": "/new"}))
    site.set("/new", Reply(PAGE))
    site.set("/loop-a", Reply(b"", 302, headers={"Location": "/loop-b"}))
    site.set("/loop-b", Reply(b"", 302, headers={"Location": "/loop-a"}))
    with fetcher(max_redirects=4) as f:
        got = f.fetch(site.url("/old"))
        assert got.final_url == site.url("/new") and got.url == site.url("/old")
        with pytest.raises(FetchError, match="too many redirects"):
            f.fetch(site.url("/loop-a"))
    assert site.hits("/loop-a") + site.hits("/loop-b") == 5


def test_redirect_to_another_scheme_is_refused(site: DeskSite) -> None:
    site.set("/r", Reply(b"", 302, headers={"Location": "file:///etc/passwd"}))
    with fetcher() as f, pytest.raises(Refused, match="only http and https"):
        f.fetch(site.url("/r"))


def test_a_50_mb_page_is_refused_without_reading_it(site: DeskSite) -> None:
    big = b"<p>" + b"x" * (50 * 1024 * 1024) + b"</p>"
    site.set("/declared", Reply(big))
    site.set("/streamed", Reply(big, chunked=True))
    started = time.perf_counter()
    with fetcher() as f:
        with pytest.raises(FetchError, match="too large"):
            f.fetch(site.url("/declared"))
        with pytest.raises(FetchError, match=r"too large \(over 10.0 MB\)"):
            f.fetch(site.url("/streamed"))
    assert time.perf_counter() - started < 10


def test_a_stalling_server_is_cut_off(site: DeskSite) -> None:
    site.set("/drip", Reply(chunked=True, drip=0.05))
    started = time.perf_counter()
    with fetcher(timeout=1.0) as f, pytest.raises(FetchError, match="too slow|timed out"):
        f.fetch(site.url("/drip"))
    assert time.perf_counter() - started < 5


def test_private_addresses_and_other_schemes_are_refused(site: DeskSite) -> None:
    with Fetcher(FetchPolicy(), FakeClock()) as f:
        for url in (site.url("/a"), "http://169.254.169.254/latest/meta-data/", "http://[::1]/x"):
            with pytest.raises(Refused, match="--allow-private"):
                f.fetch(url)
        for url in ("ftp://example.org/a", "file:///etc/passwd"):
            with pytest.raises(Refused, match="only http and https"):
                f.fetch(url)
    assert site.requests == []


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://News.Example.org:80/a?utm_source=rss&id=3#top", "http://news.example.org/a?id=3"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org:8443/x?fbclid=1", "https://example.org:8443/x"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
