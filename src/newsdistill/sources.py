"""Read sources (files, folders, URLs, standard input) into ``Document`` values.

This is the I/O edge of the pipeline. Every failure becomes a ``FetchError`` or an
``ExtractionError`` naming the source, so that one bad source is reported and skipped.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

from . import __version__
from .errors import ExtractionError, FetchError, SourceError
from .models import Document, SourceKind

HTML_SUFFIXES = {".html", ".htm", ".html.gz", ".htm.gz"}
TEXT_SUFFIXES = {".txt", ".md", ".txt.gz", ".md.gz"}
# Files in a folder of articles that are about the folder, not news.
NOT_ARTICLES = {"README", "LICENSE", "CHANGELOG", "CONTRIBUTING", "NOTICE"}
USER_AGENT = f"newsdistill/{__version__} (+https://github.com/newsdistill/newsdistill)"


@dataclass(frozen=True)
class ReadOptions:
    """Limits and permissions for reading sources."""

    max_bytes: int = 10 * 1024 * 1024  # a news page is well under 10 MB; larger is junk
    timeout: float = 20.0
    max_redirects: int = 5
    allow_private: bool = False  # fetch from loopback/private addresses (tests, local use)


def _suffix(path: str) -> str:
    name = path.lower()
    for s in sorted(HTML_SUFFIXES | TEXT_SUFFIXES, key=len, reverse=True):
        if name.endswith(s):
            return s
    return Path(name).suffix


def expand(sources: list[str]) -> Iterator[str | SourceError]:
    """Expand folders into their supported files, in name order; pass other sources through.

    README, LICENSE and similar files in a folder are not articles and are left out.

    A folder that holds no supported file yields a ``FetchError`` for the folder.
    """
    for source in sources:
        path = Path(source)
        if source != "-" and not is_url(source) and path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and _suffix(p.name) in HTML_SUFFIXES | TEXT_SUFFIXES
                and p.name.split(".")[0].upper() not in NOT_ARTICLES
            )
            if not files:
                yield FetchError(source, "folder holds no .html, .htm, .txt or .md file")
            for p in files:
                yield str(p)
        else:
            yield source


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in {"http", "https"}


def read(source: str, options: ReadOptions | None = None) -> Document:
    """Read one source into a ``Document``; raise ``SourceError`` naming it on failure."""
    options = options or ReadOptions()
    if source == "-":
        raw = _read_limited(sys.stdin.buffer, source, options.max_bytes)
        return Document(source, _decode(raw, source), _sniff_kind(raw))
    if "://" in source and not is_url(source):
        scheme = urlsplit(source).scheme
        raise FetchError(source, f"unsupported URL scheme {scheme!r}: only http and https")
    if is_url(source):
        return fetch_url(source, options)
    return read_file(source, options)


def read_file(source: str, options: ReadOptions) -> Document:
    path = Path(source)
    if not path.exists():
        raise FetchError(source, "no such file or folder")
    if path.is_dir():
        raise FetchError(source, "is a folder")
    suffix = _suffix(path.name)
    if suffix not in HTML_SUFFIXES | TEXT_SUFFIXES:
        raise FetchError(
            source, f"unsupported file type {suffix or '(none)'!r}: use .html, .htm, .txt or .md"
        )
    size = path.stat().st_size
    if size > options.max_bytes:
        raise FetchError(source, f"file too large ({_mb(size)}; limit {_mb(options.max_bytes)})")
    try:
        with path.open("rb") as fh:
            raw = _read_limited(fh, source, options.max_bytes)
    except OSError as exc:
        raise FetchError(source, f"cannot read file: {exc.strerror or exc}") from exc
    if suffix.endswith(".gz"):
        raw = _gunzip(raw, source, options.max_bytes)
    kind: SourceKind = "html" if suffix in HTML_SUFFIXES else "text"
    return Document(source, _decode(raw, source), kind, path=str(path))


def fetch_url(source: str, options: ReadOptions) -> Document:
    """Download a page with size, time and redirect limits, refusing private addresses."""
    import httpx  # lazy: keeps `newsdistill --help` fast

    url = source
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"}
    try:
        with httpx.Client(
            timeout=options.timeout, follow_redirects=False, headers=headers
        ) as client:
            for _ in range(options.max_redirects + 1):
                check_address(url, source, options.allow_private)
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(
                                source, f"HTTP {response.status_code} without a Location"
                            )
                        url = urljoin(url, location)
                        if not is_url(url):
                            raise FetchError(source, f"redirect to a non-http URL: {url}")
                        continue
                    if response.status_code >= 400:
                        raise FetchError(
                            source, f"HTTP {response.status_code} {response.reason_phrase}"
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > options.max_bytes:
                        raise FetchError(
                            source,
                            f"page too large ({_mb(int(declared))}; limit {_mb(options.max_bytes)})",
                        )
                    chunks: list[bytes] = []
                    total = 0
                    for chunk in response.iter_bytes():
                        total += len(chunk)
                        if total > options.max_bytes:
                            raise FetchError(
                                source, f"page too large (over {_mb(options.max_bytes)})"
                            )
                        chunks.append(chunk)
                    raw = b"".join(chunks)
                    ctype = response.headers.get("content-type", "").lower()
                    kind: SourceKind = "text" if ctype.startswith("text/plain") else "html"
                    if ctype and not any(t in ctype for t in ("html", "text/plain", "xml")):
                        raise ExtractionError(
                            source, f"not a web page (content type {ctype.split(';')[0]})"
                        )
                    return Document(source, _decode(raw, source), kind, url=str(response.url))
            raise FetchError(source, f"too many redirects (more than {options.max_redirects})")
    except httpx.TimeoutException as exc:
        raise FetchError(source, f"timed out after {options.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise FetchError(source, f"cannot connect: {_short(exc)}") from exc


def check_address(url: str, source: str, allow_private: bool) -> None:
    """Refuse URLs whose host resolves to loopback, private, link-local or reserved addresses."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise FetchError(source, "URL has no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 0, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(source, f"cannot resolve host {host!r}") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if not addr.is_global or addr.is_multicast:
            raise FetchError(
                source,
                f"refused: {host} resolves to a non-public address ({addr}); "
                "pass --allow-private to fetch from your own network",
            )


def _read_limited(fh: BinaryIO, source: str, limit: int) -> bytes:
    raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise FetchError(source, f"input too large (over {_mb(limit)})")
    return raw


def _gunzip(raw: bytes, source: str, limit: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=__import__("io").BytesIO(raw)) as fh:
            return _read_limited(fh, source, limit)  # type: ignore[arg-type]
    except (OSError, EOFError) as exc:
        raise ExtractionError(source, "not a valid gzip file") from exc


def _decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise ExtractionError(source, "empty file")
    head = raw[:8192]
    if b"\x00" in head:
        raise ExtractionError(source, "binary file, not HTML or text")
    for encoding in ("utf-8", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        text = raw.decode("utf-8", errors="replace")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 0.01 * min(len(text), 8192):
        raise ExtractionError(source, "binary file, not HTML or text")
    return text


def _sniff_kind(raw: bytes) -> SourceKind:
    head = raw[:2048].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head else "text"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
