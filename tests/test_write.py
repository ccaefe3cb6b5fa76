"""End to end: sources in, cited stories out (library level)."""

from __future__ import annotations

import json

import pytest

from newsdistill.errors import NothingToWrite
from newsdistill.pipeline import Options, distill
from newsdistill.render.jsonout import to_dict
from newsdistill.write.offline import WriteOptions


@pytest.fixture(scope="module")
def demo_json(samples_dir_module):
    sources = [str(p) for p in sorted(samples_dir_module.glob("*.html"))]
    return to_dict(distill(sources))


@pytest.fixture(scope="module")
def samples_dir_module():
    from newsdistill.sampledata import samples_dir

    return samples_dir()


def _story_with(d, outlet):
    for s in d["stories"]:
        if any(outlet in a["outlets"] for a in s["articles"]):
            return s
    raise AssertionError(f"no story has {outlet}")


def test_two_events_become_two_stories_and_the_unrelated_article_joins_neither(demo_json):
    d = demo_json
    assert len(d["stories"]) == 2
    fire = _story_with(d, "The Coastal Times")
    tram = _story_with(d, "Metro Daily")
    assert fire is not tram
    assert {a["outlet"] for a in fire["articles"]} >= {
        "The Coastal Times",
        "The Morning Ledger",
        "The Riverside Herald",
    }
    assert {a["outlet"] for a in tram["articles"]} == {
        "Metro Daily",
        "Valley Observer",
        "National Wire",
    }
    for s in d["stories"]:
        assert all("z-unrelated" not in a["source"] for a in s["articles"])
        text = " ".join(x["text"] for x in s["sentences"])
        assert "Maritime Museum" not in text and "Castellanos" not in text
    assert [u["source"].rsplit("/", 1)[-1] for u in d["unclustered"]] == ["z-unrelated.html"]
    assert d["stories"][0] is fire  # largest first: the fire has four outlets


def test_syndicated_copy_is_merged_and_keeps_its_outlet(demo_json):
    fire = _story_with(demo_json, "Lakeshore Gazette")
    [wire] = [a for a in fire["articles"] if "Lakeshore Gazette" in a["outlets"]]
    assert wire["outlets"] == ["National Wire", "Lakeshore Gazette"]
    assert len(wire["copies"]) == 1
    assert fire["publishers"] == 4 and fire["single_source"] is False


def test_every_citation_resolves_from_the_json_alone(demo_json):
    for story in demo_json["stories"]:
        sentences = {
            (a["id"], s["id"]): s["text"] for a in story["articles"] for s in a["sentences"]
        }
        for sent in [{"citations": story["headline_citations"]}, *story["sentences"]]:
            assert sent["citations"], sent
            for c in sent["citations"]:
                assert (c["article"], c["sentence"]) in sentences
                assert c["sentence"].startswith(c["article"] + ".s")


def test_story_sentences_are_source_text_never_new_facts(demo_json):
    for story in demo_json["stories"]:
        by_id = {s["id"]: s["text"] for a in story["articles"] for s in a["sentences"]}
        for sent in story["sentences"]:
            cited = [by_id[c["sentence"]] for c in sent["citations"]]
            body = sent["text"][1:]  # a trimmed connective may capitalise the first letter
            assert any(body in t for t in cited), sent["text"]


def test_citations_include_other_outlets_that_state_the_same_sentence(demo_json):
    tram = _story_with(demo_json, "Metro Daily")
    [belden] = [s for s in tram["sentences"] if "people who have not been born yet" in s["text"]]
    assert len({c["article"] for c in belden["citations"]}) == 3


def test_lede_first_then_body_in_paragraphs(demo_json):
    for story in demo_json["stories"]:
        sections = [s["section"] for s in story["sentences"]]
        assert sections[0] == "lede" and "body" in sections
        assert set(sections[1:]) <= {"body", "background", "whats_next"}
        paras = [s["paragraph"] for s in story["sentences"]]
        assert paras == sorted(paras)


@pytest.mark.parametrize("words", [120, 250, 400])
def test_length_follows_words(samples_dir_module, words):
    sources = [str(p) for p in sorted(samples_dir_module.glob("a-*.html"))]
    story = distill(sources, Options(write=WriteOptions(words=words))).stories[0]
    n = sum(len(s.text.split()) for s in story.sentences)
    assert 0.7 * words <= n <= 1.15 * words, n


def test_nothing_usable_raises(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(NothingToWrite, match="empty file"):
        distill([str(tmp_path / "empty.txt"), str(tmp_path / "missing.html")])


def test_single_article_makes_a_single_source_story(samples_dir_module):
    d = to_dict(distill([str(samples_dir_module / "b-metro-daily.html")]))
    [story] = d["stories"]
    assert story["single_source"] is True and story["publishers"] == 1
    json.dumps(d)  # serialisable


@pytest.mark.parametrize("query", [None, "how many people were injured"])
def test_an_article_with_no_sentences_is_left_out_not_a_crash(samples_dir_module, query):
    from dataclasses import replace

    from newsdistill.pipeline import load_pages, make_articles
    from newsdistill.write.offline import write_story

    sources = [str(p) for p in sorted(samples_dir_module.glob("a-*.html"))]
    articles = make_articles(load_pages(sources, Options())[0])
    articles.append(replace(articles[0], id="hollow", sentences=[]))
    story = write_story(articles, WriteOptions(query=query))
    assert story.sentences
    assert all(c.article != "hollow" for s in story.sentences for c in s.citations)


def test_articles_with_no_sentences_at_all_are_nothing_to_write(samples_dir_module):
    from dataclasses import replace

    from newsdistill.pipeline import load_pages, make_articles
    from newsdistill.write.offline import write_story

    sources = [str(samples_dir_module / "b-metro-daily.html")]
    hollow = [replace(a, sentences=[]) for a in make_articles(load_pages(sources, Options())[0])]
    with pytest.raises(NothingToWrite, match="no article has a sentence"):
        write_story(hollow)
