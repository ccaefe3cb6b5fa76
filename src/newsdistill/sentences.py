"""Split article text into ``Sentence``s with stable ids and character offsets.

nupunkt does the splitting: its model ships inside the wheel (no download) and it handles
abbreviations ("U.S.", "Dr.", "p.m."), initials and numbers such as "1,300". On top of it we
keep a quotation whole when the splitter breaks inside it, and never let a sentence cross a
paragraph boundary.
"""

from __future__ import annotations

import re

from .models import Sentence

_PARA = re.compile(r"\n\s*\n")
_OPEN_QUOTES = ('"', "\u201c")


def split_sentences(text: str, article_id: str) -> list[Sentence]:
    """Sentences of ``text`` with ids ``<article_id>.s1``, ``.s2``, ... in order.

    ``text[s.start:s.end] == s.text`` for every sentence.
    """
    import nupunkt  # lazy: keeps `newsdistill --help` fast

    out: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(_paragraph_spans(text)):
        spans: list[tuple[int, int]] = []
        for _, (s, e) in nupunkt.sent_spans_with_text(text[p_start:p_end]):
            spans.append((p_start + s, p_start + e))
        for start, end in _join_open_quotes(text, spans):
            start, end = _strip_span(text, start, end)
            if start < end:
                n = len(out) + 1
                out.append(
                    Sentence(f"{article_id}.s{n}", text[start:end], start, end, p_index, n - 1)
                )
    return out


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _PARA.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _quote_open(fragment: str) -> bool:
    """True when a fragment leaves a double quotation open."""
    straight = fragment.count('"') % 2 == 1
    curly = fragment.count("\u201c") > fragment.count("\u201d")
    return straight or curly


def _join_open_quotes(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge a sentence with the next ones while it leaves a quotation open (at most 3 more,
    so a stray quote mark cannot swallow a paragraph)."""
    merged: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        j = i
        while _quote_open(text[start:end]) and j + 1 < len(spans) and j - i < 3:
            j += 1
            end = spans[j][1]
        if _quote_open(text[start:end]):  # never closed: keep the splitter's answer
            merged.append(spans[i])
            i += 1
        else:
            merged.append((start, end))
            i = j + 1
    return merged


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
