"""Atoms of meaning in one sentence: quantities, dates, names, quotes and cue words.

The verifier (``verify.py``) does not trust word overlap alone: "12 injured" and "15 injured"
share every word but the one that matters. These pure helpers pull out the parts of a
sentence whose change changes the news: quantities with their unit ("12 injured",
"$2 million"), dates and years, capitalised names, quotations, and negation, modality and
stance cue words. Everything is regular expressions and small word lists; no downloaded data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .textutil import NUMBER_WORDS, STOPWORDS, normalize, stem

# --- tokens ---------------------------------------------------------------------------------

TOKEN_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}|(?P<code>[A-Z][A-Za-z]*-?\d+[A-Za-z0-9]*(?:-\d+)?)"
    r"|[$£€¥]|\d+(?:,\d{3})*(?:\.\d+)?%?|[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|[.;:!?,]"
)
# A capitalised word fused with digits is a designation, not a count: "A320", "G7", "V8",
# "COVID-19", "F-35", "H5N1". These prefixes on a year are dates, though ("Mid-2024").
_CODE_NOT = frozenset({"mid", "pre", "post", "early", "late", "since", "until", "by", "in"})
# Words after which a bare number names something rather than counting it ("Flight 370",
# "Category 4 hurricane", "Article 5").
DESIGNATORS = frozenset(
    """flight route gate platform terminal room category level phase stage article chapter
    section grade type model series version number bus highway junction""".split()
)


@dataclass(frozen=True)
class Token:
    """One token of a normalised sentence."""

    text: str  # as written
    lower: str
    stem: str
    pos: int  # index in the sentence's token list


# Titles written with a full stop ("Dr. Piet Varga"): the stop is not a sentence's end.
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "prof", "gen", "col", "lt", "sgt", "rev", "st"})


def tokens(text: str) -> list[Token]:
    """Tokens of ``text`` after ``textutil.normalize`` (words, numbers, currency, stops; the
    stop after a title such as "Dr." is left out)."""
    out: list[Token] = []
    for m in TOKEN_RE.finditer(normalize(text)):
        t = m.group(0)
        if t == "." and out and out[-1].lower in _TITLES:
            continue
        if m.group("code"):
            head = re.match(r"[A-Za-z]+", t)
            lead = head.group(0).lower() if head else ""
            # "Mid-2024", "May-2025", "FY2024": a year with a word fused on, not a code.
            if lead in _CODE_NOT or lead in MONTHS or lead in _MONTH_ABBR or lead == "fy":
                for part in TOKEN_RE.finditer(re.sub(r"(?<=[A-Za-z])-?(?=\d)", " ", t)):
                    pt = part.group(0)
                    out.append(Token(pt, pt.lower(), stem(pt.lower()), len(out)))
                continue
        lw = t.lower()
        if lw.endswith("n't"):  # "didn't" -> "did" + "not", so negation is one cue
            if len(lw) > 3:
                out.append(Token(t[:-3], lw[:-3], stem(lw[:-3]), len(out)))
            out.append(Token("not", "not", "not", len(out)))
            continue
        if lw.endswith("'s") and len(lw) > 2:
            lw_base = lw[:-2]
            out.append(Token(t[:-2], lw_base, stem(lw_base), len(out)))
            continue
        out.append(Token(t, lw, stem(lw) if t[0].isalpha() else lw, len(out)))
    return out


# --- quantities -----------------------------------------------------------------------------

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_CURRENCY_WORDS = {
    "dollar": "$",
    "dollars": "$",
    "usd": "$",
    "euro": "€",
    "euros": "€",
    "eur": "€",
    "pound": "£",
    "pounds": "£",
    "gbp": "£",
    "yen": "¥",
}
_PERCENT_WORDS = {"percent", "per cent", "%", "percentage"}
# The unit of "percentage points" (and "points" after a rate).
POINTS = "pp"
_POINTS = frozenset({"point", "points"})
# Words that can stand between a number and its noun without changing what is counted.
_UNIT_SKIP = {
    "more",
    "than",
    "about",
    "nearly",
    "almost",
    "some",
    "other",
    "additional",
    "further",
    "new",
    "of",
    "the",
    "its",
    "their",
    "his",
    "her",
    "our",
}
_AUX = {"were", "was", "are", "have", "had", "been", "being", "who", "reportedly", "also"}
# Words that count the same injured: "12 people were hurt" and "12 people were injured" are
# one figure. (Deaths are left as written: "four dead" and "four people died" are told
# apart by the update rules, which the planted suite checks.)
_SAME_COUNT = {"hurt": "injur", "wound": "injur"}
# Words after a number that say it is part of a date, not a count.
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH_ABBR = {m[:3]: i for m, i in MONTHS.items()} | {"sept": 9}
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}


@dataclass(frozen=True)
class Quantity:
    """A number with what it counts: value 2e6, currency "$", unit "" for "$2 million"."""

    value: float
    unit: str  # stem of the counted noun or participle ("injur", "truck"), "%" or ""
    currency: str  # "$", "£", "€", "¥" or ""
    text: str
    context: frozenset[str] = frozenset()  # stems of the words around the number
    # "min" for "at least 4", "max" for "up to 4" and "nearly 4": a bound is not a
    # disagreement with a value inside it. "approx" for "about 4".
    bound: str = ""
    # "earlier" for a figure the sentence marks as superseded ("initially estimated at",
    # "had earlier reported"), "revised" for one it marks as an update ("rose to", "revised
    # ... to", "now"). A change over time is not a disagreement between sources.
    stage: str = ""
    # Token span of the figure in its sentence ("$2.33 billion": the "$" to "billion"; the
    # unit word after it is not included), -1 when unknown: what it is the figure of is
    # read from the words next to it.
    pos: int = -1
    end: int = -1

    def within(self, other: Quantity) -> bool:
        """True when ``other``'s value lies inside this quantity's bound."""
        if self.bound == "min":
            return other.value >= self.value
        if self.bound == "max":
            return other.value <= self.value
        return False

    def same_kind(self, other: Quantity) -> bool:
        """True when both count the same thing, so different values conflict."""
        if self.currency or other.currency:
            return self.currency == other.currency and self.unit == other.unit
        return bool(self.unit) and self.unit == other.unit

    def same_value(self, other: Quantity) -> bool:
        return abs(self.value - other.value) <= 1e-9 * max(1.0, abs(self.value))

    def matches(self, other: Quantity) -> bool:
        """Same value, same currency, and ``other`` counts the same thing: its unit, or a
        word near it, is this one's unit ("12 injured" ~ "injuring 12 people")."""
        if not self.same_value(other) or self.currency != other.currency:
            return False
        if (self.unit == "%") != (other.unit == "%"):
            return False
        if POINTS in (self.unit, other.unit):
            # "0.5 points" is the "0.5 percentage points" of a rate; "0.5%" is not
            return {self.unit, other.unit} <= {POINTS, "point", ""}
        return (
            not self.unit or not other.unit or self.unit == other.unit or self.unit in other.context
        )


def number_value(tok: Token) -> float | None:
    if tok.lower in NUMBER_WORDS:
        return float(NUMBER_WORDS[tok.lower])
    if tok.text[0].isdigit():
        try:
            return float(tok.text.rstrip("%").replace(",", ""))
        except ValueError:
            return None
    return None


def is_year(tok: Token) -> bool:
    """A bare four-digit number from 1800 to 2199 reads as a year."""
    return bool(re.fullmatch(r"(18|19|20|21)\d\d", tok.text))


def quantities(toks: list[Token]) -> list[Quantity]:
    """Quantities with their unit, e.g. "12 injured", "$2 million", "3 trucks", "40%".

    Years, days of a month ("May 3") and clock times are dates, not quantities. In a range
    ("12 to 15 injured", "between 12 and 15 people") both ends get the unit that follows.
    """
    out: list[Quantity] = []
    pending: list[tuple[float, str, int]] = []  # range starts waiting for their unit
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        value = number_value(tok)
        if (
            value is None
            or is_year(tok)
            or _is_date_number(toks, i)
            or _is_clock(toks, i)
            or is_designation(toks, i)
        ):
            i += 1
            continue
        currency = toks[i - 1].text if i > 0 and toks[i - 1].text in "$£€¥" else ""
        j = i + 1
        if tok.lower == "dozen" or (j < n and toks[j].lower == "dozen"):
            value = 12.0 if tok.lower == "dozen" else value * 12
            j += 1 if tok.lower != "dozen" else 0
        if j < n and toks[j].lower in _SCALES and (toks[j].lower not in {"m"} or currency):
            value *= _SCALES[toks[j].lower]
            j += 1
        unit = "%" if tok.text.endswith("%") else ""
        if (
            not unit
            and j + 1 < n
            and toks[j].lower == "percentage"
            and toks[j + 1].lower in _POINTS
        ):
            # "0.5 percentage points" is a difference of two rates, not 0.5% of anything
            unit, j = POINTS, j + 2
        if not unit and j < n and toks[j].lower in _PERCENT_WORDS:
            unit, j = "%", j + 1
        if not unit and j < n and toks[j].lower in _CURRENCY_WORDS and not currency:
            currency, j = _CURRENCY_WORDS[toks[j].lower], j + 1
        # "12 to 15 injured": remember 12, give it the unit found after 15. Not "by 0.25%
        # to 3.5%" or "by 2 to 14": a change and the level it led to.
        changed = i > 0 and toks[i - 1].lower == "by"
        if (
            not unit
            and not changed
            and j + 1 < n
            and toks[j].lower in {"to", "and", "or", "-"}
            and number_value(toks[j + 1])
        ):
            pending.append((value, currency, i))
            i = j + 1
            continue
        # The counted noun is part of the figure as written ("12 people"); a word after a
        # percentage or currency is not ("5% in May", "2 million euros in bribes").
        noun = not unit and j < n and _is_word(toks[j])
        if not unit:
            unit = _unit_after(toks, j)
        start = i - 1 if currency and i > 0 and toks[i - 1].text in "$£€¥" else i
        text = as_written(toks[start : j + 1 if noun else j])
        context = frozenset(t.stem for t in toks[max(0, i - 4) : j + 5])
        bound, stage = _bound(toks, start, j), _stage(toks, start)
        for v, cur, k in pending:
            out.append(Quantity(v, unit, cur or currency, text, context, bound, stage, k, j))
        pending = []
        out.append(Quantity(value, unit, currency, text, context, bound, stage, start, j))
        i = j
    for v, cur, k in pending:
        out.append(Quantity(v, "", cur, toks[k].text, pos=k, end=k + 1))
    return out


_MIN_BEFORE = (
    "at least|more than|over|upwards of|in excess of|no fewer than|no less than|not less than|"
    "a minimum of"
).split("|")
_MAX_BEFORE = (
    "up to|at most|fewer than|less than|under|no more than|a maximum of|nearly|almost|just under"
).split("|")
# "about 2,000": neither more nor less, so "more than 2,000" is not what the source says.
_APPROX_BEFORE = "about|around|roughly|approximately|some|an estimated|close to".split("|")
_EARLIER = frozenset("initially originally earlier previously initial original preliminary".split())
# An update names its new figure after "to": "rose to 7", "revised its estimate ... to $8
# million" ("rose 5%" is a change, and two outlets' changes can disagree).
# After "earlier"/"previously", these make a time phrase ("earlier this week", "earlier on
# Tuesday", "previously in 2024") that dates the event rather than marking a superseded figure.
_WHEN_WORDS = frozenset(
    """this that today tonight on in at last week month year day morning afternoon evening
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_REVISED = frozenset(
    """revised revises revise rose risen rises climbed climbs increased updated raised lowered
    jumped grew grown cut reduced""".split()
)


def as_written(toks: list[Token]) -> str:
    """ "$2 million", "12 people": tokens joined, without a space after a currency sign or
    punctuation at the end."""
    out = ""
    for t in toks:
        out += t.text if not out or out[-1] in "$£€¥" else " " + t.text
    return out.rstrip(" .,;:!?")


def _bound(toks: list[Token], start: int, end: int) -> str:
    before = " ".join(t.lower for t in toks[max(0, start - 3) : start])
    if any(before.endswith(p) for p in _MIN_BEFORE):
        return "min"
    if any(before.endswith(p) for p in _MAX_BEFORE):
        return "max"
    if any(before.endswith(p) for p in _APPROX_BEFORE):
        return "approx"
    after = " ".join(t.lower for t in toks[end : end + 4])
    if " or more" in f" {after}":
        return "min"
    return ""


def _stage(toks: list[Token], start: int) -> str:
    """ "earlier" or "revised" when words before the figure, in its sentence, say so."""
    to_before = start > 0 and toks[start - 1].lower == "to"
    for k in range(start - 1, max(-1, start - 16), -1):
        w = toks[k].lower
        if toks[k].text in ".;:!?":
            break
        if w in _EARLIER:
            if k + 1 < len(toks) and toks[k + 1].lower in _WHEN_WORDS:
                continue  # "Earlier this week, the fire injured 12": when, not an old figure
            return "earlier"
        if (w in _REVISED and to_before) or (w == "now" and start - k <= 3):
            return "revised"
    return ""


def is_designation(toks: list[Token], i: int) -> bool:
    """A number that names rather than counts: "Flight 370", "Category 4", "Article 5"."""
    return (
        i > 0
        and toks[i - 1].lower in DESIGNATORS
        and toks[i].text.isdigit()
        and (toks[i - 1].text[0].isupper() or toks[i - 1].lower != "number")
    )


def is_code(tok: Token) -> bool:
    """ "A320", "G7", "COVID-19": letters fused with digits name a model, group or disease."""
    return tok.text[0].isalpha() and any(c.isdigit() for c in tok.text)


def _unit_after(toks: list[Token], j: int) -> str:
    """Stem of the noun or participle a number counts: "12 people were injured" -> "injur"."""
    k = j
    while k < len(toks) and k < j + 4 and (toks[k].lower in _UNIT_SKIP or is_code(toks[k])):
        k += 1
    if k >= len(toks) or not _is_word(toks[k]):
        return ""
    if toks[k].lower != "people":
        return _SAME_COUNT.get(toks[k].stem, toks[k].stem)
    k += 1  # "12 people were injured": what happened to them says more than "people"
    while k < len(toks) and toks[k].lower in _AUX:
        k += 1
    if k < len(toks) and _is_word(toks[k]) and toks[k].text[0].islower():
        return _SAME_COUNT.get(toks[k].stem, toks[k].stem)
    return "peopl"


def _is_word(tok: Token) -> bool:
    return (
        tok.text[0].isalpha()
        and tok.lower not in STOPWORDS
        and tok.lower not in NUMBER_WORDS
        and tok.lower not in MODALS
    )


def _is_date_number(toks: list[Token], i: int) -> bool:
    """ "May 3", "3 May", "March 12th"."""
    before = toks[i - 1].lower if i > 0 else ""
    after = toks[i + 1].lower if i + 1 < len(toks) else ""
    return _month(before) is not None or (
        _month(after) is not None and toks[i + 1].text[0].isupper()
    )


def _is_clock(toks: list[Token], i: int) -> bool:
    after = toks[i + 1].lower if i + 1 < len(toks) else ""
    return after in {"a.m", "p.m", "am", "pm", "a", "p", "o'clock", "gmt", "utc", "bst"}


def _month(word: str) -> int | None:
    w = word.lower().rstrip(".")
    if w in MONTHS:
        return MONTHS[w]
    return _MONTH_ABBR.get(w) if len(w) in (3, 4) and w != "may" else None


# --- dates ----------------------------------------------------------------------------------

_MAY_BEFORE = {
    "in",
    "of",
    "since",
    "until",
    "by",
    "early",
    "late",
    "mid",
    "last",
    "next",
    "on",
    "from",
}


@dataclass(frozen=True)
class DateMention:
    """One date atom where the sentence states it: ("year", "2032") at token 9, "late 2032"."""

    kind: str  # "year", "month", "day" or "weekday"
    value: str
    pos: int  # index of the token in the sentence
    text: str  # as written, with a leading "early", "late" or "mid"


def dates(toks: list[Token]) -> set[tuple[str, str]]:
    """Dates as (kind, value): ("year", "2024"), ("decade", "1960s"), ("month", "5"),
    ("day", "5-3"), ("weekday", "2"). "May" counts as a month only where it cannot be the modal verb."""
    return {(d.kind, d.value) for d in date_mentions(toks)}


_DATE_MODIFIERS = frozenset({"early", "late", "mid", "end", "spring", "summer", "autumn", "winter"})


def date_mentions(toks: list[Token]) -> list[DateMention]:
    """The dates of ``dates`` with where they stand, for comparing one fact across sources."""
    out: list[DateMention] = []

    def add(kind: str, value: str, i: int) -> None:
        mod = toks[i - 1].text + " " if i > 0 and toks[i - 1].lower in _DATE_MODIFIERS else ""
        out.append(DateMention(kind, value, i, mod + toks[i].text))

    for i, tok in enumerate(toks):
        if is_year(tok):
            if i + 1 < len(toks) and toks[i + 1].text in {"s", "'s"}:
                # "the 1960s": a decade, which 1968 falls in, not the year 1960
                add("decade", tok.text + "s", i)
            else:
                add("year", tok.text, i)
            continue
        m = _month(tok.lower)
        if m is not None and tok.text[0].isupper():
            if tok.lower == "may":
                before = toks[i - 1].lower if i > 0 else ""
                after = toks[i + 1].text if i + 1 < len(toks) else ""
                if not (after[:1].isdigit() or before in _MAY_BEFORE):
                    continue
            add("month", str(m), i)
            nxt = toks[i + 1].text if i + 1 < len(toks) else ""
            prev = toks[i - 1].text if i > 0 else ""
            day = (
                nxt
                if re.fullmatch(r"\d{1,2}", nxt)
                else prev
                if re.fullmatch(r"\d{1,2}", prev)
                else ""
            )
            if day:
                add("day", f"{m}-{int(day)}", i)
        elif tok.lower in WEEKDAYS and tok.text[0].isupper():
            add("weekday", str(WEEKDAYS[tok.lower]), i)
    return out


_SEASONS = {"winter": "winter", "spring": "spring", "summer": "summer", "autumn": "autumn",
            "fall": "autumn"}  # fmt: skip
_DAY_PARTS = {"morning": "morning", "afternoon": "afternoon", "evening": "evening",
              "night": "night", "overnight": "night", "tonight": "night"}  # fmt: skip
# Words before "fall" that make it the season ("last fall"), not the verb or "the fall of".
_SEASON_BEFORE = frozenset({"last", "this", "next", "early", "late"})


def times_of(toks: list[Token]) -> set[tuple[str, str]]:
    """Seasons and parts of the day a sentence names, as (kind, value): ("season",
    "winter"), ("part of day", "morning"). Kept apart from ``dates``: they say when
    within a date, and a source that gives none leaves the claim's unchecked."""
    out: set[tuple[str, str]] = set()
    for i, tok in enumerate(toks):
        w = tok.lower
        if w in _SEASONS and (w != "fall" or (i > 0 and toks[i - 1].lower in _SEASON_BEFORE)):
            out.add(("season", _SEASONS[w]))
        elif w in _DAY_PARTS:
            out.add(("part of day", _DAY_PARTS[w]))
    return out


# --- names ----------------------------------------------------------------------------------

# Capitalised words that are not names of anyone or anywhere.
_NOT_NAMES = (
    STOPWORDS
    | set(MONTHS)
    | set(WEEKDAYS)
    | {
        "i",
        "a",
        "an",
        "the",
        "mr",
        "mrs",
        "ms",
        "dr",
        "it",
        "in",
        "on",
        "at",
        "but",
        "and",
        "monday",
        "breaking",
        "update",
        "news",
        "today",
        "yesterday",
        "tomorrow",
    }
)


def names(toks: list[Token], known: frozenset[str] = frozenset()) -> set[str]:
    """Stems of capitalised words that name people, places and organisations.

    A sentence's first word is a name only when ``known`` (stems seen capitalised in the middle
    of a source sentence) has it, or when it starts a run of capitalised words: "Officials
    said" is not a name, "Geneva hosted" and "Brenwald Polymers said" are.
    """
    out: set[str] = set()
    first = True
    for k, tok in enumerate(toks):
        if tok.text in ".;:!?":
            first = True
            continue
        capitalised = tok.text[0].isupper() and tok.text[0].isalpha()
        if (
            capitalised
            and tok.lower not in _NOT_NAMES
            and (not first or tok.stem in known or (_starts_name(toks, k) and not _prefixed(tok)))
        ):
            out.add(tok.stem)
        elif is_code(tok) or (tok.text.isdigit() and is_designation(toks, tok.pos)):
            out.add(tok.stem)  # "A320" and "Flight 370" name things like names do
        if tok.text[0].isalnum() or tok.text in "$£€¥":
            first = False
    return out


def _prefixed(tok: Token) -> bool:
    """ "Ex-mayor", "Anti-government": a hyphenated word whose later part is lower case is a
    word with a prefix, not a name ("Okonkwo-Hale")."""
    head, _, rest = tok.text.partition("-")
    return bool(head and rest) and rest[0].islower()


def _starts_name(toks: list[Token], k: int) -> bool:
    """The word after ``toks[k]`` is a capitalised word that can be a name: ``toks[k]``
    opens a name of several words ("Brenwald Polymers", "Port Ellery")."""
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    return (
        nxt is not None
        and nxt.text[0].isupper()
        and nxt.text[0].isalpha()
        and nxt.lower not in _NOT_NAMES
    )


def name_stems_midsentence(toks: list[Token]) -> set[str]:
    """Stems of capitalised words that are not the first word: evidence they are names."""
    out: set[str] = set()
    for k, tok in enumerate(toks):
        if k == 0 or toks[k - 1].text in '.;:!?"':
            continue
        if tok.text[0].isupper() and tok.lower not in _NOT_NAMES:
            out.add(tok.stem)
    return out


# --- quotations -----------------------------------------------------------------------------

_QUOTE_RE = re.compile(r'"([^"]{3,}?)"')


def quotes(text: str) -> list[str]:
    """Quoted passages of two words or more, normalised (straight quotes, single spaces).

    Single-word scare quotes are left to the word checks."""
    out = []
    for m in _QUOTE_RE.finditer(normalize(text)):
        q = m.group(1).strip(" ,.")
        if len(q.split()) >= 2:
            out.append(q)
    return out


def split_quoted(text: str) -> tuple[str, str]:
    """The words inside quotation marks and the words outside them ('"It is a step in the
    right direction," said Joris Kemper' -> ("It is a step in the right direction,", "said
    Joris Kemper")). A quotation that runs over several sentences leaves one mark in each:
    one at the start opens a quotation that runs to the end ('"We are looking carefully.'),
    one later closes a quotation that began before ('That will take time," he said.')."""
    text = normalize(text).strip()
    inside = [m.group(1) for m in _QUOTE_RE.finditer(text)]
    outside = _QUOTE_RE.sub(" ", text)
    if outside.count('"') == 1:
        at = outside.index('"')
        if not outside[:at].strip():
            inside.append(outside[at + 1 :])
            outside = ""
        else:
            inside.append(outside[:at])
            outside = outside[at + 1 :]
    return " ".join(inside), outside


def quote_key(text: str) -> str:
    """What must match verbatim: the text with typographic quotes and spacing unified, and
    the punctuation at the ends (which the quoting sentence may move) dropped."""
    return normalize(text).replace('"', "").strip(" ,.;:").lower()


# --- cue words ------------------------------------------------------------------------------

NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "without",
        "cannot",
        "unable",
    ]
)
# Words that turn a fact into a possibility, a plan or a prediction.
MODALS = frozenset(
    [
        "may",
        "might",
        "could",
        "would",
        "will",
        "should",
        "shall",
        "can",
        "plan",
        "plans",
        "planned",
        "planning",
        "expect",
        "expects",
        "expected",
        "expecting",
        "considering",
        "propose",
        "proposes",
        "proposed",
        "proposal",
        "intend",
        "intends",
        "intended",
        "aim",
        "aims",
        "likely",
        "possible",
        "possibly",
        "potential",
        "potentially",
        "seek",
        "seeks",
        "hope",
        "hopes",
        "want",
        "wants",
        "threaten",
        "threatens",
        "threatened",
        "set",
        "poised",
        "allegedly",
        "alleged",
    ]
)
# What kind of unreality each cue expresses. A possibility ("may", "could", "considering") is
# not a plan or a forecast ("plans to", "will", "expected to"), and neither is a fact.
_POSSIBLE = frozenset(
    """may might could can possible possibly potential potentially considering""".split()
)
_OBLIGED = frozenset({"should"})
_ALLEGED = frozenset({"allegedly", "alleged"})


def modal_class(word: str) -> str:
    """ "possible", "obliged", "alleged" or "intended" (plans, forecasts, the future)."""
    w = word.lower()
    if w in _POSSIBLE:
        return "possible"
    if w in _OBLIGED:
        return "obliged"
    if w in _ALLEGED:
        return "alleged"
    return "intended"


# Of these, the ones that are also ordinary words only count before a verb-like word.
_WEAK_MODALS = frozenset({"can", "set", "aim", "aims", "want", "wants", "hope", "hopes"})

# Pairs of words whose exchange reverses or changes the event. Stems are compared.
_OPPOSITES_TEXT = """
accept reject; accepted rejected; approve reject; approved rejected; confirm deny;
confirmed denied; admit deny; admitted denied; win lose; won lost; rise fall; rose fell;
increase decrease; increased decreased; increase cut; raise cut; raised cut; raised lowered;
open close; opened closed; guilty innocent; convicted acquitted; before after; above below;
more fewer; more less; higher lower; gain loss; gained lost; allow ban; allowed banned;
support oppose; supported opposed; agree disagree; agreed refused; lift impose; lifted imposed;
release detain; released detained; arrest warrant; arrested warrant; killed injured;
dead injured; died injured; killed wounded; north south; east west; first last; ally rival;
praise criticise; praised criticised; praised criticized; resign appoint; resigned appointed;
start end; started ended; began ended; include exclude; included excluded; majority minority;
success failure; succeeded failed; strengthen weaken; expand shrink; expanded shrank;
up down; inside outside; domestic foreign; public private; minimum maximum; buy sell;
bought sold; import export; imported exported; launched cancelled; launched canceled;
passed failed; ruling opposition; victory defeat; defeated lost; largest smallest;
oldest youngest; full partial; permanent temporary; legal illegal; voluntary mandatory;
charged acquitted; evacuated returned; suspended resumed; condemned welcomed; rejected welcomed;
increase reduce; increased reduced; increase lower; raise reduce; raised reduced; boost cut;
boosted cut; grow shrink; growth decline; rising falling; high low; highest lowest;
cheap expensive; cheaper costlier; easy difficult; easier harder; simple complex; strong weak;
stronger weaker; positive negative; good bad; better worse; best worst; long short;
longer shorter; fast slow; faster slower; many few; early late; earlier later; safe dangerous;
profit loss; benefit harm; advantage disadvantage; improve worsen; improved worsened;
hired fired; enter exit; available unavailable; possible impossible; likely unlikely;
successful unsuccessful; efficient inefficient; accurate inaccurate; complete incomplete;
same different; wide narrow; rich poor; hot cold; warm cold; wet dry; happy unhappy; happy sad;
pleased angry; optimistic pessimistic; remembered forgot; lend borrow; lent borrowed;
offence defence; attacked defended; approve veto; approved vetoed; upheld overturned;
signed vetoed; ratified rejected; legalise ban; legalize ban; prohibit permit;
prohibited permitted; increased dropped; surplus deficit; employer employee; buyer seller;
landlord tenant; winner loser; plaintiff defendant
"""
OPPOSITES: dict[str, set[str]] = {}
for _pair in _OPPOSITES_TEXT.replace("\n", " ").split(";"):
    _a, _b = (stem(w) for w in _pair.split())
    OPPOSITES.setdefault(_a, set()).add(_b)
    OPPOSITES.setdefault(_b, set()).add(_a)


# What happened to the people a figure counts. "Four passengers died ... and 11 others were
# injured": the four are dead, the eleven hurt, and a summary that says "four passengers were
# injured" has the figure right and the news wrong. Stems and word forms; one meaning each.
_FATES = {
    "dead": frozenset("kill died dies die dy dying dead death fatal perish".split()),
    "injured": frozenset("injur hurt wound".split()),
    "missing": frozenset("missing miss unaccounted".split()),
}
_FATE_OF = {w: fate for fate, ws in _FATES.items() for w in ws}
# How far from the figure its fate word may be, in tokens ("4 people were later confirmed
# killed": 4 words after the figure's unit).
_FATE_REACH = 5


# Words that end the clause a figure's fate is read in: "four were killed and eleven were
# hurt" (the eleven were hurt, not killed); "four passengers who were injured later died"
# (a relative clause says something else about them).
_CLAUSE_ENDS = frozenset(
    {"and", "but", "while", "whereas", "who", "whom", "which", "that", ",", ";", ".", ":"}
)


def fate_class(word: str) -> str | None:
    """ "dead", "injured" or "missing" for a word (stem or word form) that says so."""
    return _FATE_OF.get(word)


def fate(toks: list[Token], q: Quantity, qs: Sequence[Quantity] = ()) -> str | None:
    """What happened to the people ``q`` counts ("dead", "injured", "missing"): the fate
    word nearest the figure within a few tokens and in its clause ("killed four passengers",
    "four passengers died", "30 injured"; in "four were killed and eleven were hurt" the
    eleven were hurt). A fate word beyond another figure of ``qs`` is that figure's ("two of
    the 30 injured"). None when there is none, or two different ones are equally near."""
    if q.pos < 0:
        return None
    # The figure is toks[pos:end]; toks[end] is the word after it (its unit, when it has one).
    figures = {k for o in qs if o is not q and o.pos >= 0 for k in range(o.pos, o.end)}
    best: dict[int, set[str]] = {}
    for k in range(max(0, q.pos - _FATE_REACH), min(len(toks), q.end + _FATE_REACH)):
        if q.pos <= k < q.end:
            continue
        found = fate_class(toks[k].stem) or fate_class(toks[k].lower)
        if found is None:
            continue
        between = toks[k + 1 : q.pos] if k < q.pos else toks[q.end : k]
        span = range(k + 1, q.pos) if k < q.pos else range(q.end, k)
        if any(t.lower in _CLAUSE_ENDS for t in between) or figures.intersection(span):
            continue
        distance = q.pos - k if k < q.pos else k - q.end + 1
        best.setdefault(distance, set()).add(found)
    if not best:
        return None
    nearest = best[min(best)]
    return next(iter(nearest)) if len(nearest) == 1 else None


# Verbs that deny what follows them: "refused to concede" is "did not concede".
_NEGATING_VERBS = frozenset(
    "refuse refused refuses refusing decline declined declines declining fail failed fails "
    "failing".split()
)


def negation_positions(toks: list[Token]) -> list[int]:
    return [
        t.pos
        for k, t in enumerate(toks)
        if t.lower in NEGATIONS
        or (t.lower in _NEGATING_VERBS and k + 1 < len(toks) and toks[k + 1].lower == "to")
    ]


def modal_positions(toks: list[Token]) -> list[int]:
    """Positions of modality cues ("may", "plans to", "expected to", "considering")."""
    out = []
    for k, t in enumerate(toks):
        if t.lower not in MODALS or (t.text == "May" and k > 0):
            continue
        before_to = k + 1 < len(toks) and toks[k + 1].lower == "to"
        if t.lower in _WEAK_MODALS and t.lower != "can" and not before_to:
            continue
        if t.lower == "set" and not (k + 1 < len(toks) and toks[k + 1].lower == "to"):
            continue
        out.append(k)
    return out


def opposite_of(stem_: str) -> set[str]:
    return OPPOSITES.get(stem_, set())


# Irregular past forms, so that "built" meets "build" and "held" meets "hold" in cue checks.
IRREGULAR = dict(
    pair.split(":")
    for pair in [
        "built:build",
        "rebuilt:rebuild",
        "held:hold",
        "met:meet",
        "knew:know",
        "known:know",
        "lost:lose",
        "won:win",
        "fell:fall",
        "fallen:fall",
        "rose:rise",
        "risen:rise",
        "sold:sell",
        "bought:buy",
        "left:leave",
        "took:take",
        "taken:take",
        "gave:give",
        "given:give",
        "made:make",
        "found:find",
        "told:tell",
        "ran:run",
        "began:begin",
        "begun:begin",
        "brought:bring",
        "caught:catch",
        "kept:keep",
        "led:lead",
        "paid:pay",
        "sent:send",
        "spent:spend",
        "struck:strike",
        "thought:think",
        "wrote:write",
        "written:write",
        "shot:shoot",
        "fled:flee",
        "sought:seek",
        "chose:choose",
        "chosen:choose",
        "drove:drive",
        "driven:drive",
        "flew:fly",
        "flown:fly",
        "spoke:speak",
        "spoken:speak",
        "stole:steal",
        "stolen:steal",
        "broke:break",
        "broken:break",
        "hid:hide",
        "withdrew:withdraw",
        "withdrawn:withdraw",
        "overturned:overturn",
    ]
)
