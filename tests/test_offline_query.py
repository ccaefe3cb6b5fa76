"""Query stories over a pile of articles: one claim stated in many words is chosen once and
cites every article that states it; details beat restatements of the question; sentences
about other subjects stay out. The articles are fictional (a town council in "Harrowgate")."""

from __future__ import annotations

import pytest

from newsdistill.models import Article, Page
from newsdistill.pipeline import Options, make_articles, write_event
from newsdistill.write.offline import WriteOptions, trim

# Each article: an opening paragraph, a paragraph on parking (a restatement of the subject,
# then the details in that outlet's words), a paragraph on the library, one on the budget.
_PARKING_OPENERS = [
    "The council is also changing its parking policy for the town centre.",
    "Councillors also agreed a new parking policy for the centre of town.",
    "The meeting also settled the parking policy for the town centre.",
    "A new parking policy for the town centre was also approved by the council.",
    "The town centre parking policy is changing as well, the council decided.",
    "Parking policy in the town centre was also on the agenda this week.",
]
_FINES = [
    "Fines for overstaying at meters will double from $40 to $80 on March 3.",
    "From March 3, a meter overstay fine doubles to $80 from $40.",
    "Overstaying a meter will cost drivers $80 from March 3, double the current $40 fine.",
    "The fine for an overstay at a meter doubles from $40 to $80 starting March 3.",
    "Drivers who overstay at meters face fines doubling to $80 from $40 on March 3.",
]
_SATURDAY = [
    "Shoppers will get two free hours on Saturdays at the Quay Street garage.",
    "The Quay Street garage will offer shoppers two free hours every Saturday.",
    "Two free hours of Saturday parking are coming to the Quay Street garage for shoppers.",
]
_LIBRARY = [
    "The Fenwick Road library will open on Sundays from April, with longer evening hours.",
    "From April the Fenwick Road library opens on Sundays and stays open later in the evening.",
    "Sunday opening starts at the Fenwick Road library in April, alongside later evening hours.",
    "The library on Fenwick Road adds Sunday opening in April and longer evening hours.",
    "Longer evening hours and Sunday opening begin at the Fenwick Road library in April.",
    "In April the Fenwick Road library will begin opening on Sundays, with later evenings too.",
]
_BUDGET = [
    "The budget sets aside $2.4 million to resurface Mill Lane and repair its drains.",
    "Resurfacing Mill Lane and repairing its drains will take $2.4 million of the budget.",
    "Some $2.4 million of the budget goes to resurfacing Mill Lane and fixing its drains.",
    "Mill Lane will be resurfaced and its drains repaired with $2.4 million from the budget.",
    "The budget puts $2.4 million towards resurfacing Mill Lane and repairing its drains.",
    "A $2.4 million line in the budget pays for Mill Lane resurfacing and drain repairs.",
]
_OUTLETS = ["Harrowgate Post", "Quay Courier", "Valley Ledger", "Town Crier", "North Wire",
            "Evening Gazette"]  # fmt: skip


def _pages() -> list[Page]:
    pages = []
    for n, outlet in enumerate(_OUTLETS):
        parking = [_PARKING_OPENERS[n]]
        if n < len(_FINES):
            parking.append(_FINES[n])
        if n < len(_SATURDAY):
            parking.append(_SATURDAY[n])
        text = "\n\n".join(
            [
                "Harrowgate's council met on Tuesday evening for its last session of the "
                "winter, with a long agenda and a full public gallery.",
                " ".join(parking),
                "Library users had pressed for change for months. " + _LIBRARY[n],
                "Councillors then turned to roads. " + _BUDGET[n],
            ]
        )
        pages.append(Page(source=f"doc{n}", title="", text=text, outlet=outlet))
    return pages


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return make_articles(_pages())


@pytest.fixture(scope="module")
def parking_story(articles):
    options = Options(write=WriteOptions(words=60, query="Changes to the parking policy"))
    return write_event(articles, options)


def _fines_sentences(story):
    return [s for s in story.sentences if "$80" in s.text]


def test_the_details_answer_the_question_not_restatements_of_it(parking_story):
    text = " ".join(s.text for s in parking_story.sentences)
    assert "$80" in text and "Quay Street" in text
    # Six outlets restate the subject in six ways: that is one claim, told once at most.
    assert sum(s.text in _PARKING_OPENERS for s in parking_story.sentences) <= 1


def test_a_claim_in_many_wordings_is_told_once_and_cites_every_article_stating_it(
    parking_story, articles
):
    [fines] = _fines_sentences(parking_story)
    cited = {c.article for c in fines.citations}
    stating = {a.id for a in articles if any(f in a.page.text for f in _FINES)}
    assert cited == stating  # every article that states it, and none that does not
    by_id = {s.id: s.text for a in articles for s in a.sentences}
    for c in fines.citations:
        assert "$80" in by_id[c.sentence]  # the cited sentence is the fact, not its paragraph


def test_other_subjects_stay_out_of_a_query_story(parking_story):
    text = " ".join(s.text for s in parking_story.sentences)
    assert "Fenwick Road" not in text and "Mill Lane" not in text


def test_every_query_story_sentence_is_verified_and_verbatim(parking_story, articles):
    sources = " ".join(a.page.text for a in articles)
    for s in parking_story.sentences:
        assert s.verdict is not None and s.verdict.label == "supported"
        assert s.text in sources


def test_another_question_over_the_same_pile_gets_its_own_facts(articles):
    options = Options(write=WriteOptions(words=40, query="The library opening hours"))
    story = write_event(articles, options)
    text = " ".join(s.text for s in story.sentences)
    assert "Fenwick Road" in text
    assert "$80" not in text and "Mill Lane" not in text
    [library] = [s for s in story.sentences if "Fenwick Road" in s.text]
    assert len({c.article for c in library.citations}) == len(_LIBRARY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "In addition to the fines, drivers face towing.",
            "In addition to the fines, drivers face towing.",
        ),
        ("In addition, drivers face towing.", "Drivers face towing."),
        ("However, the garage stays shut.", "The garage stays shut."),
    ],
)
def test_trim_keeps_in_addition_to(text, expected):
    assert trim(text) == expected


# --- choosing: other sub-points first, and nothing the verifier would withhold ----------------


def test_pick_diverse_prefers_another_sub_point_to_a_second_detail_of_the_first():
    import numpy as np

    from newsdistill.write.offline import pick_diverse

    score = np.array([1.0, 0.9, 0.8])
    # 0 and 1 are two details of one sub-point; 2 is another sub-point.
    sim = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0.0, 0.0, 1.0]])
    chosen = [0]
    pick_diverse(score, sim, chosen, lambda p: chosen.append(p) is None, lambda: len(chosen) >= 2)
    assert chosen == [0, 2]


def test_pick_diverse_offers_each_candidate_once_and_stops_when_none_fits():
    import numpy as np

    from newsdistill.write.offline import pick_diverse

    offered: list[int] = []

    def refuse(p: int) -> bool:
        offered.append(p)
        return False

    chosen: list[int] = []
    pick_diverse(np.array([0.5, 0.9, 0.7]), np.eye(3), chosen, refuse, lambda: False)
    assert offered == [1, 2, 0] and chosen == []


# The county's repair bill is disputed ($3.2 million in two outlets, $4.1 million in two); the
# lane that stays open and the ferry are not.
_COST = [
    "Repairing the Alder Bridge deck will cost $3.2 million, with the work starting in June.",
    "The deck repairs on the Alder Bridge will cost $3.2 million, starting in June.",
    "Repairs to the deck of the Alder Bridge will cost $4.1 million, with work from June.",
    "The Alder Bridge deck will be repaired at a cost of $4.1 million from June.",
]
_LANE = [
    "One lane of the Alder Bridge will stay open to cars during the repairs, with a 20 mph limit.",
    "During the repairs a single lane stays open to cars on the Alder Bridge, limited to 20 mph.",
    "Cars keep one open lane on the Alder Bridge throughout the repairs, at 20 mph.",
]
_FERRY = [
    "A free shuttle ferry will carry cyclists and walkers across the river at Fenby Quay every "
    "half hour.",
    "Cyclists and walkers can cross the river on a free shuttle ferry from Fenby Quay every half "
    "hour.",
    "Every half hour a free shuttle ferry takes walkers and cyclists across from Fenby Quay.",
]


def _bridge_pages() -> list[Page]:
    pages = []
    for n, outlet in enumerate(
        ["Alder Gazette", "Fenby Courier", "Riverside Wire", "County Ledger"]
    ):
        text = "\n\n".join(
            [
                "The county board met on Monday to settle how the river crossing would be "
                "handled this summer.",
                " ".join([_COST[n], *_LANE[n : n + 1]]),
                _FERRY[n] if n < len(_FERRY) else "Residents filled the hall for the vote.",
            ]
        )
        pages.append(Page(source=f"doc{n}", title="", text=text, outlet=outlet))
    return pages


def test_a_query_story_leaves_out_a_disputed_figure_instead_of_having_it_withheld():
    articles = make_articles(_bridge_pages())
    story = write_event(
        articles, Options(write=WriteOptions(words=45, query="Repairs to the Alder Bridge"))
    )
    text = " ".join(s.text for s in story.sentences)
    assert "$3.2 million" not in text and "$4.1 million" not in text  # neither side as fact
    assert story.dropped == []  # the writer asked the verifier first: no slot was wasted
    assert any(s.text in _LANE for s in story.sentences)
    assert story.discrepancies  # the dispute is shown where it belongs
