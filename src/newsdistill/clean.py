"""Remove what extraction leaves behind in article text.

Pure functions on blocks of text: photo captions and credits (often twice), "Related" and
"Read more" boxes, newsletter and subscription prompts, cookie and consent notices,
share-button rows, advertisement markers, repeated headline lines, repeated paragraphs, and
bylines and datelines glued onto the body.

Every rule is anchored and length-limited on purpose: a long paragraph that merely mentions
"cookies", "subscribe" or "share" is reporting, and is kept. The rules were checked on the
article-extraction-benchmark (181 real pages), where no line they remove may be part of the
ground-truth article body; see docs/extraction.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .segment import Block
from .textutil import normalize

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"

# Whole lines that are page furniture. Each alternative must match from the line's start and
# is a phrase reporting does not open a sentence with.
_FURNITURE = re.compile(
    r"""^(?:
        (?:photo|image|picture|video|graphic|illustration|file\ photo)s?\s*(?::|by\b|credit\b)
      | image\ (?:caption|source|copyright)\b
      | (?:photograph|credit|caption)\s*:
      | (?:sign\ up\ (?:for|to|now|here)|subscribe\ (?:now|today|to\ (?:our|the|continue|read))|
           already\ a\ subscriber|support\ our\ journalism|support\ independent|
           become\ a\ (?:member|subscriber)|enter\ your\ email|thanks?\ (?:you\ )?for\ signing|
           thanks?\ (?:you\ )?for\ subscribing|by\ signing\ up|
           get\ (?:the|our)\ .{0,40}(?:newsletter|in\ your\ inbox|delivered))
      | (?:we\ use\ cookies|we\ and\ our\ partners|this\ (?:site|website)\ uses\ cookies|
           accept\ (?:all\ )?cookies|accept\ all|reject\ all|
           cookie\ (?:settings|policy|preferences)|
           manage\ (?:consent|preferences|cookies)|by\ continuing\ to\ (?:browse|use))
      | (?:share\ (?:this|on|article|story)|email\ this|print\ this|copy\ link|follow\ us\ on)
      | (?:advertisement|sponsored\ content|ad\ feedback|story\ continues\ below|
           article\ continues\ below|continue\ reading\ (?:the\ )?(?:main\ )?story|skip\ to)\b
      | (?:©|\(c\)\s|copyright\s+(?:©\s*)?\d{4})
      | all\ rights\ reserved
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Link labels: "Related: ...", "READ MORE | ...", or the label alone on its line.
_LINK_LABEL = re.compile(
    r"""^(?:related(?:\ (?:stories|articles|coverage|content|links))?|read\ more|read\ next|
        more\ on\ this(?:\ story)?|more\ from\ [\w .]{1,30}|see\ also|recommended|most\ read|
        trending|also\ read|also\ on\ [\w .]{1,30}|up\ next|watch\ next|watch|listen|don'?t\ miss)
        \s*(?:[:|»>–—-]|$)""",
    re.IGNORECASE | re.VERBOSE,
)
_TIMESTAMP = re.compile(
    rf"^(?:published|posted|updated|last\ updated|first\ published)\s*:?\s*"
    rf"(?:\d|{_MONTH}|on\b|at\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day)",
    re.IGNORECASE | re.VERBOSE,
)
# Lines that are only share buttons: "Share Tweet Email", "Facebook Twitter WhatsApp".
_SHARE_TEXT = (
    "share shares tweet email e-mail facebook twitter x whatsapp linkedin pinterest reddit print "
    "copy link comments comment save flipboard messenger telegram this article story on via sms "
    "mail"
)
_SHARE_WORDS = frozenset(_SHARE_TEXT.split())
# A caption ending in a credit: "Rescuers at the site. (AP Photo/Jane Roe)", "… Photo: J. Roe".
_CAPTION_CREDIT = re.compile(
    r"""(?:\(\s*(?:AP\ |AFP\ |Reuters\ |file\ )?(?:photo|image|picture|photograph)[^)]*\)
       | \b(?:photo|image|photograph|picture)\s*(?::|by|credit:?)\s*[\w .'’/-]+
       | [/|]\s*(?:AP|AFP|Reuters|Getty\ Images|EPA|Shutterstock|Alamy)(?:\ via\ Getty\ Images)?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "Related" box headings: the links listed under them are dropped too.
_BOX_HEADING = re.compile(
    r"^(?:related(?:\ (?:stories|articles|news|coverage|content|reading|links))?|read\ more|"
    r"more\ (?:stories|news|from\ [\w .]+|on\ this\ (?:story|topic))|most\ (?:read|popular|viewed)|"
    r"recommended(?:\ for\ you)?|you\ (?:may|might)\ also\ like|trending(?:\ now)?|"
    r"top\ stories|latest\ news|what\ to\ read\ next|in\ other\ news|editor'?s\ picks?)\s*:?$",
    re.IGNORECASE | re.VERBOSE,
)
_BYLINE = re.compile(
    r"^(?:by|written\ by|words\ by|reporting\ by)\s+[A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){0,4}"
    r"(?:\s*(?:,|and|&|\||-|–|—)\s*.*)?$",
    re.IGNORECASE | re.VERBOSE,
)
# "By Jane Roe" glued before a dateline or the first sentence: "By Jane Roe HARTWELL, ..."
_GLUED_BYLINE = re.compile(
    r"^(?:By|BY)\s+(?P<name>[A-Z][\w.'’\-]+(?:\s+(?:[A-Z][\w.'’\-]+|and|&)){0,4}?)"
    r"(?:\s*[,|]\s*(?:staff\ (?:writer|reporter)|"
    r"[A-Z][\w ]{0,30}(?:correspondent|reporter|editor)))?"
    r"\s+(?=[A-Z]{3,}|(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Updated|Published)\b)",
    re.VERBOSE,
)
_DATELINE = re.compile(
    rf"""^(?P<dateline>
        [A-Z][A-Z .'\-]{{2,40}}                       # HARTWELL, NEW YORK
        (?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?  # , England / , Calif.
        (?:,\s*{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?   # , Nov. 18 / , Nov. 18, 2024
        (?:\s*\([A-Za-z .]+\))?                       # (Reuters)
    )\s*[—–-]+\s*""",
    re.VERBOSE,
)


@dataclass
class Cleaned:
    """Cleaned blocks and what cleaning removed (the gate uses the removed share)."""

    blocks: list[Block]
    removed: list[str] = field(default_factory=list)
    byline: str | None = None
    # Where the page's headline stood among the kept blocks: the article starts there.
    title_at: int | None = None

    @property
    def removed_words(self) -> int:
        return sum(len(t.split()) for t in self.removed)


def clean_blocks(blocks: list[Block], title: str = "") -> Cleaned:
    """Drop furniture blocks and lines, repeated paragraphs and repeated headline lines."""
    out = Cleaned([])
    seen: dict[str, int] = {}  # block key -> position among the kept blocks
    title_key = _key(title)
    in_box = False
    for block in blocks:
        if _BOX_HEADING.match(normalize_space(block.text)):
            in_box = True
            out.removed.append(block.text)
            continue
        text = _clean_lines(block, out)
        if not text:
            continue
        key = _key(text)
        if in_box:
            # Inside a "Related" box: headline links until the next prose paragraph.
            if _is_sentence(text) and block.kind in ("p", "quote"):
                in_box = False
            else:
                out.removed.append(text)
                continue
        if title_key and _is_title(key, title_key):
            if out.title_at is None:
                out.title_at = len(out.blocks)
            out.removed.append(text)
            continue
        if key in seen and _is_repeat(text, len(out.blocks) - seen[key]):
            out.removed.append(text)
            continue
        seen.setdefault(key, len(out.blocks))
        if (
            out.byline is None
            and len(out.blocks) < 3
            and _BYLINE.match(text)
            and len(text.split()) <= 12
        ):
            out.byline = _byline_name(text)
            out.removed.append(text)
            continue
        out.blocks.append(Block(block.kind, text))
    return out


def _clean_lines(block: Block, out: Cleaned) -> str:
    """The block's text without its furniture lines (lists and tables keep their line breaks)."""
    lines = [normalize_space(line) for line in block.text.split("\n")]
    kept = []
    for line in lines:
        if not line:
            continue
        if is_furniture(line):
            out.removed.append(line)
        else:
            kept.append(line)
    return "\n".join(kept)


def is_furniture(line: str) -> bool:
    """True for a line that is page furniture (caption credit, prompt, share row, timestamp)."""
    words = line.split()
    n = len(words)
    if n <= 40 and _FURNITURE.match(line):
        return True
    if n <= 25 and _LINK_LABEL.match(line):
        return True
    if n <= 15 and _TIMESTAMP.match(line):
        return True
    if n <= 30 and _CAPTION_CREDIT.search(line):
        return True
    if n <= 12 and all(
        w.strip("|•·,:/()").lower() in _SHARE_WORDS for w in words if w.strip("|•·,:/()")
    ):
        return True
    # "Advertisement" and the like on their own; a bare timestamp "4:05 p.m. ET".
    return n <= 6 and bool(re.fullmatch(r"[\d:apmetAPMET., ]{3,20}", line)) and ":" in line


def lift_dateline(blocks: list[Block]) -> tuple[list[Block], str | None, str | None]:
    """Take a glued byline and the dateline off the first paragraph.

    Returns the blocks, the dateline ("HARTWELL, Nov. 18") and the byline name, if any.
    """
    if not blocks:
        return blocks, None, None
    first = next((i for i, b in enumerate(blocks) if b.kind == "p"), None)
    if first is None or first > 2:
        return blocks, None, None
    text = blocks[first].text
    byline = None
    if m := _GLUED_BYLINE.match(text):
        byline = m.group("name").strip()
        text = text[m.end() :]
    dateline = None
    m = _DATELINE.match(text)
    if m and len(m.group("dateline").split()) <= 8:
        dateline = m.group("dateline").strip().rstrip(",")
        text = text[m.end() :]
        text = text[:1].upper() + text[1:]
    if text == blocks[first].text:
        return blocks, None, None
    out = list(blocks)
    out[first] = Block(blocks[first].kind, text)
    return out, dateline, byline


def clean_text(text: str, title: str = "") -> tuple[str, str | None]:
    """Clean plain article text (paragraphs separated by line breaks).

    Returns the cleaned text, paragraphs separated by blank lines, and the dateline lifted
    off its first paragraph.
    """
    blocks = [Block("p", p) for p in re.split(r"\n", text) if p.strip()]
    cleaned = clean_blocks(blocks, title)
    kept, dateline, _ = lift_dateline(cleaned.blocks)
    return "\n\n".join(b.text for b in kept), dateline


def normalize_space(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


def _is_title(key: str, title_key: str) -> bool:
    """The page title repeated in the body, possibly with the outlet's name after it."""
    if key == title_key:
        return True
    return (
        len(title_key.split()) >= 4
        and key.startswith(title_key)
        and len(key.split()) - len(title_key.split()) <= 4
    )


def _is_repeat(text: str, distance: int) -> bool:
    """A caption printed twice (close together) or a pull quote repeating a body sentence.

    Short lines that recur far apart are structure, not furniture ("Eat every 2-3 hours" in
    a meal plan, the same question put to each person in a series of interviews): the
    article-extraction-benchmark has many, and its ground truth keeps them.
    """
    if distance <= 3:
        return True
    return len(text.split()) >= 12 and _is_sentence(text) and not text.endswith("?")


def _is_sentence(text: str) -> bool:
    return len(text.split()) >= 8 and text.rstrip()[-1:] in ".!?\"”’'"


def _byline_name(text: str) -> str:
    name = re.sub(r"^(?:by|written by|words by|reporting by)\s+", "", text, flags=re.I)
    return re.split(r"\s*(?:,|\||–|—|\s-\s)\s*", name)[0].strip()


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", normalize(text).lower()).strip()
