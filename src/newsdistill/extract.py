"""Turn a ``Document`` into a ``Page``: article text and metadata.

HTML goes through trafilatura; plain text and Markdown are read directly. A page that yields
too little text, or text that is not English, raises ``ExtractionError`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .clean import clean_text
from .errors import ExtractionError
from .models import Document, Page
from .textutil import english_ratio, word_count


@dataclass(frozen=True)
class ExtractOptions:
    """Thresholds of the extraction gate."""

    min_words: int = 60  # below this a "page" is a teaser, an error page or a stub
    # Share of common English function words in running English news text is about 0.35-0.45;
    # other languages written in Latin script score under 0.1.
    min_english_ratio: float = 0.15


_META_TIME = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|datePublished|
    pubdate|publish-date|og:published_time|date|dc\.date)["'][^>]*content=["']([^"']+)["']""",
    re.IGNORECASE | re.VERBOSE,
)
_META_TIME_REV = re.compile(
    r"""<meta[^>]+content=["']([^"']+)["'][^>]*(?:property|name|itemprop)=["']
    (?:article:published_time|datePublished)["']""",
    re.IGNORECASE | re.VERBOSE,
)
_CANONICAL = re.compile(r"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']""", re.I)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?")


def extract(doc: Document, options: ExtractOptions | None = None) -> Page:
    """Extract the article from a document; raise ``ExtractionError`` when there is none."""
    options = options or ExtractOptions()
    page = _extract_html(doc) if doc.kind == "html" else _extract_text(doc)
    text, dateline = clean_text(page.text, page.title)
    n = word_count(text)
    if n < options.min_words:
        raise ExtractionError(doc.source, f"no article text (only {n} words after extraction)")
    if english_ratio(text) < options.min_english_ratio:
        raise ExtractionError(
            doc.source, "language not supported: the text does not look like English"
        )
    return Page(
        source=page.source,
        title=page.title or _first_words(text),
        text=text,
        outlet=page.outlet,
        byline=page.byline,
        published=page.published,
        url=page.url,
        path=page.path,
        dateline=dateline,
    )


def _extract_html(doc: Document) -> Page:
    import trafilatura  # lazy: keeps `newsdistill --help` fast

    try:
        result = trafilatura.bare_extraction(
            doc.content,
            url=doc.url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
        )
    except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
        raise ExtractionError(doc.source, f"cannot parse HTML ({type(exc).__name__})") from exc
    if result is None or not (result.text or "").strip():
        raise ExtractionError(doc.source, "no article text found in the page")
    head = doc.content[:100_000]
    url = doc.url
    if not url:
        m = _CANONICAL.search(head)
        url = m.group(1) if m and m.group(1).startswith(("http://", "https://")) else None
    outlet = result.sitename or (urlsplit(url).hostname if url else None)
    if outlet and outlet.startswith("www."):
        outlet = outlet[4:]
    return Page(
        source=doc.source,
        title=_clean_title(result.title or "", outlet),
        text=result.text or "",
        outlet=outlet,
        byline=result.author,
        published=_published(head) or result.date,
        url=url,
        path=doc.path,
    )


def _published(head: str) -> str | None:
    for pattern in (_META_TIME, _META_TIME_REV):
        m = pattern.search(head)
        if m and _ISO.match(m.group(1).strip()):
            return _ISO.match(m.group(1).strip()).group(0)  # type: ignore[union-attr]
    return None


_TEXT_HEADER = re.compile(r"^(outlet|source|published|date|url|by|author)\s*:\s*(.+)$", re.I)


def _extract_text(doc: Document) -> Page:
    """Plain text or Markdown. The first line is the title when it looks like one; optional
    ``Outlet:``, ``Published:``, ``URL:`` and ``By:`` header lines follow it."""
    lines = doc.content.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    title = ""
    if lines and _looks_like_title(lines[0]):
        title = lines.pop(0).strip().lstrip("#").strip()
    meta: dict[str, str] = {}
    while lines and (m := _TEXT_HEADER.match(lines[0].strip())):
        key = m.group(1).lower()
        meta[{"source": "outlet", "date": "published", "author": "by"}.get(key, key)] = m.group(2).strip()
        lines.pop(0)
    body = "\n".join(lines)
    if doc.path and doc.path.lower().endswith((".md", ".md.gz")):
        body = _strip_markdown(body)
    published = meta.get("published")
    if published and not _ISO.match(published):
        published = None
    return Page(
        source=doc.source,
        title=title,
        text=body,
        outlet=meta.get("outlet"),
        byline=meta.get("by"),
        published=_ISO.match(published).group(0) if published else None,  # type: ignore[union-attr]
        url=meta.get("url") or doc.url,
        path=doc.path,
    )


def _looks_like_title(line: str) -> bool:
    line = line.strip().lstrip("#").strip()
    n = len(line.split())
    return 2 <= n <= 20 and not line.endswith((".", ",", ";", ":"))


def _strip_markdown(text: str) -> str:
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(\S.*?\S|\S)\1", r"\2", text)
    return re.sub(r"^\s*[-*+>]\s+", "", text, flags=re.M)


def _clean_title(title: str, outlet: str | None) -> str:
    """Drop the " | Outlet" or " - Outlet" suffix sites add to their page titles."""
    parts = re.split(r"\s+[|–—-]\s+", title)
    if len(parts) > 1:
        tail = parts[-1].lower()
        if outlet and (tail in outlet.lower() or outlet.lower() in tail) or len(tail.split()) <= 3:
            title = " - ".join(parts[:-1])
    return title.strip()


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")
