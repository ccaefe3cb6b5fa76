"""What every model engine shares: the prompt, the answer, the gate and the fallback.

A model engine (``openai``, ``llamacpp``) only knows how to send chat messages and return
the answer's text (a ``ChatBackend``). Everything else happens here, the same for all:

1. **Prompt.** The model sees numbered source sentences (``[a2.s14] ...``), chosen by
   salience to fit its context window, in article order, with each article's outlet and
   date, today's date, and rules: write only what the sentences say, cite the ids each
   sentence rests on, no chatter. A cluster too long for one prompt is done in stages: the
   model first picks the sentences that matter from each chunk, then writes from those.
2. **Answer.** A JSON object (``ANSWER_SCHEMA``): a headline and sections, each sentence with
   the ids it rests on. Code fences, trailing commas and an answer cut off at the token limit
   are repaired; a shape that is almost right is accepted (a headline given as a string, a
   flat list of sentences). An answer with nothing usable is retried with the parse error
   told to the model.
3. **Citations.** Ids the model gives are kept only when they exist and share content with
   the sentence; source sentences that state it are added (``align.Aligner``).
4. **Gate.** The verifier judges every sentence (``gate``). An unsupported or contradicted
   sentence is replaced by the source sentence it paraphrases, used verbatim as the offline
   engine would, or dropped; chatter is always dropped. Everything the model wrote is either
   published with a ``supported`` verdict or listed in ``Story.dropped`` with the reason.
5. **Fallback.** When the model gives nothing usable after its retries, or the verifier
   rejects all it wrote, the offline engine's story is published; ``Story.notes`` says so and
   why, ``Story.dropped`` keeps what the model wrote (its raw answer, section ``"engine"``,
   when nothing in it could be read), and ``progress`` gets a warning. A story the model
   wrote gets a note too: which model, and how many of its sentences were published,
   replaced and dropped.

Errors (see ``EngineError``): no server, unknown model, a missing key or a missing model
file stop the run with a one-line message, since every story would fail the same way. A slow
or garbled answer only costs that story its model text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from ..align import Aligner, SourceSentence
from ..config import Settings
from ..errors import NewsdistillError
from ..models import Article, Citation, Dropped, Story, StorySentence
from ..textutil import content_terms, normalize, word_count
from .offline import WriteOptions, trim, write_story

Progress = Callable[[str], None]
Messages = list[dict[str, str]]
Verify = Callable[[Story], Story]


# --- errors -----------------------------------------------------------------------------------


class EngineError(NewsdistillError):
    """A model engine cannot run at all: no server at the URL, unknown model, missing key,
    missing package or model file. One line, saying what to do; the run stops (exit 1)."""


class TransientError(Exception):
    """One request failed in a way that may pass on retry: a timeout, HTTP 429 or 5xx, a
    connection dropped mid-answer. After the last retry the story falls back to offline."""


class UnusableAnswer(Exception):
    """The model answered, but nothing in the answer can be used; ``raw`` is the answer."""

    def __init__(self, reason: str, raw: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


class ChatBackend(Protocol):
    """What an engine provides: send messages, get the answer's text."""

    def chat(self, messages: Messages, *, schema: dict[str, Any] | None, max_tokens: int,
             progress: Progress | None) -> str: ...  # fmt: skip

    def count_tokens(self, text: str) -> int: ...


class Ticker:
    """Progress while a model works: every ``every`` seconds, from a background thread, how
    long it has taken and how many pieces of answer have arrived (a CPU model can think for a
    minute before its first token). Use as a context manager; set ``received`` as text comes."""

    def __init__(self, progress: Progress | None, label: str, every: float = 10.0) -> None:
        import threading

        self.progress = progress
        self.label = label
        self.every = every
        self.received = 0
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if self.progress:
                waited = time.monotonic() - self.started
                what = f"{self.received} tokens so far" if self.received else "reading the prompt"
                self.progress(f"{self.label}: {what} ({waited:.0f} s)")

    def __enter__(self) -> Ticker:
        if self.progress:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def estimate_tokens(text: str) -> int:
    """Tokens of English news text, over- rather than under-counted, for an endpoint whose
    tokenizer we cannot ask. Gemma 3's and Qwen2.5's tokenizers both give 4.4 characters per
    token on tests/fixtures/events (measured 2026-11-22); 3.5 leaves room for tokenizers
    with smaller vocabularies and for the chat template."""
    return int(len(text) / 3.5) + 1


# --- what the model sees ----------------------------------------------------------------------

# The grammar-constrained engines (llama.cpp) enforce the bounds: they stop a small model
# from answering "..." or repeating sections until it runs out of tokens (gemma-3-270m did
# both before these bounds). Ids have the form the prompt shows.
_IDS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": "^a[0-9]+[.]s[0-9]+$"},
    "minItems": 1,
    "maxItems": 4,
}
_SENTENCE: dict[str, Any] = {
    "type": "object",
    "properties": {"text": {"type": "string", "minLength": 20, "maxLength": 400}, "ids": _IDS},
    "required": ["text", "ids"],
    "additionalProperties": False,
}
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "headline": {
            "type": "object",
            "properties": {
                "text": {"type": "string", "minLength": 15, "maxLength": 150},
                "ids": _IDS,
            },
            "required": ["text", "ids"],
            "additionalProperties": False,
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "maxItems": 5,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 40},
                    "sentences": {
                        "type": "array",
                        "items": _SENTENCE,
                        "minItems": 1,
                        "maxItems": 4,
                    },
                },
                "required": ["name", "sentences"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["headline", "sections"],
    "additionalProperties": False,
}

SELECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ids": {"type": "array", "items": {"type": "string"}}},
    "required": ["ids"],
    "additionalProperties": False,
}

SYSTEM = """You are a news editor. You write a short news story using ONLY the numbered \
source sentences you are given.
Rules:
1. Every sentence you write states only what the source sentences whose ids you list with \
it say. Add nothing from memory: no name, title, number, date or place that those sentences \
do not contain.
2. Copy numbers, names and dates exactly. Put words in quotation marks only when a source \
has exactly those words in quotation marks.
3. Keep the meaning exact: keep "not", "may", "plans to", "is considering", "alleged"; a \
warrant is not an arrest, a proposal is not a decision.
4. When sources give different figures for the same thing, say so and name the outlet of \
each figure.
5. Attribute claims and opinions to whoever made them ("police said").
6. Write news prose only: no greeting, no note to the reader, no comment about the sources \
or about this task. Do not copy the list of articles or today's date into the story: \
today's date only tells you how old the news is; write dates as the sources give them.
Answer with one JSON object and nothing else, in this form:
{"headline": {"text": HEADLINE, "ids": IDS},
 "sections": [{"name": "lede", "sentences": [{"text": SENTENCE, "ids": IDS}]},
              {"name": TOPIC, "sentences": [{"text": SENTENCE, "ids": IDS}, \
{"text": SENTENCE, "ids": IDS}]}]}
HEADLINE is a short factual headline in sentence case. Each SENTENCE is one sentence you \
write. IDS lists the bracketed ids of the source sentences it rests on, such as \
["a2.s4", "a3.s1"]. TOPIC names what a section is about in one or two words.
The first section is the lede: one or two sentences saying who, what, when and where. Then \
two to four short sections, one per sub-topic."""

SELECT_SYSTEM = """You are a news editor choosing which source sentences matter most for a \
short news story about one event. Answer with one JSON object and nothing else: \
{"ids": ["a1.s1", ...]} listing the ids of the most newsworthy sentences, most important \
first."""

REPAIR = """Your answer could not be used: {error}. Answer again with only the JSON object \
in the form given, citing only the ids shown in brackets."""


@dataclass(frozen=True)
class Prompt:
    """The messages for one call, and the ids the model was shown."""

    messages: Messages
    ids: frozenset[str]


def salience(articles: Sequence[Article], aligner: Aligner, query: str | None = None) -> np.ndarray:
    """How much each source sentence (``aligner.items`` order) belongs in the story.

    Without a query, the offline engine's signals: similarity to the centroid of all articles
    (each article weighted equally), with a bonus for coming early in its article, where
    reporters put what matters. With a query, similarity to the query comes first.
    """
    items = aligner.items
    if not items:
        return np.zeros(0)
    m = aligner.space.matrix([i.sentence.text for i in items])
    owner = np.array([articles.index(i.article) for i in items])
    per_article = [m[owner == k].mean(axis=0) for k in range(len(articles)) if (owner == k).any()]
    centroid = np.mean(per_article, axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    centrality = m @ centroid
    if query:
        return np.asarray(m @ aligner.space.matrix([query])[0] + 0.2 * centrality)
    position = np.array([i.sentence.index for i in items], dtype=np.float32)
    return np.asarray(centrality / np.sqrt(1.0 + position / 2.0))


def _line(item: SourceSentence) -> str:
    return f"[{item.sentence.id}] {normalize(item.sentence.text)}"


def _article_line(a: Article) -> str:
    date = (a.page.published or "undated")[:10]
    outlet = ", ".join(a.outlets) or a.page.source
    return f"{a.id}: {outlet}, {date}: {normalize(a.page.title)!r}"


def select(
    articles: Sequence[Article],
    aligner: Aligner,
    budget: int,
    count: Callable[[str], int],
    query: str | None = None,
) -> list[SourceSentence]:
    """The most salient source sentences that fit ``budget`` tokens, in article order.

    The budget includes the line naming each article a sentence comes from. Without a
    query, each article's first sentence is taken first (it usually holds the
    who/what/when/where), then the rest by salience.
    """
    scores = salience(articles, aligner, query)
    order = sorted(
        range(len(aligner.items)),
        key=lambda k: (not query and aligner.items[k].sentence.index != 0, -scores[k]),
    )
    return _fit([aligner.items[k] for k in order], aligner, budget, count)


def _fit(
    ranked: Sequence[SourceSentence], aligner: Aligner, budget: int, count: Callable[[str], int]
) -> list[SourceSentence]:
    """The first of ``ranked`` that fit ``budget`` tokens, with the lines naming their
    articles, in article order."""
    chosen: list[SourceSentence] = []
    seen: set[int] = set()
    shown: set[str] = set()
    used = 0
    for item in ranked:
        cost = count(_line(item)) + 1
        if item.article.id not in shown:
            cost += count(_article_line(item.article)) + 1
        if id(item) in seen or used + cost > budget:
            continue
        chosen.append(item)
        seen.add(id(item))
        shown.add(item.article.id)
        used += cost
    index = {id(i): k for k, i in enumerate(aligner.items)}
    return sorted(chosen, key=lambda i: index[id(i)])


def build_prompt(
    articles: Sequence[Article],
    sentences: Sequence[SourceSentence],
    words: int,
    today: dt.date,
    query: str | None = None,
) -> Prompt:
    """The messages asking the model to write a story from ``sentences``; only the articles
    they come from are listed."""
    used = {s.article.id for s in sentences}
    listed = "\n".join(_article_line(a) for a in articles if a.id in used)
    focus = f"The story answers this question: {query}\n" if query else ""
    user = (
        f"Today is {today.isoformat()}.\n\n"
        f"Articles about the event:\n{listed}\n\n"
        "Source sentences:\n" + "\n".join(_line(s) for s in sentences) + "\n\n"
        f"{focus}Write the story in about {words} words, in JSON as instructed."
    )
    return Prompt(
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
        frozenset(s.sentence.id for s in sentences),
    )


def build_select_prompt(sentences: Sequence[SourceSentence], keep: int) -> Prompt:
    """The messages asking the model to pick the ``keep`` sentences that matter most."""
    user = (
        "Source sentences:\n" + "\n".join(_line(s) for s in sentences) + "\n\n"
        f"List the ids of the {keep} most newsworthy sentences, in JSON as instructed."
    )
    return Prompt(
        [{"role": "system", "content": SELECT_SYSTEM}, {"role": "user", "content": user}],
        frozenset(s.sentence.id for s in sentences),
    )


# --- reading the answer -----------------------------------------------------------------------

_ID = re.compile(r"\ba\d+\.s\d+\b")
_INLINE_IDS = re.compile(r"\s*[\[(](?:\s*(?:ids?:?\s*)?a\d+\.s\d+\s*[,;]?\s*)+[\])]")
# List markers, emphasis, and a copied id or article label ("[a1.s3] ", "a2: ").
_MARKUP = re.compile(
    r"^\s*(?:[-*•#>]+\s*|\d+[.)]\s+|\[a\d+(?:\.s\d+)?\]:?\s*|a\d+(?:\.s\d+)?:\s+)+|\*\*|__|`",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^\s*(headline|title|lede|lead|body|story|summary)\s*:\s*", re.IGNORECASE)
_LEAD_IN = re.compile(r"^([^.:!?]{0,120}):\s+(?=\S)")


@dataclass(frozen=True)
class Drafted:
    """One sentence as the model wrote it, after clean-up, with the ids it gave."""

    text: str
    section: str  # "headline", "lede", "body"
    paragraph: int
    ids: tuple[str, ...]
    raw: str  # the text as the model wrote it


@dataclass
class Answer:
    """A parsed answer: its sentences, and what was removed while reading it."""

    headline: Drafted | None
    sentences: list[Drafted]
    removed: list[Dropped] = field(default_factory=list)
    unknown_ids: int = 0


def extract_json(text: str) -> Any:
    """The JSON value in a model's answer: code fences, text around the object, trailing
    commas and an answer cut off at the token limit are repaired. ``ValueError`` when no
    JSON object can be recovered."""
    s = re.sub(r"<think>.*?(</think>|$)", "", text, flags=re.DOTALL).strip()
    fence = re.search(r"```(?:json)?\s*(.*?)(?:```|$)", s, re.DOTALL)
    if fence and "{" in fence.group(1):
        s = fence.group(1)
    start = s.find("{")
    if start < 0:
        raise ValueError("no JSON object in the answer")
    s = s[start:]
    end = s.rfind("}")
    candidates = [s[: end + 1]] if end >= 0 else []
    candidates.append(s)
    for c in candidates:
        for variant in (c, re.sub(r",\s*([}\]])", r"\1", c)):
            try:
                # strict=False: raw newlines inside strings, which grammar-constrained
                # small models write, are accepted.
                return json.loads(variant, strict=False)
            except json.JSONDecodeError:
                pass
    closed = _close_truncated(s)
    if closed is not None:
        return closed
    raise ValueError("the answer is not valid JSON")


def _close_truncated(s: str) -> Any:
    """Parse an answer cut off mid-way by closing what is open, keeping the longest prefix
    that ends after a complete value."""
    stack: list[str] = []
    in_str = esc = False
    cuts: list[tuple[int, str]] = []  # (position after a complete value, closers needed)
    for i, ch in enumerate(s):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack:
                break
            stack.pop()
            cuts.append((i + 1, "".join(reversed(stack))))
            if not stack:
                break
    for pos, closers in reversed(cuts[-200:]):
        body = re.sub(r",\s*$", "", s[:pos])
        try:
            return json.loads(body + closers, strict=False)
        except json.JSONDecodeError:
            continue
    return None


def _ids_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return _ID.findall(value)
    if isinstance(value, list):
        return [i for v in value for i in _ids_of(v)]
    return []


def _sentence_items(value: Any) -> list[tuple[str, list[str]]]:
    """(text, ids) pairs from the shapes models give: objects, strings, nested lists."""
    out: list[tuple[str, list[str]]] = []
    if isinstance(value, str):
        out.append((value, []))
    elif isinstance(value, list):
        for v in value:
            out.extend(_sentence_items(v))
    elif isinstance(value, dict):
        text = next(
            (value[k] for k in ("text", "sentence", "content") if isinstance(value.get(k), str)),
            None,
        )
        ids: Any = next((value[k] for k in ("ids", "citations", "sources", "id") if k in value), [])
        if text is not None:
            out.append((text, _ids_of(ids)))
        else:
            for k in ("sentences", "paragraphs", "body"):
                if k in value:
                    out.extend(_sentence_items(value[k]))
    return out


def _sections(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    if isinstance(data.get("sections"), list):
        out = []
        for n, sec in enumerate(data["sections"]):
            name = str(sec.get("name", "")) if isinstance(sec, dict) else ""
            out.append((name or ("lede" if n == 0 else "body"), _sentence_items(sec)))
        return out
    out = []
    if "lede" in data:
        out.append(("lede", _sentence_items(data["lede"])))
    for key in ("body", "sentences", "paragraphs", "story"):
        if key in data:
            out.append(("body", _sentence_items(data[key])))
    return out


def clean_text(text: str) -> str:
    """Model text without markup, labels and inline id markers; whitespace normalised."""
    text = _INLINE_IDS.sub("", text)
    text = _MARKUP.sub("", text)
    text = text.replace("**", "").replace("`", "")
    text = _LABEL.sub("", text)
    return normalize(text).strip(" -")


def strip_chatter(text: str, is_chatter: Callable[[str], bool]) -> str | None:
    """``text`` without a chatty lead-in ("Sure! Here is the story: ..."), or ``None`` when
    the whole sentence is chatter. What remains still goes to the verifier."""
    m = _LEAD_IN.match(text)
    if m and is_chatter(m.group(1) + ":"):
        text = text[m.end() :]
    opener = re.match(r"(?:sure|certainly|of course|absolutely|okay|ok)[,!.]\s+", text, re.I)
    if opener:
        text = text[opener.end() :]
    if not text or is_chatter(text):
        return None
    return text[0].upper() + text[1:]


_SECTION_NAMES = {
    "lede": "lede",
    "lead": "lede",
    "reaction": "reaction",
    "reactions": "reaction",
    "background": "background",
    "whats next": "whats_next",
    "what's next": "whats_next",
    "what is next": "whats_next",
    "next steps": "whats_next",
}


def _section_name(name: str, n: int) -> str:
    """The story section for a section the model named: the first is the lede, names the
    story anatomy knows keep their meaning, any other sub-topic is body."""
    if n == 0:
        return "lede"
    return _SECTION_NAMES.get(" ".join(name.lower().replace("_", " ").split()), "body")


def _not_a_statement(text: str | None, section: str) -> str | None:
    """Why a piece of the answer is not a news sentence, or None when it is one."""
    if text is None:
        return "not_news: assistant chatter or meta text"
    if section == "headline":
        return None
    if word_count(text) < 3:
        return "not a sentence (fewer than 3 words)"
    end = text.rstrip("\"'\u201d\u2019)")[-1:]
    if end == "?":
        # Sources ask questions in promotional asides ("Interested in ...?"); a story states.
        return "not_news: a question, not a statement"
    if end not in (".", "!"):
        # An answer cut off at max_tokens, or a fragment; the verifier matches terms, not
        # grammar, so a fragment of a source sentence could pass it.
        return "not a complete sentence"
    return None


def parse_answer(raw: str, allowed: frozenset[str], is_chatter: Callable[[str], bool]) -> Answer:
    """Read a model's answer into sentences; ``UnusableAnswer`` when none is usable."""
    from ..sentences import split_sentences

    try:
        data = extract_json(raw)
    except ValueError as exc:
        raise UnusableAnswer(str(exc), raw) from None
    if not isinstance(data, dict):
        raise UnusableAnswer("the answer is JSON but not an object", raw)
    answer = Answer(None, [])

    def take(text: str, ids: list[str], section: str, paragraph: int) -> list[Drafted]:
        known = [i for i in dict.fromkeys(ids + _ID.findall(text)) if i in allowed]
        answer.unknown_ids += len(set(ids) - allowed)
        cleaned = clean_text(text)
        parts = (
            [s.text for s in split_sentences(cleaned, "m")] if section != "headline" else [cleaned]
        )
        out = []
        for part in parts:
            kept = strip_chatter(part, is_chatter)
            why = _not_a_statement(kept, section)
            if why:
                answer.removed.append(Dropped(part, section, why))
            else:
                assert kept is not None
                out.append(Drafted(kept, section, paragraph, tuple(known), text))
        return out

    head = data.get("headline") or data.get("title")
    head_items = _sentence_items(head) if head is not None else []
    if head_items:
        drafted = take(head_items[0][0], head_items[0][1], "headline", 0)
        answer.headline = drafted[0] if drafted else None
    paragraph = 0
    for n, (name, items) in enumerate(_sections(data)):
        section = _section_name(name, n)
        if section != "lede":
            paragraph += 1
        for text, ids in items:
            answer.sentences.extend(take(text, ids, section, 0 if section == "lede" else paragraph))
    if not answer.sentences:
        why = ""
        if answer.removed:
            common = Counter(d.reason for d in answer.removed).most_common(1)[0][0]
            why = f" ({len(answer.removed)} removed, e.g. {common})"
        raise UnusableAnswer(f"no news sentence in the answer{why}", raw)
    return answer


def parse_selection(raw: str, allowed: frozenset[str]) -> list[str]:
    """Ids picked in a selection answer, in the model's order; lenient (any id in the text)."""
    return [i for i in dict.fromkeys(_ID.findall(raw)) if i in allowed]


# --- citations and the gate -------------------------------------------------------------------

# A model-given id is kept as a citation when the cited sentence holds at least this share of
# the sentence's weighted terms: weak models cite neighbouring or random ids, and a citation
# that shares nothing with its sentence misleads a reader checking it.
CITE_MIN = 0.2
# A rejected sentence is replaced by the source sentence holding this share of its weighted
# terms: the model was most likely paraphrasing that sentence.
REPLACE_MIN = 0.45
# Two story sentences this similar (TF-IDF cosine) say the same thing; the later one goes.
REPEAT = 0.8


def cite(
    text: str, ids: Sequence[str], aligner: Aligner, min_recall: float = 0.6
) -> list[Citation]:
    """Citations for a sentence: the model's ids that share content with it, plus every
    source sentence that states it, in source order."""
    by_id = {i.sentence.id: i for i in aligner.items}
    terms = content_terms(text)
    found = [
        by_id[i].citation
        for i in ids
        if i in by_id and aligner.space.recall(terms, set(by_id[i].terms)) >= CITE_MIN
    ]
    found += aligner.supporting(text, min_recall=min_recall)
    order = {item.citation: k for k, item in enumerate(aligner.items)}
    return sorted(set(found), key=order.__getitem__)


def to_story(answer: Answer, offline: Story, engine: str) -> Story:
    """A ``Story`` of the model's sentences with their citations (not yet verified).

    The parts of the story anatomy that are verbatim source spans (dateline, key facts,
    quotes, timeline) come from the offline engine's story of the same articles; the model
    writes the headline and the text. Repeated sentences and chatter removed while reading go
    to ``dropped``.
    """
    articles = offline.articles
    aligner = Aligner(articles)
    space = aligner.space
    sentences: list[StorySentence] = []
    dropped = list(answer.removed)
    vectors: list[np.ndarray] = []
    for d in answer.sentences:
        v = space.matrix([d.text])[0]
        if any(float(v @ u) >= REPEAT for u in vectors):
            dropped.append(Dropped(d.text, d.section, "repeats an earlier sentence", ()))
            continue
        vectors.append(v)
        sentences.append(
            StorySentence(d.text, d.section, cite(d.text, d.ids, aligner), d.paragraph)
        )
    if sentences and sentences[0].section != "lede":
        sentences[0].section, sentences[0].paragraph = "lede", 0
    if answer.headline is not None:
        h = answer.headline
        text = sentence_case(h.text, articles)
        headline = StorySentence(text, "headline", cite(text, h.ids, aligner, min_recall=0.5))
    else:
        headline = offline.headline
    return replace(offline, headline=headline, sentences=sentences, engine=engine, dropped=dropped)


def sentence_case(headline: str, articles: Sequence[Article]) -> str:
    """A Title Case headline ("Central Bank Cuts Rate") in sentence case, keeping the
    capitals of words the sources capitalise mid-sentence (names) and of acronyms.

    Models like Title Case headlines; the verifier reads a capitalised word as a name that
    the sources must contain, so "Cuts" would fail a true headline. Only case changes.
    """
    words = headline.split()
    rest = [w for w in words[1:] if w[:1].isalpha()]
    if len(rest) < 2 or sum(w[:1].isupper() for w in rest) < 0.6 * len(rest):
        return headline
    names: set[str] = set()
    for a in articles:
        for s in a.sentences:
            names.update(w.strip(_PUNCT) for w in s.text.split()[1:] if w[:1].isupper())

    def case(part: str) -> str:
        core = part.strip(_PUNCT)
        if (
            not core[:1].isupper()
            or core in names
            or core.isupper()
            or any(c.isdigit() for c in core)
        ):
            return part
        return part.replace(core, core[0].lower() + core[1:], 1)

    def word(w: str) -> str:  # each part of "Quarter-Point" on its own
        return w if w.strip(_PUNCT) in names else "-".join(case(p) for p in w.split("-"))

    first, *hyphened = words[0].split("-")
    head = "-".join([first, *(case(p) for p in hyphened)])
    return " ".join([head, *(word(w) for w in words[1:])])


_PUNCT = ".,;:!?\"'()[]\u201c\u201d\u2018\u2019"


def _usable_source(text: str) -> bool:
    n = word_count(text)
    return 6 <= n <= 60 and text.rstrip()[-1:] in {".", '"', "\u201d", "!", "'"}


def gate(
    story: Story, articles: list[Article], verify: Verify, offline: Story | None = None
) -> Story:
    """Let only supported sentences through.

    ``verify`` judges every sentence (``verify.verify_story``). Each rejected sentence is
    replaced by the source sentence it most resembles, verbatim (a leading connective
    trimmed, as the offline engine does), unless that says what the story already says;
    otherwise it is dropped. A rejected headline is replaced by the offline engine's. The
    result is verified again, so a replacement is published only with a ``supported``
    verdict. Sentences without citations are not published.
    """
    before = len(story.dropped)
    checked = verify(story)
    rejected = {(d.text, d.section): d for d in checked.dropped[before:]}
    aligner = Aligner(articles)
    kept_texts = [s.text for s in checked.sentences]
    taken = {c for s in checked.sentences for c in s.citations}

    out: list[StorySentence] = []
    dropped = list(story.dropped)
    kept = {(s.text, s.section): s for s in checked.sentences}
    for s in story.sentences:
        verdict = rejected.get((s.text, s.section))
        if verdict is None:
            if (s.text, s.section) in kept:
                out.append(_with_evidence(kept[(s.text, s.section)]))
            continue
        swap = _replacement(s.text, aligner, kept_texts, taken)
        reason = verdict.reason
        if swap is not None and not verdict.reason.startswith("not_news"):
            src = swap.citation
            taken.add(src)
            kept_texts.append(swap.sentence.text)
            text = trim(swap.sentence.text)
            cites = aligner.supporting(text)
            out.append(
                StorySentence(
                    text, s.section, cites if src in cites else [src, *cites], s.paragraph
                )
            )
            reason += f"; replaced by source sentence {src.sentence}"
        dropped.append(replace(verdict, reason=reason))

    headline = story.headline
    if (story.headline.text, "headline") in rejected:
        dropped.append(rejected[(story.headline.text, "headline")])
        headline = (offline or write_story(articles)).headline
    # Sentences verified once are judged the same again; replacements are judged for the
    # first time here. verify() appends only what it rejects now.
    final = verify(replace(story, headline=headline, sentences=out, dropped=dropped))
    published = []
    for s in final.sentences:
        s = _with_evidence(s)
        if s.citations:
            published.append(s)
        else:
            final.dropped.append(Dropped(s.text, s.section, "no source sentence to cite", ()))
    if published and published[0].section != "lede":
        published[0] = replace(published[0], section="lede", paragraph=0)
    return replace(final, sentences=published)


def _with_evidence(s: StorySentence) -> StorySentence:
    """Add the verdict's evidence to the citations: what the verifier found is a source."""
    if s.verdict is None:
        return s
    extra = [e.citation for e in s.verdict.evidence if not e.citation.sentence.endswith(".title")]
    cites = list(dict.fromkeys([*s.citations, *extra]))
    return replace(s, citations=cites) if cites != s.citations else s


def _replacement(
    text: str, aligner: Aligner, kept: list[str], taken: set[Citation]
) -> SourceSentence | None:
    space = aligner.space
    kept_m = space.matrix(kept) if kept else None
    for recall, item in aligner.scored(text)[:5]:
        if recall < REPLACE_MIN:
            break
        if item.citation in taken or not _usable_source(item.sentence.text):
            continue
        if (
            kept_m is not None
            and float((kept_m @ space.matrix([item.sentence.text])[0]).max()) >= 0.45
        ):
            continue
        return item
    return None


# --- the whole write --------------------------------------------------------------------------


@dataclass
class EngineRun:
    """What happened when a model wrote one story: for the JSON record and benchmarks."""

    engine: str
    model: str
    seconds: float = 0.0
    calls: int = 0
    attempts: int = 0
    source_sentences: int = 0  # shown to the model in the final prompt
    written: int = 0  # sentences the model wrote (headline included)
    published: int = 0  # of those, published as written
    replaced: int = 0  # replaced by a source sentence
    rejected: int = 0  # not published as written (replaced or dropped)
    fallback: str | None = None  # why the offline story was published instead
    raw: str = ""  # the model's last answer


def default_verify() -> Verify:
    """The project's verifier (``newsdistill.verify.verify_story``), on the story index that
    the final gate uses too (``verify.story_verifier``), so it is built once per story."""
    from ..verify import story_verifier

    return story_verifier()


def default_is_chatter() -> Callable[[str], bool]:
    from ..verify import is_chatter

    return is_chatter


class ModelWriter:
    """Writes stories with a model behind a ``ChatBackend``, gated by the verifier."""

    def __init__(
        self,
        engine: str,
        backend: ChatBackend,
        settings: Settings,
        progress: Progress | None = None,
        verify: Verify | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.settings = settings
        self.progress = progress
        self.verify = verify or default_verify()
        self.is_chatter = default_is_chatter()
        self.today = today
        self.runs: list[EngineRun] = []
        self.sleep: Callable[[float], None] = time.sleep

    def _say(self, msg: str) -> None:
        if self.progress:
            self.progress(msg)

    def write(self, articles: list[Article], options: WriteOptions | None = None) -> Story:
        """One verified story; the offline story, with the reason recorded, when the model
        gives nothing usable. ``EngineError`` when the engine cannot run at all."""
        options = options or WriteOptions()
        run = EngineRun(self.engine, self.settings.model or "")
        self.runs.append(run)
        started = time.monotonic()
        offline = write_story(articles, options)
        try:
            story = self._write(articles, options, offline, run)
        finally:
            run.seconds = time.monotonic() - started
        if run.fallback is None:
            note = (
                f"written by {self.settings.describe()} in {run.seconds:.0f} s; the verifier "
                f"published {run.published} of the {run.written} sentences it wrote, "
                f"{run.replaced} were replaced by the source sentence they paraphrased and "
                f"{run.rejected - run.replaced} dropped (listed under dropped)"
            )
            story.notes.append(note)
            self._say(note)
        return story

    def _write(
        self, articles: list[Article], options: WriteOptions, offline: Story, run: EngineRun
    ) -> Story:
        aligner = Aligner(articles)
        s = self.settings
        count = self.backend.count_tokens
        # The system message, the user message's frame and the chat template's tokens.
        instructions = count(SYSTEM) + count(options.query or "") + 80
        budget = s.context - s.max_tokens - instructions
        if budget < 200:
            raise EngineError(
                f"context {s.context} leaves too little room for source sentences with "
                f"max_tokens {s.max_tokens}; raise context or lower max_tokens"
            )
        label = f"{self.settings.describe()}: story about {normalize(offline.headline.text)[:60]!r}"
        shown = self._choose(articles, aligner, budget, count, label, run, options.query)
        run.source_sentences = len(shown)
        today = self.today or dt.date.today()
        prompt = build_prompt(articles, shown, options.words, today, options.query)
        try:
            answer = self._ask_story(prompt, label, run)
        except (UnusableAnswer, TransientError) as exc:
            return self._fallback(offline, run, str(exc), getattr(exc, "raw", run.raw))
        story = to_story(answer, offline, self.engine)
        written = [(d.text, d.section) for d in answer.sentences]
        if answer.headline is not None:
            written.append((answer.headline.text, "headline"))
        gated = gate(story, articles, self.verify, offline)
        published = {(x.text, x.section) for x in [*gated.sentences, gated.headline]}
        run.written = len(written) + len(answer.removed)
        run.published = sum(w in published for w in written)
        run.replaced = sum("replaced by source sentence" in d.reason for d in gated.dropped)
        run.rejected = run.written - run.published
        if not any((x.text, x.section) in written for x in gated.sentences):
            why = "the verifier rejected every sentence the model wrote"
            return self._fallback(offline, run, why, run.raw, gated.dropped)
        return gated

    def _fallback(
        self, offline: Story, run: EngineRun, why: str, raw: str, dropped: Sequence[Dropped] = ()
    ) -> Story:
        run.fallback = why
        note = (
            f"fallback: {self.settings.describe()}: {why}; the offline engine's story is published"
        )
        self._say("warning: " + note)
        kept = list(dropped)
        if raw.strip() and not kept:
            # What the model wrote, when nothing of it could be read as sentences.
            kept.append(Dropped(raw[:4000], "engine", "the model's answer, unusable: " + why))
        return self.verify(replace(offline, dropped=kept, notes=[*offline.notes, note]))

    def _call(
        self,
        prompt: Prompt | Messages,
        schema: dict[str, Any],
        max_tokens: int,
        label: str,
        run: EngineRun,
    ) -> str:
        """One chat call with retries and exponential backoff on transient failures."""
        messages = prompt.messages if isinstance(prompt, Prompt) else prompt
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            run.calls += 1
            try:
                return self.backend.chat(
                    messages, schema=schema, max_tokens=max_tokens, progress=self.progress
                )
            except TransientError as exc:
                if attempt == self.settings.retries:
                    raise
                self._say(f"{label}: {exc}; retrying in {delay:g} s")
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _ask_story(self, prompt: Prompt, label: str, run: EngineRun) -> Answer:
        """Ask for the story; an unusable answer is retried with the error told to the model."""
        messages = list(prompt.messages)
        last: UnusableAnswer | None = None
        for attempt in range(self.settings.retries + 1):
            run.attempts += 1
            self._say(f"{label}: the model is writing ({len(prompt.ids)} source sentences)")
            raw = self._call(messages, ANSWER_SCHEMA, self.settings.max_tokens, label, run)
            run.raw = raw
            try:
                return parse_answer(raw, prompt.ids, self.is_chatter)
            except UnusableAnswer as exc:
                last = exc
                self._say(f"{label}: unusable answer ({exc.reason}); attempt {attempt + 1}")
                messages = [
                    *prompt.messages,
                    {"role": "assistant", "content": raw[:2000]},
                    {"role": "user", "content": REPAIR.format(error=exc.reason)},
                ]
        assert last is not None
        tries = f"{run.attempts} attempt" + ("s" if run.attempts > 1 else "")
        raise UnusableAnswer(
            f"the model gave nothing usable after {tries}: {last.reason}", last.raw
        )

    def _choose(
        self,
        articles: list[Article],
        aligner: Aligner,
        budget: int,
        count: Callable[[str], int],
        label: str,
        run: EngineRun,
        query: str | None = None,
    ) -> list[SourceSentence]:
        """The sentences the model writes from: all when they fit, else chosen in stages."""
        everything = sum(count(_line(i)) + 1 for i in aligner.items)
        fit = select(articles, aligner, budget, count, query)
        if everything <= budget or self.settings.stages == 0:
            return fit
        # Stage 1: the model picks from chunks of the most salient sentences; the final
        # prompt gets its picks first, then the most salient of the rest, within budget.
        pool = select(articles, aligner, budget * self.settings.stages, count, query)
        chunks = _chunks(pool, budget, count)[: self.settings.stages]
        keep = max(3, len(fit) // max(1, len(chunks)))
        picked: list[str] = []
        for n, chunk in enumerate(chunks, 1):
            prompt = build_select_prompt(chunk, keep)
            self._say(f"{label}: stage {n}/{len(chunks)}, choosing from {len(chunk)} sentences")
            try:
                raw = self._call(
                    prompt, SELECT_SCHEMA, min(400, self.settings.max_tokens), label, run
                )
            except TransientError as exc:
                self._say(f"{label}: stage {n} failed ({exc}); using salience for that chunk")
                continue
            picked += parse_selection(raw, prompt.ids)[:keep]
        by_id = {i.sentence.id: i for i in pool}
        return _fit([by_id[i] for i in dict.fromkeys(picked)] + fit, aligner, budget, count)


def _chunks(
    items: list[SourceSentence], budget: int, count: Callable[[str], int]
) -> list[list[SourceSentence]]:
    out: list[list[SourceSentence]] = [[]]
    used = 0
    for item in items:
        cost = count(_line(item)) + 1
        if out[-1] and used + cost > budget:
            out.append([])
            used = 0
        out[-1].append(item)
        used += cost
    return out
