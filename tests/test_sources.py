import gzip

import pytest

from newsdistill.errors import ExtractionError, FetchError
from newsdistill.sources import ReadOptions, expand, read
from tests.conftest import Route

PAGE = b"<html><head><title>Council approves tram line</title></head><body><article><p>Text.</p></article></body></html>"
LOCAL = ReadOptions(allow_private=True)


def test_reads_a_page_from_a_real_local_server(site):
    site.routes["/a.html"] = Route(PAGE)
    doc = read(site.url("/a.html"), LOCAL)
    assert doc.kind == "html" and "tram line" in doc.content
    assert doc.url == site.url("/a.html")
    assert site.requests == ["/a.html"]


def test_private_addresses_are_refused_unless_allowed(site):
    site.routes["/a.html"] = Route(PAGE)
    with pytest.raises(FetchError, match=r"non-public address .*--allow-private"):
        read(site.url("/a.html"))
    assert site.requests == []  # refused before any request was sent


def test_redirect_to_private_address_is_refused(site):
    # The first hop is allowed only because we allow private; check the redirect is followed
    # hop by hop with a limit.
    site.routes["/loop"] = Route(b"", 302, {"Location": "/loop"})
    with pytest.raises(FetchError, match="too many redirects"):
        read(site.url("/loop"), LOCAL)
    assert len(site.requests) == LOCAL.max_redirects + 1


def test_http_errors_and_unreachable_hosts(site):
    with pytest.raises(FetchError, match="HTTP 404"):
        read(site.url("/missing"), LOCAL)
    port = site.server.server_address[1]
    site.server.server_close()
    with pytest.raises(FetchError, match="cannot connect"):
        read(f"http://127.0.0.1:{port}/a.html", ReadOptions(allow_private=True, timeout=2))


def test_oversized_page_is_cut_off(site):
    site.routes["/big.html"] = Route(b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>")
    with pytest.raises(FetchError, match="too large"):
        read(site.url("/big.html"), ReadOptions(allow_private=True, max_bytes=1024 * 1024))


def test_non_page_content_type(site):
    site.routes["/photo.jpg"] = Route(
        b"\xff\xd8\xff" + b"\x00" * 100, headers={"Content-Type": "image/jpeg"}
    )
    with pytest.raises(ExtractionError, match="not a web page"):
        read(site.url("/photo.jpg"), LOCAL)


def test_only_http_schemes():
    with pytest.raises(FetchError, match="only http and https"):
        read("ftp://example.com/a.html")
    with pytest.raises(FetchError, match="only http and https"):
        read("file:///etc/passwd")


def test_bad_files(tmp_path):
    with pytest.raises(FetchError, match="no such file"):
        read(str(tmp_path / "nope.html"))
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ExtractionError, match="empty file"):
        read(str(tmp_path / "empty.txt"))
    (tmp_path / "bin.html").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ExtractionError, match="binary file"):
        read(str(tmp_path / "bin.html"))
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(FetchError, match="unsupported file type"):
        read(str(tmp_path / "a.pdf"))
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # a 50 MB file, sparse on disk
    with pytest.raises(FetchError, match=r"file too large \(50.0 MB"):
        read(str(big))


def test_gzip_html(tmp_path):
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(PAGE))
    doc = read(str(tmp_path / "p.html.gz"))
    assert doc.kind == "html" and "tram line" in doc.content
    (tmp_path / "bad.html.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ExtractionError, match="not a valid gzip"):
        read(str(tmp_path / "bad.html.gz"))


def test_expand_folder_in_name_order(tmp_path):
    for name in ["b.html", "a.txt", "c.md", "skip.pdf"]:
        (tmp_path / name).write_text("x")
    assert list(expand([str(tmp_path)])) == [str(tmp_path / n) for n in ["a.txt", "b.html", "c.md"]]
    empty = tmp_path / "empty"
    empty.mkdir()
    [err] = list(expand([str(empty)]))
    assert isinstance(err, FetchError) and "holds no" in err.reason
