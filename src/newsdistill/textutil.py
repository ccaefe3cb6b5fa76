"""Word-level features shared by dedup, salience, citation alignment and verification.

Everything here is pure and cheap: regular expressions, a small English stop list and a
suffix-stripping stemmer. No downloaded data.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")
NUMBER_RE = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves said says
    say told according mr mrs ms dr per via its it's""".split()
)

# Small-number words, so "twelve people" and "12 people" align.
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12,
}  # fmt: skip

_SUFFIXES = ("ational", "ations", "ation", "ings", "ing", "edly", "ies", "ied", "ers", "er",
             "ed", "es", "ly", "s")  # fmt: skip


def normalize(text: str) -> str:
    """Unify typographic quotes, dashes and spaces so that equal text compares equal."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Word tokens (letters, or digits with separators), original case."""
    return WORD_RE.findall(normalize(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match "injured"/"injuries"/"injury"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 4 or w[0].isdigit():
        return w
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if w.endswith("y") or w.endswith("i"):
        w = w[:-1]
    return w


def content_terms(text: str) -> list[str]:
    """Stemmed content words and normalized numbers: the terms sentences are compared on."""
    out: list[str] = []
    for w in words(text):
        lw = w.lower()
        if lw in STOPWORDS:
            continue
        if w[0].isdigit():
            out.append(_canonical_number(w))
        elif lw in NUMBER_WORDS:
            out.append(str(NUMBER_WORDS[lw]))
        elif len(lw) > 1:
            out.append(stem(lw))
    return out


def numbers(text: str) -> set[str]:
    """Numbers a sentence states, canonicalized ("1,300" -> "1300", "twelve" -> "12")."""
    found = {_canonical_number(m) for m in NUMBER_RE.findall(normalize(text))}
    for w in words(text):
        if w.lower() in NUMBER_WORDS:
            found.add(str(NUMBER_WORDS[w.lower()]))
    return found


def _canonical_number(token: str) -> str:
    token = token.replace(",", "").rstrip(".")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return token.lstrip("0") or "0"


def word_count(text: str) -> int:
    return len(text.split())


ENGLISH_MARKERS = frozenset(
    "the of and to in a is that for on was with as by at from it has said were be have are "
    "an this which but not or had after their they been its".split()
)


def english_ratio(text: str) -> float:
    """Share of the first 400 words that are common English function words."""
    sample = [w.lower() for w in WORD_RE.findall(text[:5000])][:400]
    if not sample:
        return 0.0
    return sum(1 for w in sample if w in ENGLISH_MARKERS) / len(sample)
