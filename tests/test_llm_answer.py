"""Model engines without a model: the prompt, reading answers, citations and the gate.

The gate runs with the project's real verifier (``verify.verify_story``) on fixture articles
about one fictional factory fire; the answers are written here to contain exactly the faults
weak models make (invented numbers, chatter, wrong ids, broken JSON).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from newsdistill.align import Aligner
from newsdistill.models import Article, Story, StorySentence
from newsdistill.pipeline import Options, load_pages, make_articles
from newsdistill.verify import is_chatter, verify_story
from newsdistill.write.llm import (
    ANSWER_SCHEMA,
    UnusableAnswer,
    build_prompt,
    cite,
    estimate_tokens,
    extract_json,
    gate,
    parse_answer,
    select,
    strip_chatter,
    to_story,
)
from newsdistill.write.offline import write_story

EVENTS = Path(__file__).parent / "fixtures" / "events"


@pytest.fixture(scope="module")
def fire() -> list[Article]:
    pages, skipped = load_pages(sorted(str(p) for p in EVENTS.glob("e05-*.txt")), Options())
    assert not skipped
    return make_articles(pages)


@pytest.fixture(scope="module")
def offline(fire: list[Article]) -> Story:
    return write_story(fire)


def ids(articles: list[Article]) -> frozenset[str]:
    return frozenset(s.id for a in articles for s in a.sentences)


def said(text: str, *cited: str) -> dict[str, object]:
    return {"text": text, "ids": list(cited)}


def answer_json(headline: object, *sections: tuple[str, list[object]]) -> str:
    return json.dumps(
        {"headline": headline, "sections": [{"name": n, "sentences": s} for n, s in sections]}
    )


def sid(articles: list[Article], needle: str) -> str:
    [found] = [s.id for a in articles for s in a.sentences if needle in s.text]
    return found


# --- the prompt ---------------------------------------------------------------------------


def test_prompt_shows_numbered_sentences_in_article_order_within_budget(
    fire: list[Article],
) -> None:
    aligner = Aligner(fire)
    chosen = select(fire, aligner, 600, estimate_tokens)
    every = len(aligner.items)
    assert 5 < len(chosen) < every
    lines = sum(estimate_tokens(f"[{s.sentence.id}] {s.sentence.text}") + 1 for s in chosen)
    assert lines + 4 * 25 <= 600  # each of the 4 articles' lines costs about 25 tokens
    # Every article's opening sentence is shown: it carries who/what/when/where.
    assert {a.sentences[0].id for a in fire} <= {s.sentence.id for s in chosen}
    order = [s.citation for s in chosen]
    positions = {item.citation: k for k, item in enumerate(aligner.items)}
    assert order == sorted(order, key=positions.__getitem__)

    prompt = build_prompt(fire, chosen, 200, dt.date(2026, 5, 9))
    system, user = (m["content"] for m in prompt.messages)
    assert "ONLY the numbered source sentences" in system and "no note to the reader" in system
    assert "Today is 2026-05-09." in user
    assert "a2: Meridian Wire Service, 2026-05-06" in user
    for s in chosen:
        assert f"[{s.sentence.id}] " in user
    assert prompt.ids == {s.sentence.id for s in chosen}
    assert "about 200 words" in user


# --- reading answers ----------------------------------------------------------------------


def test_json_is_recovered_from_fences_prose_trailing_commas_and_truncation() -> None:
    assert extract_json('Sure!\n```json\n{"a": [1, 2,],}\n```\nThanks') == {"a": [1, 2]}
    assert extract_json('<think>{maybe}</think> {"a": 1}') == {"a": 1}
    whole = answer_json(said("H"), ("lede", [said("One.", "a1.s1"), said("Two is cut off")]))
    cut = whole[: whole.index(" cut")]
    assert extract_json(cut) == {
        "headline": {"text": "H", "ids": []},
        "sections": [{"name": "lede", "sentences": [{"text": "One.", "ids": ["a1.s1"]}]}],
    }
    with pytest.raises(ValueError):
        extract_json("The fire injured three people.")


def test_chatter_is_stripped_from_the_front_and_chatter_sentences_removed() -> None:
    assert strip_chatter("Sure! The fire was under control by noon.", is_chatter) == (
        "The fire was under control by noon."
    )
    assert strip_chatter("Here is the summary: three workers were hurt.", is_chatter) == (
        "Three workers were hurt."
    )
    assert strip_chatter("Let me know if you need any clarification.", is_chatter) is None
    assert (
        strip_chatter("Police said: the road is closed.", is_chatter)
        == "Police said: the road is closed."
    )


def test_answer_sentences_are_cleaned_split_and_keep_only_ids_that_were_shown(
    fire: list[Article],
) -> None:
    allowed = ids(fire)
    raw = answer_json(
        "**Headline:** Fire injures workers at Kestrelford factory",
        ("lede", [said("A fire injured three workers [a2.s1]. It started at 2 a.m.", "a9.s9")]),
        ("Reactions", ["- Residents called for a public meeting."]),
        ("What's next", [said("I hope this helps!")]),
        ("Extra", ["Interested in cheaper fuel options?", "The shifting landscape, influenced by"]),
    )
    answer = parse_answer(raw, allowed, is_chatter)
    assert answer.headline is not None
    assert answer.headline.text == "Fire injures workers at Kestrelford factory"
    texts = [(d.text, d.section, d.ids) for d in answer.sentences]
    assert texts == [
        ("A fire injured three workers.", "lede", ("a2.s1",)),
        ("It started at 2 a.m.", "lede", ("a2.s1",)),
        ("Residents called for a public meeting.", "reaction", ()),
    ]
    assert answer.unknown_ids == 1
    assert [(d.text, d.reason) for d in answer.removed] == [
        ("I hope this helps!", "not_news: assistant chatter or meta text"),
        ("Interested in cheaper fuel options?", "not_news: a question, not a statement"),
        ("The shifting landscape, influenced by", "not a complete sentence"),
    ]


def test_prose_or_empty_answers_are_unusable(fire: list[Article]) -> None:
    for raw in (
        "I am a small model and cannot do that.",
        '{"headline": "Fire", "sections": []}',
        "[1, 2]",
    ):
        with pytest.raises(UnusableAnswer) as info:
            parse_answer(raw, ids(fire), is_chatter)
        assert info.value.raw == raw


def test_schema_requires_ids_for_every_sentence() -> None:
    sentence = ANSWER_SCHEMA["properties"]["sections"]["items"]["properties"]["sentences"]["items"]
    assert sentence["required"] == ["text", "ids"]


# --- citations and the gate ---------------------------------------------------------------


def test_model_ids_unrelated_to_the_sentence_are_not_kept_as_citations(fire: list[Article]) -> None:
    aligner = Aligner(fire)
    related = sid(fire, "plant employs 210 people")
    unrelated = sid(fire, "smell of burning plastic")
    cites = {
        c.sentence for c in cite("The plant employs 210 people.", [related, unrelated], aligner)
    }
    assert related in cites and unrelated not in cites


def test_gate_publishes_supported_replaces_paraphrase_drops_inventions(
    fire: list[Article], offline: Story
) -> None:
    hotspot = sid(fire, "damp down hotspots")
    lede = (
        "Three workers were taken to hospital after a large fire broke out at the Brennan "
        "Polymers factory in Kestrelford."
    )
    paraphrase = (
        "By late morning the fire was under control, though 60 crews continued to damp down "
        "hotspots."
    )
    raw = answer_json(
        said("Fire at Kestrelford factory injures 40"),
        ("lede", [said(lede, sid(fire, "Westfield industrial estate"))]),
        ("response", [
            said(paraphrase, hotspot),
            said("The mayor resigned over the handling of the fire."),
            said("The plant employs 450 people."),
            said("Feel free to ask if you have more questions."),
        ]),
    )  # fmt: skip
    answer = parse_answer(raw, ids(fire), is_chatter)
    story = to_story(answer, offline, "openai")
    assert story.key_facts == offline.key_facts  # verbatim anatomy comes from the sources
    gated = gate(story, fire, verify_story, offline)

    published = [s.text for s in gated.sentences]
    assert published[0] == lede
    # The sentence with an invented number is replaced by the source sentence it paraphrased.
    source = next(s.text for a in fire for s in a.sentences if s.id == hotspot)
    assert source in published
    assert not any("mayor" in t or "450" in t or "questions" in t for t in published)
    reasons = {d.text: d.reason for d in gated.dropped}
    assert "replaced by source sentence " + hotspot in reasons[paraphrase]
    assert reasons["The mayor resigned over the handling of the fire."].startswith("unsupported")
    assert reasons["The plant employs 450 people."].startswith("contradicted")
    assert reasons["Feel free to ask if you have more questions."].startswith("not_news")
    # The model's headline invents a figure; the offline engine's supported headline is used.
    assert reasons["Fire at Kestrelford factory injures 40"].startswith("unsupported")
    assert gated.headline.text == offline.headline.text
    for s in [gated.headline, *gated.sentences]:
        assert s.verdict is not None and s.verdict.label == "supported", s
        assert s.citations, s
        for c in s.citations:
            assert any(
                a.id == c.article and any(x.id == c.sentence for x in a.sentences) for a in fire
            )
    assert gated.sentences[0].section == "lede"


def test_gate_takes_the_verifier_as_a_parameter(fire: list[Article], offline: Story) -> None:
    """A verifier that rejects everything leaves nothing: not the model's sentence, and not
    the source sentence that replaced it, since replacements are verified too."""
    from dataclasses import replace

    from newsdistill.models import Dropped

    def reject_all(story: Story) -> Story:
        gone = [Dropped(s.text, s.section, "unsupported: test verifier") for s in story.sentences]
        return replace(story, sentences=[], dropped=[*story.dropped, *gone])

    hurt = StorySentence(
        "Three workers were hurt in the fire at a factory in Kestrelford.", "lede", []
    )
    story = replace(offline, sentences=[hurt], engine="openai")
    gated = gate(story, fire, reject_all, offline)
    assert gated.sentences == []
    [model, swap] = gated.dropped
    assert model.text == story.sentences[0].text
    assert model.reason.startswith("unsupported: test verifier; replaced by source sentence a")
    assert swap.text != model.text and swap.reason == "unsupported: test verifier"


def test_a_query_steers_which_sentences_the_model_sees(fire: list[Article]) -> None:
    aligner = Aligner(fire)
    plain = {s.sentence.id for s in select(fire, aligner, 300, estimate_tokens)}
    query = "What did residents of Millbrook say about the smoke and the public meeting?"
    focused = select(fire, aligner, 300, estimate_tokens, query)
    assert any("public meeting" in s.sentence.text for s in focused)
    assert {s.sentence.id for s in focused} != plain
    prompt = build_prompt(fire, focused, 150, dt.date(2026, 5, 9), query)
    user = prompt.messages[1]["content"]
    assert f"The story answers this question: {query}" in user
    # Only the articles whose sentences are shown are listed.
    listed = {
        line.split(":")[0] for line in user.splitlines() if line[:2] in ("a1", "a2", "a3", "a4")
    }
    assert listed == {s.article.id for s in focused}


def test_llamacpp_engine_says_what_is_missing(tmp_path: Path) -> None:
    import importlib.util

    from newsdistill.write.llamacpp import LlamaCppEngine
    from newsdistill.write.llm import EngineError

    if importlib.util.find_spec("llama_cpp") is None:
        with pytest.raises(EngineError, match=r"pip install 'newsdistill\[llm\]'"):
            LlamaCppEngine(model=str(tmp_path / "m.gguf"))
        assert LlamaCppEngine.available({"model": "x.gguf"})[0] is False
        return
    with pytest.raises(EngineError, match="model file not found: .*m.gguf"):
        LlamaCppEngine(model=str(tmp_path / "m.gguf"))
    (tmp_path / "notes.gguf").write_text("not a model")
    with pytest.raises(EngineError, match="not a GGUF model file"):
        LlamaCppEngine(model=str(tmp_path / "notes.gguf"))
    with pytest.raises(EngineError, match="give --model PATH.gguf"):
        LlamaCppEngine()
    ok, why = LlamaCppEngine.available({"model": str(tmp_path / "notes.gguf")})
    assert not ok and "not a GGUF" in why


def test_title_case_headlines_are_sentence_cased_but_names_keep_their_capitals(
    fire: list[Article],
) -> None:
    from newsdistill.write.llm import sentence_case

    assert sentence_case(
        "Fire At Brennan Polymers Warehouse Injures Four In Kestrelford", fire
    ) == ("Fire at Brennan Polymers warehouse injures four in Kestrelford")
    assert sentence_case("Quarter-Point Cut As Kestrelford Warehouse-Sized Plant Shuts", fire) == (
        "Quarter-point cut as Kestrelford warehouse-sized plant shuts"
    )
    assert sentence_case("Three workers hurt in Kestrelford fire", fire) == (
        "Three workers hurt in Kestrelford fire"
    )
