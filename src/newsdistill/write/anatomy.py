"""The parts of a story around its body: dateline, quotes, key facts, timeline, and the
section a body sentence belongs to. Pure functions over articles; every text they return is
a verbatim span of a source sentence, cited.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

from ..align import Aligner
from ..clean import _DATELINE
from ..models import Article, Citation, Fact, Quote, Sentence, TimelineEntry
from ..textutil import normalize

# --- dateline ------------------------------------------------------------------------------

_DATE_IN_DATELINE = re.compile(
    r",?\s*(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\s*$"
)
_CREDIT = re.compile(r"\s*\([^)]*\)\s*$")


def dateline(articles: list[Article]) -> str | None:
    """Place from the sources' datelines (the most common one) and the event date.

    The date is the earliest publication date among the articles, written newsroom style
    ("Nov. 18, 2026"); without any dateline, there is no dateline.
    """
    places: Counter[str] = Counter()
    for a in articles:
        if a.page.dateline:
            place = _DATE_IN_DATELINE.sub("", _CREDIT.sub("", a.page.dateline)).strip(" ,")
            if place:
                places[place] += 1
    if not places:
        return None
    # Prefer the most specific spelling of the most common place ("BRENNICK, Ohio" over
    # "BRENNICK").
    top = places.most_common(1)[0][0]
    root = top.split(",")[0]
    place = max((p for p in places if p.split(",")[0] == root), key=lambda p: (places[p], len(p)))
    days = sorted(d for d in (_day(a.page.published) for a in articles) if d)
    return f"{place}, {_newsroom_date(days[0])}" if days else place


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


_AP_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
              "Nov.", "Dec."]  # fmt: skip


def _newsroom_date(d: date) -> str:
    return f"{_AP_MONTHS[d.month - 1]} {d.day}, {d.year}"


# --- quotes --------------------------------------------------------------------------------

_QUOTE = re.compile(r'"([^"]{12,}?)[,.]?"')
_NAME = r"(?:[A-Z][a-z]+\.?\s)?(?:[A-Z]\.\s?)*[A-Z][A-Za-z'’\-]+(?:\s(?:[A-Z]\.\s?)*[A-Z][A-Za-z'’\-]+){0,2}"
_TITLE_WORDS = (
    r"(?:Fire Chief|Chief|Mayor|Councilor|Councilwoman|Councilman|Gov\.|Governor|Sen\.|Senator|"
    r"Rep\.|President|Minister|Secretary|Commissioner|Superintendent|Director|Dr\.|Judge|"
    r"Justice|Sheriff|Officer|Capt\.|Captain|Sgt\.|Lt\.|Professor|Prof\.)"
)
_SAID_AFTER = re.compile(
    rf'"\s*,?\s*(?:said|says|added|told\s+\w+)\s+(?:{_TITLE_WORDS}\s)?(?P<name>{_NAME})'
)
_NAME_SAID = re.compile(
    rf'"\s*,?\s*(?:{_TITLE_WORDS}\s)?(?P<name>{_NAME})\s+(?:said|says|added|told)\b'
)
_NAME_BEFORE = re.compile(
    rf"(?:{_TITLE_WORDS}\s)?(?P<name>{_NAME})\s+(?:said|says|added|told [\w ]+?)\s*[:,]?\s*\""
)
_TITLE_PREFIX = re.compile(rf"^(?:(?:{_TITLE_WORDS}|Fire|Police|Company|City|County|State|The)\s)+")


def full_name(surname: str, texts: list[str]) -> str:
    """The fullest name the sources give for someone quoted by surname ("Dana Okafor" for
    "Okafor"), titles stripped; the surname itself when no source spells it out."""
    pattern = re.compile(rf"((?:(?:[A-Z][a-z]+\.?|[A-Z]\.)\s){{1,4}}){re.escape(surname)}\b")
    found: Counter[str] = Counter()
    for text in texts:
        for m in pattern.finditer(text):
            name = _TITLE_PREFIX.sub("", m.group(0)).strip()
            if name != surname and name.split()[0] not in _NOT_SPEAKER:
                found[name] += 1
    return found.most_common(1)[0][0] if found else surname


_NOT_SPEAKER = {"The", "He", "She", "They", "It", "We", "I", "A", "An", "This", "That"}


def speaker_of(sentence: str) -> str | None:
    """The person a quoting sentence names as the speaker, as written ("Okafor")."""
    text = normalize(sentence)
    inside = " ".join(re.findall(r'"([^"]*)"', text))
    for pattern in (_SAID_AFTER, _NAME_SAID, _NAME_BEFORE):
        for m in pattern.finditer(text):
            name = m.group("name").strip()
            if name.split()[0] not in _NOT_SPEAKER and name not in inside:
                return name
    return None


# "..., he said." hands the quote to whoever spoke in the sentence before.
_PRONOUN_SAID = re.compile(r'"\s*,?\s*(?:he|she|they)\s+(?:said|says|added|told)\b', re.I)
# "Glen Whitaker, whose family has run the shop since 1971, said the fund ...": the speaker
# of a sentence that reports speech, an appositive clause allowed between name and verb.
_NAME_THEN_SAID = re.compile(
    rf"^(?:{_TITLE_WORDS}\s)?(?P<name>{_NAME})(?:,[^\"]{{0,120}}?,)?\s+(?:said|says|added|told)\b"
)


def quote_speaker(sentences: list[Sentence], k: int) -> str | None:
    """The speaker of the quote in ``sentences[k]``: named in it, or, when it says only
    "he said", the person reported speaking in the sentence just before, in its paragraph."""
    text = normalize(sentences[k].text)
    name = speaker_of(text)
    same_paragraph = k > 0 and sentences[k - 1].paragraph == sentences[k].paragraph
    if name is None and same_paragraph and _PRONOUN_SAID.search(text):
        m = _NAME_THEN_SAID.match(normalize(sentences[k - 1].text))
        if m and m.group("name").split()[0] not in _NOT_SPEAKER:
            name = m.group("name")
    return name


def find_quotes(articles: list[Article], limit: int = 3) -> list[Quote]:
    """The quotes carried by the most outlets (then the longest), verbatim, with speakers.

    A speaker given only by surname in one outlet takes the full name another outlet uses.
    """
    found: dict[str, list[tuple[Article, Sentence, str | None]]] = {}
    text_of: dict[str, str] = {}
    for a in articles:
        for k, s in enumerate(a.sentences):
            for m in _QUOTE.finditer(normalize(s.text)):
                q = m.group(1).strip()
                if len(q.split()) < 6:
                    continue
                key = re.sub(r"\W+", " ", q.lower()).strip()
                found.setdefault(key, []).append((a, s, quote_speaker(a.sentences, k)))
                text_of.setdefault(key, q)
    texts = [normalize(a.page.text) for a in articles]
    ranked = sorted(found, key=lambda k: (-len({a.id for a, _, _ in found[k]}), -len(k), k))
    out: list[Quote] = []
    for key in ranked[:limit]:
        hits = found[key]
        speakers = [sp for _, _, sp in hits if sp]
        speaker = max(speakers, key=len) if speakers else None
        if speaker and len(speaker.split()) == 1:
            speaker = full_name(speaker, texts)
        outlets = list(dict.fromkeys(o for a, _, _ in hits for o in a.outlets))
        out.append(
            Quote(
                quote=text_of[key],
                speaker=speaker,
                outlet=", ".join(outlets) if outlets else None,
                citations=tuple(dict.fromkeys(Citation(a.id, s.id) for a, s, _ in hits)),
            )
        )
    return out


# --- key facts -----------------------------------------------------------------------------

_ROLE_WORDS = (
    "chief|mayor|councilor|council member|commissioner|spokesperson|spokesman|spokeswoman|"
    "director|minister|president|governor|senator|officer|superintendent|manager|head|"
    "chair|chairman|chairwoman|secretary|leader|executive|founder|owner|judge|sheriff|"
    "investigator|inspector|professor|administrator|coordinator|official|engineer"
)
_APPOSITIVE = re.compile(
    rf"(?P<fact>(?:Dr\.\s)?(?:[A-Z]\.\s?)*[A-Z][a-z]+(?:\s(?:[A-Z]\.\s?)*[A-Z][A-Za-z'\-]+){{1,2}},\s"
    rf"(?:the|a|an)\s[^,;\"]{{0,60}}?\b(?:{_ROLE_WORDS})\b[^,;\"]{{0,40}}?)(?=,|\.|;)"
)
_TITLED = re.compile(
    rf"(?P<fact>{_TITLE_WORDS}\s(?:[A-Z]\.\s?)*[A-Z][a-z]+(?:\s[A-Z][A-Za-z'\-]+){{1,2}})"
)
_FIGURE = re.compile(r"\$?\d[\d,.]*\s?(?:%|percent|million|billion)?|\b\d{1,2}:\d{2}\s?[ap]\.m\.")


def key_facts(articles: list[Article], aligner: Aligner, limit: int = 8) -> list[Fact]:
    """People with their roles, then figures, each a verbatim span with every source that
    states it. Ranked by how many outlets state the fact."""
    people: dict[str, set[Citation]] = {}
    for a in articles:
        for s in a.sentences:
            text = normalize(s.text)
            for pattern in (_APPOSITIVE, _TITLED):
                for m in pattern.finditer(text):
                    fact = m.group("fact").strip()
                    people.setdefault(fact, set()).add(Citation(a.id, s.id))
    # One entry per person: the longest description of them.
    by_person: dict[str, str] = {}
    for fact in people:
        surname = re.split(r",", fact)[0].split()[-1]
        if surname not in by_person or len(fact) > len(by_person[surname]):
            by_person[surname] = fact
    person_facts = [Fact(f, tuple(sorted(people[f], key=_cite_order))) for f in by_person.values()]
    person_facts.sort(key=lambda f: (-len({c.article for c in f.citations}), f.text))

    figures: dict[str, Fact] = {}
    for a in articles:
        for s in a.sentences:
            for clause in _clauses(s.text):
                if not _FIGURE.search(clause) or not 4 <= len(clause.split()) <= 16:
                    continue
                if not clause[0].isupper():
                    continue  # a fragment from mid-sentence reads badly on its own
                if '"' in clause or "\u201c" in clause:
                    continue
                key = re.sub(r"\W+", " ", clause.lower()).strip()
                if key in figures:
                    continue
                cites = aligner.supporting(clause, min_recall=0.75) or [Citation(a.id, s.id)]
                figures[key] = Fact(clause, tuple(cites))
    figure_facts = sorted(
        figures.values(), key=lambda f: (-len({c.article for c in f.citations}), len(f.text))
    )
    # Drop a figure whose numbers another, more widely stated figure already gives.
    chosen: list[Fact] = []
    seen_numbers: set[str] = set()
    from ..textutil import numbers

    for f in figure_facts:
        nums = numbers(f.text)
        if nums and nums <= seen_numbers:
            continue
        chosen.append(f)
        seen_numbers |= nums
    n_people = min(len(person_facts), max(2, limit // 2))
    return person_facts[:n_people] + chosen[: limit - n_people]


def _clauses(sentence: str) -> list[str]:
    parts = re.split(
        r"(?:,(?=\s)|;|\s—\s|\s-\s|\band\b(?=\s(?:the|a|an|\d|about|more|\$)))", sentence
    )
    return [p.strip(" .,;") for p in parts if p and p.strip(" .,;")]


def _cite_order(c: Citation) -> tuple[int, int]:
    return int(c.article[1:]), int(c.sentence.rsplit(".s", 1)[1])


# --- timeline ------------------------------------------------------------------------------

_MONTH_NUM = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}  # fmt: skip
_WEEKDAY_NUM = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}  # fmt: skip
_MONTH_DAY = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})\b(?:,\s*(\d{4}))?"
)
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?([ap])\.m\.")
# "since 1971" dates a state that still holds (a family business, cuts "since 2020"), not an
# event of the sentence, so it gives no timeline date.
_YEAR = re.compile(r"\b(?:in|until|by)\s((?:19|20)\d{2})\b")


def timeline(articles: list[Article], aligner: Aligner, limit: int = 8) -> list[TimelineEntry]:
    """Dated events from the sources, in order. Weekdays and month-days are resolved against
    the publication date of the article that gives them; a sentence without a resolvable
    date is not a timeline entry."""
    entries: dict[str, TimelineEntry] = {}
    for a in articles:
        published = _day(a.page.published)
        for s in a.sentences:
            if '"' in s.text or "\u201c" in s.text:
                continue  # quotes are not events
            when = resolve_date(s.text, published)
            if when is None or len(s.text.split()) > 45:
                continue
            if when in entries:
                continue
            cites = aligner.supporting(s.text) or [Citation(a.id, s.id)]
            d = _DATELINE.match(s.text)  # a source's dateline left on its first sentence
            text = s.text[d.end() :] if d and len(s.text) > d.end() else s.text
            entries[when] = TimelineEntry(when, text, tuple(cites))
    # A date-only entry repeats a timed one on the same day when they tell of the same thing.
    timed = [e for e in entries.values() if "T" in e.date]
    for when, e in list(entries.items()):
        if "T" not in when and any(
            t.date.startswith(when) and len(_terms(t.text) & _terms(e.text)) >= 3 for t in timed
        ):
            del entries[when]
    ordered = sorted(entries.values(), key=lambda e: e.date)
    if len(ordered) <= limit:
        return ordered
    # Keep the most corroborated entries, still in date order.
    keep = sorted(ordered, key=lambda e: -len({c.article for c in e.citations}))[:limit]
    return sorted(keep, key=lambda e: e.date)


def _terms(text: str) -> set[str]:
    from ..textutil import content_terms

    return set(content_terms(text))


def resolve_date(text: str, published: date | None) -> str | None:
    """ISO date (with time when a clock time is given) for the first date in ``text``."""
    day: date | None = None
    m = _MONTH_DAY.search(text)
    if m:
        month = _MONTH_NUM[m.group(1).lower()[:3]]
        year = int(m.group(3)) if m.group(3) else (published.year if published else None)
        if year is None:
            return None
        try:
            day = date(year, month, int(m.group(2)))
        except ValueError:
            return None
        if published and not m.group(3) and (published - day).days > 180:
            day = day.replace(year=day.year + 1)  # "due Jan. 15" written in November
        anchor = m
    elif published and (w := _WEEKDAY.search(text)):
        # The most recent such weekday on or before publication, unless the sentence looks
        # ahead ("will", "next"), then the next one.
        target = _WEEKDAY_NUM[w.group(1).lower()]
        delta = (published.weekday() - target) % 7
        ahead = re.search(r"\b(will|next|is scheduled|are scheduled|plans? to)\b", text)
        day = published + timedelta(days=(7 - delta) % 7 if ahead else -delta)
        anchor = w
    else:
        y = _YEAR.search(text)
        return y.group(1) if y else None
    # A clock time belongs to the date only when written next to it ("3:40 p.m. Tuesday",
    # "Tuesday at 3:40 p.m."), not elsewhere in the sentence.
    c = next(
        (c for c in _CLOCK.finditer(text)
         if c.end() <= anchor.start() and anchor.start() - c.end() <= 5
         or c.start() >= anchor.end() and c.start() - anchor.end() <= 5),
        None,
    )  # fmt: skip
    if c:
        hour = int(c.group(1)) % 12 + (12 if c.group(3) == "p" else 0)
        return f"{day.isoformat()}T{hour:02d}:{int(c.group(2) or 0):02d}"
    return day.isoformat()


# --- sections ------------------------------------------------------------------------------

_NEXT = re.compile(
    r"\b(will (?:vote|meet|hold|decide|reopen|resume|begin|start|open|return|consider|hear|"
    r"release|publish|review)|is expected to|are expected to|is scheduled|are scheduled|"
    r"plans to|plan to|next week|next month|later this (?:week|month|year)|is set to|are set to|"
    r"deadline)\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(in (?:19|20)\d{2}|since (?:19|20)\d{2}|(?:19|20)\d{2} (?:inspection|study|report)|"
    r"was built|was founded|dates (?:from|back)|first (?:studied|proposed|opened)|"
    r"previously|last year|years ago|decades?|has long|had long|history)\b",
    re.IGNORECASE,
)


def section_of(text: str) -> str:
    """ "whats_next", "background" or "body", from cue words outside quotations."""
    outside = re.sub(r'"[^"]*"|\u201c[^\u201d]*\u201d', " ", normalize(text))
    if _NEXT.search(outside):
        return "whats_next"
    if _BACKGROUND.search(outside):
        return "background"
    return "body"
