"""The verifier: atoms, verdicts, discrepancies, stories and pairs (fictional fixtures)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newsdistill.claims import dates, names, quantities, quotes, tokens
from newsdistill.models import Article, Page, Story, StorySentence
from newsdistill.pipeline import Options, load_pages, make_articles
from newsdistill.sentences import split_sentences
from newsdistill.verify import (
    NEW_FACT_FACTOR,
    SourceIndex,
    articles_from_text,
    check_pair,
    check_summary,
    find_discrepancies,
    is_chatter,
    new_facts,
    story_discrepancies,
    verify_sentence,
    verify_story,
)

PLANTED = Path(__file__).parent / "fixtures" / "planted"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    # The Orlen footbridge event: the files at the top of the folder (each other event of
    # the planted suite has a folder of its own).
    pages, skipped = load_pages(sorted(str(p) for p in PLANTED.glob("*.txt")), Options())
    assert not skipped
    return make_articles(pages)


@pytest.fixture(scope="module")
def index(articles: list[Article]) -> SourceIndex:
    return SourceIndex(articles)


def _cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (PLANTED / "planted.jsonl").read_text().splitlines()]


_INDEXES: dict[tuple[str, ...], SourceIndex] = {}


def _verdict(case: dict[str, Any]) -> str:
    """The verifier's verdict on a planted case, against that case's own sources."""
    key = tuple(case["sources"])
    if key not in _INDEXES:
        pages, skipped = load_pages([str(PLANTED / s) for s in key], Options())
        assert not skipped
        _INDEXES[key] = SourceIndex(make_articles(pages))
    return verify_sentence(case["summary"], _INDEXES[key]).label


# --- atoms ------------------------------------------------------------------------------------


def test_quantities_keep_unit_and_currency() -> None:
    qs = quantities(
        tokens("The fund pledged $2 million and 3 trucks arrived; 12 people were injured.")
    )
    assert [(q.value, q.currency) for q in qs][:1] == [(2_000_000.0, "$")]
    assert any(q.value == 3 and q.unit == "truck" for q in qs)
    assert any(q.value == 12 and q.unit == "injur" for q in qs)


def test_years_and_days_are_dates_not_counts() -> None:
    toks = tokens("It opened on May 3, 2024, and may close in June.")
    assert quantities(toks) == []
    assert ("year", "2024") in dates(toks) and ("day", "5-3") in dates(toks)
    assert ("month", "6") in dates(toks)


def test_quotes_are_normalised() -> None:
    assert quotes("\u201cWe will  rebuild it,\u201d she said.") == ["We will rebuild it"]


def test_chatter_is_recognised_and_news_is_not() -> None:
    assert is_chatter("Sure! Here is a concise summary of the article.")
    assert is_chatter("Let me know if you need any clarification.")
    assert not is_chatter("The council said it would review the decision next week.")


# --- verdicts on the planted suite --------------------------------------------------------------


def test_planted_suite_has_every_kind() -> None:
    kinds = Counter(c["kind"] for c in _cases())
    assert sum(kinds.values()) >= 60
    for kind in (
        "number",
        "unit",
        "date",
        "place",
        "person",
        "negation",
        "stance",
        "modality",
        "quote",
        "relation",
        "discrepancy",
        "not_news",
        "paraphrase",
        "invented",
        "designation",
        "update",
        "fate",
    ):
        assert kinds[kind] >= 3, kind


def test_faithful_paraphrases_stay_supported() -> None:
    wrong = [
        c["summary"]
        for c in _cases()
        if c["expected"] == "supported" and _verdict(c) != "supported"
    ]
    assert wrong == []


def test_no_planted_error_is_called_supported() -> None:
    """An error passed as supported is the failure that matters most."""
    passed = [
        c["id"] for c in _cases() if c["expected"] != "supported" and _verdict(c) == "supported"
    ]
    assert passed == []


def test_planted_exact_verdicts_mostly_right() -> None:
    cases = _cases()
    right = sum(_verdict(c) == c["expected"] for c in cases)
    assert right / len(cases) >= 0.95


@pytest.mark.parametrize(
    ("claim", "label"),
    [
        (
            "Three delivery trucks parked beneath the bridge were crushed by falling concrete.",
            "supported",
        ),
        (
            "Five delivery trucks parked beneath the bridge were crushed by falling concrete.",
            "contradicted",
        ),
        ("His lawyer said Varga knew about the cracks in the main span.", "contradicted"),
        (
            "Talks with the insurers of the engineering firm will be held in Vienna next week.",
            "contradicted",
        ),
        (
            "Police have arrested Piet Varga, the contractor who carried out the 2023 inspection.",
            "contradicted",
        ),
        ("The collapse was caused by an earthquake.", "unsupported"),
        ("Please let me know if you need any clarification.", "not_news"),
    ],
)
def test_single_verdicts(index: SourceIndex, claim: str, label: str) -> None:
    assert verify_sentence(claim, index).label == label


def test_supported_verdict_carries_evidence(index: SourceIndex) -> None:
    v = verify_sentence("The bridge was built in 1987.", index)
    assert v.label == "supported"
    assert v.evidence and "1987" in v.evidence[0].text
    assert 0.0 <= v.score <= 1.0


def test_words_from_two_sentences_in_another_relation_are_not_support(index: SourceIndex) -> None:
    # "Kallas met the families" and "Tomas Weir met the town council" are both in one source.
    assert verify_sentence("Kallas met the town council.", index).label != "supported"


def test_altered_quote_is_contradicted(index: SourceIndex) -> None:
    v = verify_sentence('"We owe the people of Orlen clear answers," Kallas told reporters.', index)
    assert v.label == "contradicted"
    assert "quotation" in v.reason


# --- discrepancies ------------------------------------------------------------------------------


def test_discrepancy_between_outlets_is_found(articles: list[Article]) -> None:
    found = find_discrepancies(articles)
    assert any({"12 people", "15 people"} <= set(d.values()) for d in found)
    d = next(d for d in found if "12 people" in d.values())
    assert len({s.citation.article for s in d.sides}) == 2


def test_one_side_of_a_discrepancy_needs_attribution_or_range(index: SourceIndex) -> None:
    assert verify_sentence("The collapse injured 12 people.", index).label == "contradicted"
    assert (
        verify_sentence("The regional fire service said 12 people were injured.", index).label
        == "supported"
    )
    assert verify_sentence("Between 12 and 15 people were injured.", index).label == "supported"


def _event(folder: str) -> list[Article]:
    pages, skipped = load_pages(sorted(str(p) for p in (PLANTED / folder).glob("*.txt")), Options())
    assert not skipped
    return make_articles(pages)


def test_model_and_group_names_are_not_disputed_figures() -> None:
    # "all of its A320 jets" / "14 jets", "G7 transport ministers" / "Nine transport ministers"
    arts = _event("nordvale")
    assert find_discrepancies(arts) == []
    index = SourceIndex(arts)
    claim = "Nordvale Air grounded 14 A320 jets after engineers found cracks in engine mounts."
    assert verify_sentence(claim, index).label == "supported"
    v = verify_sentence("Nordvale Air grounded 14 of its A321 jets on Monday.", index)
    assert v.label == "contradicted" and "a321" in v.reason


def test_a_toll_that_rises_between_reports_is_an_update_not_a_discrepancy() -> None:
    # Valley Courier (Jan 14): "At least four people died", damage "$3 million";
    # Alpine Wire (Jan 15): "Seven people have died", estimate "revised ... to $8 million".
    arts = _event("brenmoor")
    index = SourceIndex(arts)
    assert [set(d.values()) for d in index.discrepancies] == [{"Twelve houses", "Fifteen houses"}]
    assert {(u.old.value, u.new.value) for u in index.updates} == {(4.0, 7.0), (3e6, 8e6)}
    label = lambda text: verify_sentence(text, index).label  # noqa: E731
    assert label("Seven people died in the landslide in Brenmoor.") == "supported"
    assert label("Police said seven people died in the Brenmoor landslide.") == "supported"
    assert label("At least four people died in the landslide in Brenmoor.") == "supported"
    v = verify_sentence("Four people died in the landslide in Brenmoor.", index)
    assert v.label == "contradicted" and v.reason.startswith("superseded")
    assert {e.citation.article for e in v.evidence} == {"a1", "a2"}
    assert label("The damage to the mountain road is now estimated at $8 million.") == "supported"
    assert label("The damage to the mountain road is $3 million.") == "contradicted"
    assert label("Twelve houses were destroyed.") == "contradicted"  # a real discrepancy


def _article(aid: str, outlet: str, published: str, text: str) -> Article:
    page = Page(source=f"{aid}.txt", title="", text=text, outlet=outlet, published=published)
    return Article(aid, page, split_sentences(text, aid))


def test_a_revision_older_than_the_other_report_is_still_a_discrepancy() -> None:
    revised = (
        "The council revised its estimate of the repair bill for the Harlow pier to $8 million."
    )
    plain = "The council put the repair bill for the Harlow pier at $3 million."
    later = [
        _article("a1", "Pier Post", "2026-03-01T09:00:00Z", revised),
        _article("a2", "Coast News", "2026-03-04T09:00:00Z", plain),
    ]
    assert find_discrepancies(later)  # the $3 million came after the revision
    earlier = [
        _article("a1", "Pier Post", "2026-03-04T09:00:00Z", revised),
        _article("a2", "Coast News", "2026-03-01T09:00:00Z", plain),
    ]
    index = SourceIndex(earlier)
    assert index.discrepancies == [] and len(index.updates) == 1


def test_dates_that_differ_between_sources_are_a_discrepancy() -> None:
    # Metro Ledger: "will open in 2031"; City Review: "not expected to open until late 2032".
    arts = _event("calder")
    (d,) = find_discrepancies(arts)
    assert set(d.values()) == {"2031", "late 2032"} and d.what.startswith("year:")
    index = SourceIndex(arts)
    v = verify_sentence("The Calder Valley tram line will open in 2031.", index)
    assert v.label == "contradicted" and "sources differ" in v.reason
    assert len(v.evidence) == 2
    ok = "The transport ministry said the tram line would open in 2031."
    assert verify_sentence(ok, index).label == "supported"
    assert verify_sentence("The tram line will open between 2031 and 2032.", index).label == (
        "supported"
    )
    (about,) = story_discrepancies(arts)
    assert len(about.claims) == 2


def test_a_plans_date_and_a_past_date_are_two_facts() -> None:
    # Both sentences date "the new line", one when it was studied, one when it is to be
    # built: not one fact that the outlets give differently.
    arts = [
        _article(
            "a1",
            "Ferry Times",
            "2026-02-02T09:00:00Z",
            "The Osmund Island council first studied a new ferry line in 2019.",
        ),
        _article(
            "a2",
            "Bay Ledger",
            "2026-02-02T10:00:00Z",
            "Work on the new Osmund Island ferry line is scheduled to start in 2028.",
        ),
    ]
    assert find_discrepancies(arts) == []
    # Two plans' dates that differ still are.
    arts[0] = _article(
        "a1",
        "Ferry Times",
        "2026-02-02T09:00:00Z",
        "Work on the new Osmund Island ferry line is expected to start in 2027.",
    )
    (d,) = find_discrepancies(arts)
    assert set(d.values()) == {"2027", "2028"}


@pytest.mark.parametrize(
    ("source", "claim", "expected"),
    [
        # Another figure's fate word, or a relative clause's, is not this figure's.
        (
            "Two of the 30 people injured in the ferry crash died in hospital.",
            "Two people died in hospital after the ferry crash.",
            "supported",
        ),
        (
            "Four passengers who were injured in the ferry crash later died in hospital.",
            "Four passengers died in hospital after the ferry crash.",
            "supported",
        ),
        # The fate word right after the figure ("30 injured"), or before it across no comma.
        (
            "Two people were killed and 30 injured in the ferry crash.",
            "30 people were killed in the ferry crash.",
            "contradicted",
        ),
        (
            "The bomb killed 4, injuring 12, at the market.",
            "The market bomb blast injured 4 people.",
            "contradicted",
        ),
        # "killed" is still the opposite of "injured" when no figure says whose fate it is.
        (
            "The driver was injured in the Corvel pass crash, in which a passenger died.",
            "The driver was killed in the Corvel pass crash.",
            "contradicted",
        ),
        # One count of the dead in other words ("died" / "killed ... people").
        (
            "The earthquake killed at least 12 people and left 40 missing in the valley.",
            "At least 12 people died in the valley earthquake and 40 are missing.",
            "supported",
        ),
        # The figure is the source's but the source gives it no fate: the claim's fate word
        # is still judged ("died" where the source has them injured and in hospital).
        (
            "The footbridge collapsed on Tuesday morning, injuring 12 people, the fire service"
            " said. Two of them were taken to hospital.",
            "Two people died when the footbridge collapsed on Tuesday morning.",
            "contradicted",
        ),
        # A toll no source gives is invented, not the injured said to be dead.
        (
            "The footbridge collapsed on Tuesday morning, injuring 12 people, the fire service"
            " said.",
            "Three people died when the footbridge collapsed on Tuesday morning.",
            "unsupported",
        ),
    ],
)
def test_what_happened_to_the_people_counted(source: str, claim: str, expected: str) -> None:
    index = SourceIndex(articles_from_text(source))
    assert verify_sentence(claim, index).label == expected


def test_a_misspelt_name_at_the_start_of_a_sentence_is_caught() -> None:
    # Written by Qwen2.5-Coder-0.5B in bench_llm (the source says "Brennan Polymers"); the
    # first word of a sentence counts as a name when a capitalised word follows it.
    index = _fixture_event("e05-")
    v = verify_sentence(
        "Brenwald Polymers said it would continue paying its 210 staff while the plant is closed.",
        index,
    )
    assert v.label == "contradicted" and "brenwald" in v.reason
    ok = "Brennan Polymers said it would continue paying its 210 staff while the plant is closed."
    assert verify_sentence(ok, index).label == "supported"
    # A capitalised first word with no capitalised word after it is still not a name.
    assert "officials" not in names(tokens("Officials said the plant would reopen."))


def _fixture_event(prefix: str) -> SourceIndex:
    events = Path(__file__).parent / "fixtures" / "events"
    pages, _ = load_pages(sorted(str(p) for p in events.glob(f"{prefix}*.txt")), Options())
    return SourceIndex(make_articles(pages), window=1)


def test_what_a_source_says_only_in_a_quotation_needs_a_speaker() -> None:
    # The source: '"It is a step in the right direction, but small and medium-sized firms
    # need to see rates heading meaningfully lower ...," said Joris Kemper, director of the
    # Calderian Federation of Industry.' Qwen2.5-Coder-1.5B (bench_llm) dropped the speaker.
    index = _fixture_event("e03-")
    v = verify_sentence(
        "The central bank's decision to cut interest rates is seen as a step in the right "
        "direction, but small and medium-sized firms need to see rates heading meaningfully "
        "lower.",
        index,
    )
    assert v.label == "unsupported" and v.reason.startswith("attribution")
    said = (
        "Joris Kemper of the Calderian Federation of Industry called the cut a step in the "
        "right direction but said firms need to see rates heading meaningfully lower."
    )
    assert verify_sentence(said, index).label == "supported"
    # A quotation that runs over two sentences: its first sentence has one mark.
    index = _fixture_event("e05-")
    v = verify_sentence("We are looking carefully at where the fire started.", index)
    assert v.label == "unsupported" and v.reason.startswith("attribution")
    # Stated outside any quotation: no speaker needed.
    plain = "The fire injured three employees and one firefighter."
    assert verify_sentence(plain, index).label == "supported"


def test_and_inside_a_name_does_not_end_the_speaker() -> None:
    # "Group Commander Alan Pryce of Kestrelford Fire and Rescue Service said ...": the
    # speaker is Pryce, not "Rescue Service".
    index = _fixture_event("e05-")
    claim = (
        "Group Commander Alan Pryce said on Thursday that investigators had ruled out arson "
        "at this stage."
    )
    assert verify_sentence(claim, index).label == "supported"


def test_a_plural_place_name_is_the_same_name() -> None:
    # Qwen2.5-Coder-1.5B (bench_llm) wrote "southern Philippines" for the source's "southern
    # Philippine island": the stems differ by a final "e" only ("philippin" / "philippine").
    index = SourceIndex(
        articles_from_text(
            "A shallow magnitude 5.9 earthquake shook the province of Davao Oriental on the "
            "southern Philippine island of Mindanao on Monday afternoon, killing at least two."
        )
    )
    said = "A magnitude 5.9 earthquake struck the southern Philippines on Monday afternoon."
    assert verify_sentence(said, index).label == "supported"
    other = "A magnitude 5.9 earthquake struck southern Indonesia on Monday afternoon."
    assert verify_sentence(other, index).label == "contradicted"


def _two(a: str, b: str) -> list[Article]:
    return [
        _article("a1", "Ferry Times", "2026-02-02T09:00:00Z", a),
        _article("a2", "Bay Ledger", "2026-02-02T10:00:00Z", b),
    ]


def test_figures_and_dates_of_two_facts_are_no_discrepancy() -> None:
    two_facts = [
        # One shared noun, two events: what a date dates is the word nearest it.
        (
            "Harwick Homes, which bought the riverside site in 2022, plans 300 homes.",
            "Residents said the riverside site flooded in 2007, 2014 and 2024.",
        ),
        # A decade is not a year: 1968 falls in the 1960s.
        (
            "Engineers say concrete bridges from the 1960s and 1970s can corrode inside.",
            "The Harwick concrete bridge was built in 1968.",
        ),
        # "last year" says when, not what: a loss and a revenue of one year.
        (
            "Fund managers noted that Quarrel Systems lost 31 million crowns last year.",
            "Quarrel Systems reported revenue of 198 million crowns last year.",
        ),
    ]
    for a, b in two_facts:
        assert find_discrepancies(_two(a, b)) == [], (a, b)
    # The same fact given two ways still is one.
    (d,) = find_discrepancies(
        _two(
            "The Harwick concrete bridge was built in 1968.",
            "The Harwick concrete bridge, built in 1966, was closed on Monday.",
        )
    )
    assert set(d.values()) == {"1968", "1966"}


@pytest.mark.parametrize(
    ("a", "b", "found"),
    [
        # A plan word in a comma clause or a relative clause is not the date's.
        ("The Harlow bridge was built in 1968.",
         "The Harlow bridge, which the council may demolish, was built in 1966.", 1),
        ("The Harlow plant opened in 1987.",
         "The Harlow plant, scheduled to close in 2030, opened in 1985.", 1),
        ("The mayor of Harlow took office in 2019.",
         "The mayor of Harlow, who will stand again next year, took office in 2018.", 1),
        # "due to" gives a reason, not a plan.
        ("The Harlow stadium opened in 2023.",
         "Due to cost overruns, the Harlow stadium opened in 2024.", 1),
        # A plan's date and a past event's date, or a plan and its fulfilment, are not.
        ("The Harlow line will open in 2031.", "The Harlow line opened in 2031.", 0),
        ("Work on the new Harlow ferry line is expected to start in 2027.",
         "Work on the new Harlow ferry line is scheduled to start in 2028.", 1),
    ],
)  # fmt: skip
def test_which_dates_are_of_a_plan(a: str, b: str, found: int) -> None:
    assert len(find_discrepancies(_two(a, b))) == found


def test_a_sentence_giving_two_values_is_shown_once() -> None:
    arts = _two(
        "The Harwick ferry carried 120 passengers on Monday and 150 on Tuesday.",
        "The Harwick ferry carried 135 passengers on Monday.",
    )
    for d in story_discrepancies(arts):
        texts = [c.text for c in d.claims]
        assert len(texts) == len(set(texts)) >= 2


def test_a_wrong_year_is_contradicted() -> None:
    index = SourceIndex(_event("calder"))
    for claim in (
        "The Calder Valley tram line will open in 2033.",
        "Construction of the line began in March 2025.",
    ):
        v = verify_sentence(claim, index)
        assert v.label == "contradicted" and "year" in v.reason, claim


def test_kinds_of_modality_are_told_apart(index: SourceIndex) -> None:
    # The source: "The government plans to rebuild the bridge by next spring."
    v = verify_sentence("The government may rebuild the bridge by next spring.", index)
    assert v.label == "contradicted" and "possible" in v.reason
    # A plan and a forecast are one kind; a fact is not a plan.
    ok = "The government will rebuild the bridge by next spring."
    assert verify_sentence(ok, index).label == "supported"
    assert verify_sentence("The government rebuilt the bridge.", index).label == "contradicted"
    # "Kallas visited the site": "will" is not "did", nor "would" ("the inquiry would report").
    assert verify_sentence("Interior Minister Ruth Kallas will visit the site.", index).label == (
        "contradicted"
    )
    assert verify_sentence("The inquiry reported within three months.", index).label == (
        "contradicted"
    )


# --- stories, summaries, pairs ------------------------------------------------------------------


def test_verify_story_drops_unsupported_sentences(articles: list[Article]) -> None:
    a = articles
    headline = StorySentence(a[0].page.title, "headline", [])
    good = StorySentence("Rescuers used two cranes to lift the concrete slabs.", "body", [])
    bad = StorySentence("Two people died in the collapse.", "body", [])
    chat = StorySentence("I hope this helps!", "body", [])
    story = Story(headline=headline, sentences=[good, bad, chat], articles=a)
    out = verify_story(story)
    assert [s.text for s in out.sentences] == [good.text]
    assert out.sentences[0].verdict is not None and out.sentences[0].verdict.label == "supported"
    assert {d.text for d in out.dropped} == {bad.text, chat.text}
    assert any(d.reason.startswith("not_news") for d in out.dropped)
    assert story.sentences == [good, bad, chat]  # the input is not changed


def test_check_summary_reports_each_sentence(articles: list[Article]) -> None:
    result = check_summary(
        "Sure, here is the summary. Rescuers used two cranes to lift the concrete slabs.", articles
    )
    assert [s.verdict.label for s in result.sentences] == ["not_news", "supported"]
    assert not result.all_supported
    data = result.to_json()
    assert set(data) == {"sentences", "discrepancies"}
    assert data["discrepancies"]


def test_check_pair_on_one_document() -> None:
    doc = (
        "The Harlow ferry service will resume on Monday after a two-week strike, the operator "
        "said. Drivers accepted a pay offer of 4 percent on Friday."
    )
    assert check_pair(doc, "Drivers accepted a 4 percent pay offer.").consistent
    bad = check_pair(doc, "Drivers rejected a 6 percent pay offer.")
    assert not bad.consistent and 0.0 <= bad.score < 1.0


def test_new_facts_are_names_numbers_and_opposites_the_document_never_states() -> None:
    doc = (
        "The Harlow ferry service will resume on Monday after a two-week strike, the operator "
        "said. Drivers accepted a pay offer of 4 percent on Friday."
    )
    index = SourceIndex(articles_from_text(doc), titles=False)
    assert new_facts("Drivers accepted a 4 percent pay offer.", index) == []
    found = new_facts("Drivers in Dunmore rejected a 6 percent offer.", index)
    assert found == ["name 'dunmore'", "number 6", "opposite 'rejected'"]


def test_a_pair_with_a_fact_the_document_never_states_scores_lower() -> None:
    doc = (
        "Mara Lind won the Westholm marathon on Sunday. She finished in 2 hours and 31 minutes, "
        "ahead of the defending champion, race officials said."
    )
    good = check_pair(doc, "Mara Lind won the Westholm marathon on Sunday.")
    invented = check_pair(doc, "Mara Lind, who trains in Oslo, won the Westholm marathon.")
    assert good.consistent and good.score == 1.0
    # The place is a new fact: the score is cut by NEW_FACT_FACTOR on top of the weak support.
    assert invented.score < good.score * NEW_FACT_FACTOR
    two = check_pair(doc, "Mara Lind, who trains in Oslo, won the Westholm marathon in 2019.")
    assert two.score < invented.score * NEW_FACT_FACTOR + 1e-9 and not two.consistent


def test_adjacent_sentences_support_a_fused_claim() -> None:
    doc = "Mara Lind won the Westholm marathon on Sunday. She finished in 2 hours and 31 minutes."
    art = Article("a1", Page("x", "", doc), split_sentences(doc, "a1"))
    v = verify_sentence(
        "Mara Lind won the Westholm marathon in 2 hours and 31 minutes.", SourceIndex([art])
    )
    assert v.label == "supported"
    assert len(v.evidence) == 2


def test_markdown_markers_are_not_part_of_the_judged_sentences():
    from newsdistill.verify import summary_sentences

    got = summary_sentences("# Fire summary\n- **Twelve** people were hurt.\n1. The mayor spoke.")
    assert got == ["Fire summary", "Twelve people were hurt.", "The mayor spoke."]


def test_a_disputed_number_of_years_is_a_figure_not_a_date() -> None:
    # Keyed by its unit "year", the discrepancy once passed for a date one and crashed.
    arts = [
        _article(
            "a1",
            "Harbour Gazette",
            "",
            "The Wexcombe dredging contract runs for 5 years, the port authority said on Monday.",
        ),
        _article(
            "a2",
            "Northern Ledger",
            "",
            "The Wexcombe dredging contract runs for 7 years, the shipping firm said on Monday.",
        ),
    ]
    (d,) = story_discrepancies(arts)
    assert [c.citations[0].article for c in d.claims] == ["a1", "a2"]
    v = verify_sentence("The Wexcombe dredging contract runs for 5 years.", SourceIndex(arts))
    assert v.label == "contradicted" and "5 years vs 7 years" in v.reason


def test_unrelated_figures_of_one_unit_are_not_one_discrepancy() -> None:
    # One topic, two facts with percentages: a rate rise and a share fall. Grouped by unit,
    # they once made one "discrepancy" that refused every sentence stating either figure.
    arts = [
        _article(
            "a1",
            "Harbour Gazette",
            "",
            "The Marlow central bank raised its main interest rate by 0.25% on Thursday, "
            "the bank's governor said.",
        ),
        _article(
            "a2",
            "Northern Ledger",
            "",
            "Shares in the Marlow shipping group Calloway fell 3% on Thursday after the "
            "central bank's decision on interest rates.",
        ),
    ]
    index = SourceIndex(arts)
    assert index.discrepancies == []
    for claim in (
        "The Marlow central bank raised its main interest rate by 0.25% on Thursday.",
        "Shares in the Marlow shipping group Calloway fell 3% on Thursday.",
    ):
        assert verify_sentence(claim, index).label == "supported", claim


def test_a_disputed_toll_stays_one_discrepancy_with_its_two_sides() -> None:
    # Two outlets give 12 and 15 injured; in the same pile other percentages and sums
    # differ, and none of them may join the toll's discrepancy.
    arts = [
        _article(
            "a1",
            "Harbour Gazette",
            "",
            "A crane collapsed at the Wexcombe container terminal on Monday, injuring 12 "
            "dock workers, the port authority said. The terminal handles 40% of the port's "
            "traffic. Repairs will cost $2 million, the operator said.",
        ),
        _article(
            "a2",
            "Northern Ledger",
            "",
            "A crane collapsed at the Wexcombe container terminal on Monday, injuring 15 "
            "dock workers, according to the regional ambulance service. Grain exports fell "
            "6% last year. The new harbour wall cost $9 million to build.",
        ),
    ]
    found = find_discrepancies(arts)
    (d,) = [d for d in found if d.what == "dock"]
    assert set(d.values()) == {"12 dock", "15 dock"}
    assert {s.citation.article for s in d.sides} == {"a1", "a2"} and len(d.sides) == 2
    assert not [d for d in found if d.what == "%"]  # a share of traffic, a fall in exports
    index = SourceIndex(arts)
    v = verify_sentence(
        "The crane collapse at the Wexcombe terminal injured 12 dock workers.", index
    )
    assert v.label == "contradicted" and "sources differ" in v.reason
    assert verify_sentence("The terminal handles 40% of the port's traffic.", index).label == (
        "supported"
    )
    about = [x for x in story_discrepancies(arts) if "dock" in x.claims[0].text]
    assert len(about) == 1 and len(about[0].claims) == 2


def test_a_figure_equal_to_one_side_but_about_something_else_is_not_disputed() -> None:
    # The terminal's share of traffic is disputed (40% / 45%); grain exports that fell 40%
    # are another fact, stated by one outlet alone.
    arts = [
        _article(
            "a1",
            "Harbour Gazette",
            "",
            "The Wexcombe terminal handles 40% of the port's container traffic, the port "
            "authority said. Grain exports through Wexcombe fell 40% last year.",
        ),
        _article(
            "a2",
            "Northern Ledger",
            "",
            "The Wexcombe terminal handles 45% of the port's container traffic, the shipping "
            "firm said.",
        ),
    ]
    index = SourceIndex(arts)
    assert [set(d.values()) for d in index.discrepancies] == [{"40%", "45%"}]
    assert verify_sentence("Grain exports through Wexcombe fell 40% last year.", index).label == (
        "supported"
    )
    v = verify_sentence("The Wexcombe terminal handles 40% of the port's container traffic.", index)
    assert v.label == "contradicted" and "sources differ" in v.reason


def test_a_year_equal_to_one_side_but_of_another_subject_is_not_disputed() -> None:
    # When Calloway Shipping was founded is disputed (1902 / 1911); the harbour trust's
    # founding in 1902 is another fact, though "founded" and the year are the same.
    arts = [
        _article(
            "a1",
            "Harbour Gazette",
            "",
            "Calloway Shipping was founded in 1902 by the Marlow merchant Edith Calloway. "
            "The Marlow Harbour Trust was founded in 1902 as well.",
        ),
        _article(
            "a2",
            "Northern Ledger",
            "",
            "Calloway Shipping was founded in 1911 by the Marlow merchant Edith Calloway.",
        ),
    ]
    index = SourceIndex(arts)
    (d,) = index.discrepancies
    assert set(d.values()) == {"1902", "1911"} and len(d.sides) == 2
    claim = "The Marlow Harbour Trust was founded in 1902."
    assert verify_sentence(claim, index).label == "supported"
    v = verify_sentence("Calloway Shipping was founded in 1902.", index)
    assert v.label == "contradicted" and "sources differ" in v.reason


def test_earlier_this_week_dates_an_event_and_does_not_supersede_a_figure() -> None:
    arts = [
        _article(
            "a1",
            "Harbour Gazette",
            "2031-03-14T10:00:00Z",
            "Earlier this week, the Quay Street warehouse fire injured 12 people, officials said.",
        ),
        _article(
            "a2",
            "Northern Ledger",
            "2031-03-14T09:00:00Z",
            "The Quay Street warehouse fire injured 15 people, officials said.",
        ),
    ]
    (d,) = find_discrepancies(arts)
    assert sorted(d.values()) == ["12 people", "15 people"]
    index = SourceIndex(arts)
    for claim in (
        "The Quay Street warehouse fire injured 15 people.",
        "The Quay Street warehouse fire injured 12 people.",
    ):
        v = verify_sentence(claim, index)
        assert v.label == "contradicted" and "sources differ" in v.reason, claim


def test_hurt_and_injured_count_the_same_people() -> None:
    doc = "A footbridge collapsed in Orlen on Tuesday. Twelve people were injured, police said."
    r = check_pair(doc, "Twelve people were hurt when the Orlen footbridge collapsed.")
    assert [s.verdict.label for s in r.sentences] == ["supported"]
    r = check_pair(doc, "Twelve people were killed when the Orlen footbridge collapsed.")
    assert [s.verdict.label for s in r.sentences] == ["contradicted"]


# --- a word swapped in the source's frame, qualifiers, inverted attribution --------------------
# Cases from a probe of 260 claims over invented events (fifth session): each was judged
# wrongly before the rule it tests.

_HARBOUR = (
    "Fire chief Maren Oduya said the blaze at the Quay Street hotel started in a storage room"
    " shortly after midnight. Crews from three stations fought it for more than five hours."
    " About 2,000 people gathered at the harbour on Sunday to watch the tall ships leave."
)


@pytest.mark.parametrize(
    ("claim", "expected", "why"),
    [
        # One word put in the place of the source's, with the frame around it intact.
        ("Police chief Maren Oduya said the blaze at the Quay Street hotel started in a storage"
         " room shortly after midnight.", "unsupported", "'Police' where the source has 'Fire'"),
        ("Fire chief Maren Oduya said the blaze at the Quay Street school started in a storage"
         " room shortly after midnight.", "unsupported", "'school' where the source has 'hotel'"),
        ("Fire chief Maren Oduya said the blaze at the Quay Street hotel started in a loading bay"
         " shortly after midnight.", "unsupported", "where the source has 'storage room'"),
        # A figure bounded the other way, or an estimate made a bound.
        ("Crews from three stations fought the blaze for nearly five hours.", "contradicted",
         "qualifier"),
        ("More than 2,000 people gathered at the harbour on Sunday to watch the tall ships leave.",
         "unsupported", "qualifier"),
        # ... while the faithful forms stay supported.
        ("Crews from three stations fought the blaze for over five hours.", "supported", ""),
        ("Some 2,000 people gathered at the harbour on Sunday to watch the tall ships leave.",
         "supported", ""),
        ("The blaze at the Quay Street hotel started in a storage room shortly after midnight,"
         " fire chief Maren Oduya said.", "supported", ""),
    ],
)  # fmt: skip
def test_a_swapped_word_or_qualifier_is_not_what_the_source_says(
    claim: str, expected: str, why: str
) -> None:
    v = verify_sentence(claim, SourceIndex(articles_from_text(_HARBOUR)))
    assert v.label == expected, v.reason
    assert why in v.reason


def test_a_name_for_its_description_is_no_swap() -> None:
    doc = (
        "Quillon said on Monday it would cut 1,200 jobs. The company's shares fell 4% in early"
        " trading in Frankfurt."
    )
    v = verify_sentence("Quillon's shares fell 4% in early trading in Frankfurt.",
                        SourceIndex(articles_from_text(doc)))  # fmt: skip
    assert v.label == "supported", v.reason


@pytest.mark.parametrize(
    ("source", "claim"),
    [
        # "..., said X": the speaker comes after the speech word, the statement before it.
        ("The regional health director, Dr. Piet Varga, said there had been no deaths.",
         "There have been no deaths, said the regional health director, Dr. Piet Varga."),
        ("UN envoy Ilse Brandvold said both sides had agreed to an agenda for the talks.",
         "Both sides have agreed to an agenda for the talks, said UN envoy Ilse Brandvold."),
        # A relative clause about the speaker, and "which said" standing for its antecedent.
        ("The owner, Delcott Furnishings, said it would rebuild the warehouse.",
         "Delcott Furnishings, which owns the warehouse, said it would rebuild it."),
        ("The bus was operated by Fjelltur Travel, which said it was cooperating with"
         " investigators.",
         "Fjelltur Travel, which operated the bus, said it was cooperating with investigators."),
        # An apposition before "said" is still the speaker, not an inverted attribution.
        ("The company's chief financial officer, Omar Lindqvist, said the layoffs would save"
         " $150 million a year.",
         "Chief financial officer Omar Lindqvist said the layoffs would save $150 million a"
         " year."),
        # A hyphenated role word opening a sentence is not a name.
        ("Former mayor Tomas Renvik, who left office in 2021, has denied the charges.",
         "Ex-mayor Tomas Renvik left office in 2021."),
    ],
)  # fmt: skip
def test_attribution_in_other_word_orders_keeps_its_speaker(source: str, claim: str) -> None:
    v = verify_sentence(claim, SourceIndex(articles_from_text(source)))
    assert v.label == "supported", v.reason


def test_the_wrong_speaker_in_an_inverted_attribution_is_still_caught() -> None:
    index = SourceIndex(articles_from_text(
        "The regional health director, Dr. Piet Varga, said there had been no deaths."
    ))  # fmt: skip
    v = verify_sentence("There have been no deaths, said the mayor, Anna Ruud.", index)
    assert v.label != "supported"


# --- swaps of two figures, counts in the frame, lost hedges, pending acts, times of day -----
# Sixth session: each case was judged `supported` before the rule it tests.

_MARKETS = (
    "Tessary Foods reported a quarterly loss of $38 million, compared with a profit of $9"
    " million a year earlier. Unemployment in Varlo fell to 5.2% in June from 5.9% in May."
    " The council's plan raises spending on parks by 7% and cuts road spending by 2%."
    " Three volunteers were among the injured. Ticket sales reached 40,000, up from 25,000 a"
    " year before, and 31 stalls opened, up from 18."
    " A court in Marbury issued an arrest warrant on Friday for the former treasurer, Ivo"
    " Stenlund. Prosecutors said Stenlund was believed to be in Lisbon. The central bank"
    " raised its main rate by 0.25 percentage points to 3.5%."
    " The storm reached the coast late on Sunday evening. The survey counted 900 cranes last"
    " spring."
)


@pytest.mark.parametrize(
    ("claim", "expected", "why"),
    [
        # Two figures trade places within the source's sentence.
        ("Tessary Foods reported a quarterly loss of $9 million, compared with a profit of $38"
         " million a year earlier.", "contradicted", "trade places"),
        ("Unemployment in Varlo fell to 5.9% in June from 5.2% in May.", "contradicted",
         "trade places"),
        # "a" / "one" for a count the source gives, and a number with no counted noun.
        ("A volunteer was among the injured.", "contradicted",
         "'A volunteer' where the source has 'Three volunteers'"),
        ("31 stalls opened, up from 12.", "contradicted", "'12' where the source has '18'"),
        # The source hedges what the claim states as fact.
        ("Prosecutors said Stenlund was in Lisbon.", "unsupported", "hedges"),
        # A warrant is no arrest.
        ("Police arrested the former treasurer, Ivo Stenlund, on Friday.", "unsupported",
         "'arrested' where the source has only 'arrest warrant'"),
        # Percentage points are not percent.
        ("The central bank raised its main rate by 0.25% to 3.5%.", "contradicted", "unit"),
        # Another part of the day, another season.
        ("The storm reached the coast late on Sunday morning.", "contradicted",
         "'morning' where the source has 'evening'"),
        ("The survey counted 900 cranes last autumn.", "contradicted",
         "'autumn' where the source has 'spring'"),
        # ... while the faithful forms stay supported.
        ("Tessary Foods reported a quarterly loss of $38 million, against a $9 million profit"
         " a year earlier.", "supported", ""),
        ("Unemployment in Varlo fell to 5.2% in June, from 5.9% in May.", "supported", ""),
        ("Three volunteers were among those hurt.", "supported", ""),
        ("A court in Marbury issued an arrest warrant for Ivo Stenlund, the former treasurer,"
         " on Friday.", "supported", ""),
        ("Prosecutors said Stenlund was believed to be in Lisbon.", "supported", ""),
        ("The central bank raised its main rate by a quarter of a percentage point to 3.5%.",
         "supported", ""),
        ("The storm reached the coast on Sunday.", "supported", ""),
    ],
)  # fmt: skip
def test_figures_and_facts_changed_inside_the_source_frame(
    claim: str, expected: str, why: str
) -> None:
    v = verify_sentence(claim, SourceIndex(articles_from_text(_MARKETS)))
    assert v.label == expected, v.reason
    assert why in v.reason


def test_percentage_points_are_their_own_unit() -> None:
    (pp,) = quantities(tokens("raised rates by 0.5 percentage points"))
    (pct,) = quantities(tokens("raised rates by 0.5%"))
    (points,) = quantities(tokens("raised rates by 0.5 points"))
    assert pp.unit == "pp" and pct.unit == "%"
    assert not pp.matches(pct) and not pct.matches(pp)
    assert points.matches(pp) and pp.matches(points)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("The striking drivers accepted the new pay offer on Monday.", "contradicted"),
        ("The striking drivers did not accept the new pay offer on Monday.", "supported"),
        ("The union declined to comment on the new pay offer.", "supported"),
    ],
)
def test_refused_to_is_a_negation(claim: str, expected: str) -> None:
    doc = (
        "The striking drivers refused to accept the new pay offer on Monday. The union"
        " declined to comment on the new pay offer."
    )
    v = verify_sentence(claim, SourceIndex(articles_from_text(doc)))
    assert v.label == expected, v.reason
