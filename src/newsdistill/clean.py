"""Remove what extraction leaves behind in article text.

Pure functions on text: photo captions and credits, "Related"/"Read more" lines, newsletter
and subscription prompts, cookie notices, share-button text, repeated headline lines and
repeated paragraphs, and a dateline glued onto the first paragraph.
"""

from __future__ import annotations

import re

from .textutil import normalize

# Lines that are page furniture rather than reporting. Anchored and short on purpose: a long
# paragraph that merely mentions "cookies" or "subscribe" is kept.
_FURNITURE = re.compile(
    r"""^(
        (photo|image|picture|video|graphic|illustration|file\ photo)s?\s*(:|by|credit)
      | (credit|source)\s*:
      | (related|read\ more|more\ on\ this|more\ from|see\ also|recommended|most\ read|
         trending|you\ may\ also\ like|further\ reading|also\ read)\b
      | (sign\ up|subscribe|newsletter|get\ our|join\ our|already\ a\ subscriber|
         support\ our\ journalism|become\ a\ member)\b
      | (we\ use\ cookies|this\ (site|website)\ uses\ cookies|accept\ (all\ )?cookies|
         cookie\ (settings|policy|preferences)|manage\ (consent|preferences))
      | (share\ (this|on)|share\b|tweet\b|email\ this|print\ this|copy\ link|follow\ us)
      | (advertisement|sponsored|ad\ feedback)\s*$
      | (©|\(c\)|copyright)\s
      | (all\ rights\ reserved)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CAPTION_CREDIT = re.compile(
    r"(\((photo|image|file photo)[^)]*\)|\b(photo|image)\s*:\s*[\w .'-]+|/\s*(AP|AFP|Reuters|Getty Images)\b)\s*$",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"""^(?P<dateline>
        [A-Z][A-Z .'\-]{2,40}                     # HARTWELL, NEW YORK
        (,\s*[A-Z][A-Za-z.]+(\s[A-Z][A-Za-z.]+)?)?  # , England / , Calif.
        (,\s*(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2})?  # , Nov. 18
        (\s*\([A-Za-z .]+\))?                     # (Reuters)
    )\s*[—–-]+\s*""",
    re.VERBOSE,
)
_BYLINE = re.compile(r"^(by|written by)\s+[A-Z][\w.'\-]+(\s+[A-Z][\w.'\-]+){0,4}(\s*(,|and|\|)\s*.*)?$", re.I)


def clean_text(text: str, title: str = "") -> tuple[str, str | None]:
    """Return the cleaned article text and the dateline lifted off its first paragraph."""
    paragraphs = [normalize_space(p) for p in re.split(r"\n\s*\n|\n", text)]
    seen: set[str] = set()
    kept: list[str] = []
    norm_title = _key(title)
    for para in paragraphs:
        if not para:
            continue
        key = _key(para)
        if key in seen:  # captions and pull quotes often appear twice
            continue
        seen.add(key)
        if norm_title and key == norm_title:
            continue
        if is_furniture(para):
            continue
        kept.append(para)
    dateline = None
    if kept:
        m = _DATELINE.match(kept[0])
        if m and len(m.group("dateline").split()) <= 8:
            dateline = m.group("dateline").strip().rstrip(",")
            kept[0] = kept[0][m.end() :]
            kept[0] = kept[0][:1].upper() + kept[0][1:]
    return "\n\n".join(kept), dateline


def is_furniture(paragraph: str) -> bool:
    """True for a line that is page furniture (caption credit, prompt, share text, byline)."""
    words = paragraph.split()
    if len(words) <= 40 and _FURNITURE.match(paragraph):
        return True
    if len(words) <= 8 and _BYLINE.match(paragraph):
        return True
    if len(words) <= 30 and _CAPTION_CREDIT.search(paragraph):
        return True
    # A bare "Updated 4:05 p.m." or timestamp line.
    return bool(re.fullmatch(r"(updated|published|posted)?\s*:?\s*[\d:apm. ,A-Za-z]{0,30}\d", paragraph, re.I)) and len(words) <= 6


def normalize_space(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", normalize(text).lower()).strip()
