"""Turn a ``Document`` into a ``Page``: article text and metadata.

HTML goes through trafilatura, which returns the main content as blocks (headings,
paragraphs, lists, quotes, tables); plain text and Markdown are read directly. Then:

1. ``clean.clean_blocks`` drops captions, prompts, "Related" boxes and other furniture;
2. ``segment.keep_main`` drops other stories on the page (an appended article, a teaser);
3. the gate refuses what is not an article: an error page, a paywall teaser, a page that is
   mostly furniture, too little text, or a language other than English. Each refusal is an
   ``ExtractionError`` with a one-line reason naming the source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .clean import clean_blocks, lift_dateline, normalize_space
from .errors import ExtractionError
from .models import Document, Page
from .segment import Block, SegmentOptions, keep_main
from .textutil import word_count


@dataclass(frozen=True)
class ExtractOptions:
    """How to extract, and the thresholds of the extraction gate."""

    # Below this a "page" is a teaser, an error page or a stub. A news brief runs 80+ words;
    # the shortest English article in the article-extraction-benchmark has 90 after cleaning.
    min_words: int = 60
    # Refuse only when the text positively looks like another language; a page with no
    # language evidence (a box score, a table) passes. See ``detect_language``.
    check_language: bool = True
    # A page where cleaning removed more than this share of the extracted words, and what is
    # left is short, is a section front or a link list, not an article. On the benchmark the
    # largest removed share on a real article is well under this (docs/extraction.md).
    max_boilerplate: float = 0.6
    # With a subscription prompt on the page, text shorter than this is a paywall teaser.
    # Teasers run one to four paragraphs; articles behind metered paywalls arrive whole.
    paywall_max_words: int = 200
    # trafilatura: precision mode and no comments; tables kept (results, figures). Chosen on
    # the article-extraction-benchmark: comments off +0.007 F1, precision mode +0.004, tables
    # off -0.003 (bench/bench_extract.py).
    favor_precision: bool = True
    include_tables: bool = True
    segment: SegmentOptions = field(default_factory=SegmentOptions)


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


_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# Error pages say so in their title or first heading.
_ERROR_PAGE = re.compile(
    r"""\b(?:404|410|500|503)\b|page\ (?:not\ found|does\ not\ exist|doesn'?t\ exist|
    (?:is\ )?(?:no\ longer\ )?(?:un)?available|cannot\ be\ found|could\ not\ be\ found)|
    not\ found|access\ denied|forbidden|server\ error|something\ went\ wrong|
    (?:article|story|content)\ (?:is\ )?no\ longer\ available|we\ can'?t\ find""",
    re.IGNORECASE | re.VERBOSE,
)
# Subscription walls, in the page text or in schema.org markup.
_PAYWALL = re.compile(
    r"""subscribe\ (?:now\ )?to\ (?:continue|keep|read)|(?:continue|keep)\ reading\ (?:with|for)|
    (?:this|the\ rest\ of\ this)\ (?:article|story|content)\ is\ (?:only\ )?(?:available\ )?
    (?:for|to)\ (?:our\ )?(?:subscribers|members|premium)|subscribers\ only|
    already\ a\ subscriber|to\ read\ the\ full\ (?:article|story)|unlock\ (?:this|the\ full)|
    you'?ve\ reached\ your\ (?:free\ )?(?:article\ )?limit""",
    re.IGNORECASE | re.VERBOSE,
)
_NOT_FREE = re.compile(r'"isAccessibleForFree"\s*:\s*"?false', re.IGNORECASE)


@dataclass
class _Raw:
    """What a reader found before cleaning: metadata and the text as blocks."""

    page: Page
    blocks: list[Block]
    paywalled: bool = False


def extract(doc: Document, options: ExtractOptions | None = None) -> Page:
    """Extract the article from a document; raise ``ExtractionError`` when there is none.

    The error's reason starts with "no article text" (with why: error page, paywall teaser,
    mostly boilerplate, too short) or "language not supported".
    """
    options = options or ExtractOptions()
    raw = _extract_html(doc, options) if doc.kind == "html" else _extract_text(doc)
    page = raw.page
    raw_words = sum(word_count(b.text) for b in raw.blocks)
    cleaned = clean_blocks(raw.blocks, page.title)
    segmented = keep_main(cleaned.blocks, page.title, options.segment, cleaned.title_at)
    blocks, dateline, glued_byline = lift_dateline(segmented.kept)
    text = "\n\n".join(b.text for b in blocks)
    n = word_count(text)

    if _looks_like_error_page(page.title, raw.blocks, n):
        raise ExtractionError(doc.source, "no article text: the page is an error page")
    if options.check_language and (language := detect_language(text)) != "en" and language:
        raise ExtractionError(
            doc.source,
            f"language not supported: the text looks like {language}; newsdistill reads English",
        )
    if raw.paywalled and n < options.paywall_max_words:
        raise ExtractionError(
            doc.source,
            f"no article text: a paywall teaser ({n} words before the subscription prompt)",
        )
    removed = cleaned.removed_words
    if (
        raw_words >= options.min_words
        and removed / raw_words > options.max_boilerplate
        and n < 3 * options.min_words
    ):
        raise ExtractionError(
            doc.source,
            f"no article text: mostly boilerplate ({removed} of {raw_words} extracted words "
            "were menus, prompts or link lists)",
        )
    if n < options.min_words:
        raise ExtractionError(doc.source, f"no article text (only {n} words after extraction)")
    return Page(
        source=page.source,
        title=page.title or _first_words(text),
        text=text,
        outlet=page.outlet,
        byline=page.byline or cleaned.byline or glued_byline,
        published=page.published,
        url=page.url,
        path=page.path,
        dateline=dateline,
    )


def detect_language(text: str) -> str | None:
    """Name the language of ``text`` when there is evidence for one: "en", "German", ...

    Non-Latin scripts are named by script share; Latin-script languages by the share of their
    most common function words among the first 400 words. ``None`` when there is no evidence
    either way (a table of scores, a list of names): such text is not refused.
    """
    sample = text[:6000]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return None
    latin = sum(1 for ch in letters if ord(ch) < 0x250)
    if latin / len(letters) < 0.5:
        return _script_language(letters)
    tokens = [w.lower() for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", sample)][:400]
    if len(tokens) < 20:
        return None
    scores = {
        lang: sum(1 for w in tokens if w in markers) / len(tokens)
        for lang, markers in _FUNCTION_WORDS.items()
    }
    best = max(scores, key=lambda lang: scores[lang])
    # Calibrated on the article-extraction-benchmark: English articles score 0.25-0.45 on the
    # English list; German, Portuguese, Italian and Indonesian articles 0.2-0.4 on their own
    # lists and under 0.08 on the English one.
    if best != "en" and scores[best] >= 0.12 and scores[best] > 2 * scores["en"]:
        return best
    if scores["en"] >= 0.12:
        return "en"
    return None


# The most frequent function words of each language, written out from general knowledge.
# Words shared with English ("in", "an", "die", "is") are left out of the other lists.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in is that for on was with as by at from it has said were be have "
        "are an this which but not or had after their they been its will would who",
        "German": "der das und ist nicht ein eine zu den von mit sich des auf für im dem auch "
        "es werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über zum "
        "war haben nur oder aber vor zur bis mehr durch man ich wir",
        "Spanish": "el la que y en los del se las por un para con una su al lo como más pero "
        "sus le ya fue este ha porque esta entre cuando muy sin sobre también es",
        "French": "le la les des et est un une du en que qui dans pour pas sur au avec il elle "
        "ce sont par plus ont été aux cette mais ses nous vous je",
        "Portuguese": "que não uma os do da em um para com é por mais as dos como mas ao ele "
        "das à seu sua ou quando muito nos já também só pelo pela até isso você são",
        "Italian": "di che il la è e per un una non sono del della con si le da lo gli al dei "
        "anche nel più questo ma come alla delle nella",
        "Dutch": "het een en van dat op te niet zijn voor met die aan er maar om ook als dan "
        "bij nog wel naar ik je hij zij wordt",
        "Indonesian": "yang dan di dengan untuk dari dalam ini itu tidak akan pada juga ke ada "
        "adalah oleh karena saya kita mereka atau sudah bisa",
    }.items()
}

_SCRIPTS = (
    ("HIRAGANA", "Japanese"),
    ("KATAKANA", "Japanese"),
    ("HANGUL", "Korean"),
    ("CJK", "Chinese"),
    ("CYRILLIC", "a language in Cyrillic script"),
    ("ARABIC", "a language in Arabic script"),
    ("GREEK", "Greek"),
    ("HEBREW", "Hebrew"),
    ("DEVANAGARI", "a language in Devanagari script"),
    ("THAI", "Thai"),
)


def _script_language(letters: list[str]) -> str:
    names = [unicodedata.name(ch, "") for ch in letters if ord(ch) >= 0x250]
    for prefix, language in _SCRIPTS:  # kana first: Japanese mixes kana with CJK ideographs
        if sum(1 for n in names if n.startswith(prefix)) >= 0.05 * len(names):
            return language
    return "a language in a non-Latin script"


def _looks_like_error_page(title: str, blocks: list[Block], words: int) -> bool:
    """An error page names the error in its title or first lines, and has little text."""
    if words >= 150:
        return False
    heads = [title, *(b.text for b in blocks[:3])]
    return any(h and len(h.split()) <= 12 and _ERROR_PAGE.search(h) for h in heads)


def _extract_html(doc: Document, options: ExtractOptions) -> _Raw:
    import trafilatura  # lazy: keeps `newsdistill --help` fast
    from trafilatura.xml import xmltotxt

    head = doc.content[:100_000]
    m = _HTML_TITLE.search(head)
    html_title = normalize_space(_unescape(m.group(1))) if m else ""
    try:
        result = trafilatura.bare_extraction(
            doc.content,
            url=doc.url,
            with_metadata=True,
            include_comments=False,
            include_tables=options.include_tables,
            include_images=False,
            favor_precision=options.favor_precision,
            # Dates from the page's markup only (meta tags, <time>, the URL). The extensive
            # search guesses from free text: "a debate that began in 1995" became a
            # publication date of 1995-01-01, which then placed the page in time.
            date_extraction_params={"original_date": True, "extensive_search": False},
        )
    except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
        raise ExtractionError(doc.source, f"cannot parse HTML ({type(exc).__name__})") from exc
    if isinstance(result, dict):  # only with as_dict=True, which we never pass
        raise TypeError("trafilatura returned a dict")
    if result is None or result.body is None or not (result.text or "").strip():
        if html_title and _ERROR_PAGE.search(html_title):
            raise ExtractionError(doc.source, "no article text: the page is an error page")
        raise ExtractionError(doc.source, "no article text found in the page")
    blocks = []
    for child in result.body:
        text = xmltotxt(child, False).strip()
        if text:
            blocks.append(Block("head" if child.tag == "head" else child.tag, text))
    url = doc.url
    if not url:
        m = _CANONICAL.search(head)
        url = m.group(1) if m and m.group(1).startswith(("http://", "https://")) else None
    outlet = result.sitename or (urlsplit(url).hostname if url else None)
    if outlet and outlet.startswith("www."):
        outlet = outlet[4:]
    paywalled = bool(_NOT_FREE.search(doc.content) or _PAYWALL.search(result.text or ""))
    page = Page(
        source=doc.source,
        title=_clean_title(result.title or html_title, outlet),
        text=result.text or "",
        outlet=outlet,
        byline=result.author,
        published=_published(head) or result.date,
        url=url,
        path=doc.path,
    )
    return _Raw(page, blocks, paywalled)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _published(head: str) -> str | None:
    for pattern in (_META_TIME, _META_TIME_REV):
        m = pattern.search(head)
        if m and _ISO.match(m.group(1).strip()):
            return _ISO.match(m.group(1).strip()).group(0)  # type: ignore[union-attr]
    return None


_TEXT_HEADER = re.compile(r"^(outlet|source|published|date|url|by|author)\s*:\s*(.+)$", re.I)


def _extract_text(doc: Document) -> _Raw:
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
        meta[{"source": "outlet", "date": "published", "author": "by"}.get(key, key)] = m.group(
            2
        ).strip()
        lines.pop(0)
    body = "\n".join(lines)
    if doc.path and doc.path.lower().endswith((".md", ".md.gz")):
        body = _strip_markdown(body)
    published = meta.get("published")
    if published and not _ISO.match(published):
        published = None
    blocks = []
    for para in re.split(r"\n\s*\n", body):
        first, _, rest = para.strip().partition("\n")
        # A headline line directly above its paragraph (no blank line) is a block of its own,
        # so that segmentation can see a second story's headline.
        if rest.strip() and _looks_like_title(first) and first.strip()[:1].isupper():
            blocks.append(Block("p", normalize_space(first)))
            para = rest
        if text := normalize_space(para.replace("\n", " ")):
            blocks.append(Block("p", text))
    page = Page(
        source=doc.source,
        title=title,
        text=body,
        outlet=meta.get("outlet"),
        byline=meta.get("by"),
        published=_ISO.match(published).group(0) if published else None,  # type: ignore[union-attr]
        url=meta.get("url") or doc.url,
        path=doc.path,
    )
    return _Raw(page, blocks, bool(_PAYWALL.search(body)))


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
