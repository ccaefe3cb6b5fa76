"""The SummHay coverage/citation judge (bench/summhay_judge.py) on small hand-written cases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from summhay_judge import (  # noqa: E402
    Bullet,
    Example,
    Judge,
    Settings,
    agreement,
    bullet_text,
    calibrate,
    citation_prf,
    cohen_kappa,
    parse_bullets,
    terms,
)

INSIGHTS = [
    ("i1", "Harbor Freight will close 42 stores in Ohio by March, cutting 1,300 jobs."),
    ("i2", "The mayor of Dunmore criticised the closures as a blow to the local economy."),
    ("i3", "Shares of the retailer rose 4% after the announcement."),
]
CORPUS = [t for _, t in INSIGHTS] + [
    "The retailer said sales fell for a third quarter.",
    "Analysts expect more closures across the region.",
    "The retailer plans to open stores online.",
    "The retailer's announcement came on Monday.",
    "Stores of the retailer stay open after the announcement.",
    "The announcement by the retailer surprised the stores' staff.",
]


@pytest.fixture
def judge() -> Judge:
    return Judge(CORPUS)


def test_terms_normalise_numbers_names_and_stems() -> None:
    ts = terms("Harbor Freight cut 1,300 jobs, or 4%, in Ohio; seven stores are closing.")
    keys = {t.key: t.kind for t in ts}
    assert keys["1300"] == "number" and keys["4"] == "number" and keys["7"] == "number"
    assert keys["ohio"] == "name" and keys["freight"] == "name"
    assert keys["harbor"] == "word"  # first word of the sentence: not known to be a name
    assert "close" in keys and "job" in keys
    assert "the" not in keys and "in" not in keys


def test_verbatim_bullet_is_full_coverage(judge: Judge) -> None:
    label, match, k = judge.cover(INSIGHTS[0][1], ["Unrelated text.", INSIGHTS[0][1]])
    assert (label, k) == ("FULL", 1)
    assert match == pytest.approx(1.0)


def test_paraphrase_with_the_key_facts_is_covered(judge: Judge) -> None:
    bullet = "In Ohio, Harbor Freight is closing 42 of its stores by March, and 1,300 jobs go."
    label, _, _ = judge.cover(INSIGHTS[0][1], [bullet])
    assert label == "FULL"


def test_half_the_insight_is_partial(judge: Judge) -> None:
    label, match, k = judge.cover(INSIGHTS[0][1], ["Harbor Freight will close stores in Ohio."])
    assert label == "PARTIAL", match
    assert k == 0


def test_topic_words_alone_are_not_coverage(judge: Judge) -> None:
    label, _, k = judge.cover(INSIGHTS[2][1], ["The retailer made an announcement about stores."])
    assert label == "NO" and k is None


def test_a_wrong_number_costs_more_than_a_word(judge: Judge) -> None:
    text = INSIGHTS[2][1]
    wrong_number = judge.match(text, "Shares of the retailer rose 9% after the announcement.")
    wrong_word = judge.match(text, "Shares of the retailer rose 4% after the statement.")
    assert wrong_number < wrong_word < 1.0


def test_prefix_match_links_word_forms() -> None:
    loose = Judge(CORPUS, Settings(prefix_match=True))
    strict = Judge(CORPUS, Settings(prefix_match=False))
    bullet = "Dunmore's mayor, in a criticism of the closures, spoke of a blow to the economy."
    assert loose.match(INSIGHTS[1][1], bullet) > strict.match(INSIGHTS[1][1], bullet)


def test_score_coverage_citation_and_joint(judge: Judge) -> None:
    bullets = [
        Bullet(INSIGHTS[0][1], frozenset({1, 2})),  # FULL, cites 1 and 2 of gold {1, 2, 3, 4}
        Bullet("Harbor Freight's mayor of Dunmore spoke.", frozenset({9})),
    ]
    gold = {"i1": [1, 2, 3, 4], "i2": [5], "i3": [6]}
    s = judge.score(INSIGHTS, bullets, gold)
    r1 = s.results[0]
    assert (r1.label, r1.bullet) == ("FULL", 0)
    assert (r1.precision, r1.recall) == (1.0, 0.5)
    assert r1.f1 == pytest.approx(2 / 3)
    assert s.results[2].label == "NO" and s.results[2].f1 == 0.0
    points = [r.points for r in s.results]
    assert s.coverage == pytest.approx(sum(points) / 3)
    covered = [r.f1 for r in s.results if r.covered]
    assert s.citation == pytest.approx(100 * sum(covered) / len(covered))
    assert s.joint == pytest.approx(sum(r.points * r.f1 for r in s.results) / 3)


def test_nothing_covered_has_no_citation_score(judge: Judge) -> None:
    s = judge.score(INSIGHTS, [Bullet("Weather was mild.", frozenset({1}))], {})
    assert s.coverage == 0.0 and s.joint == 0.0 and s.citation is None


def test_citation_prf() -> None:
    assert citation_prf({1, 2}, {2, 3, 4, 5}) == (0.5, 0.25, pytest.approx(1 / 3))
    assert citation_prf(set(), {1}) == (0.0, 0.0, 0.0)
    assert citation_prf({7}, set()) == (0.0, 0.0, 0.0)


def test_parse_bullets_maps_one_based_citations() -> None:
    lines = [
        "Here are the insights:",
        "",
        "- **Closures:** Harbor Freight will close 42 stores [3][17].",
        "* Shares rose 4% [2, 5] and [Article 9].",
        "1. The mayor objected [1]",
    ]
    bullets = parse_bullets(lines)
    assert [b.text for b in bullets] == [
        "Here are the insights:",
        "Closures: Harbor Freight will close 42 stores .",
        "Shares rose 4% and .",
        "The mayor objected",
    ]
    assert [sorted(b.docs) for b in bullets] == [[], [2, 16], [1, 4, 8], [0]]
    assert bullet_text("• A bullet [4]") == "A bullet"


def test_cohen_kappa_known_values() -> None:
    assert cohen_kappa(list("AABB"), list("AABB")) == 1.0
    # Observed 0.5, expected 0.5: no better than chance.
    assert cohen_kappa(list("AABB"), list("ABAB")) == pytest.approx(0.0)
    # Classic 2x2 example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4.
    a = ["Y"] * 25 + ["N"] * 25
    b = ["Y"] * 20 + ["N"] * 5 + ["Y"] * 10 + ["N"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        cohen_kappa([], [])


def test_agreement_three_way_and_binary() -> None:
    a = agreement(["FULL", "PARTIAL", "NO", "NO"], ["PARTIAL", "PARTIAL", "NO", "FULL"])
    assert a.n == 4
    assert a.accuracy3 == 0.5
    assert a.accuracy2 == 0.75  # only the last pair differs on covered / not covered


def test_calibrate_is_deterministic_and_separates_labels() -> None:
    insight = INSIGHTS[0][1]
    examples = [
        Example("t", insight, (insight,), "FULL"),
        Example("t", insight, ("Harbor Freight will close 42 stores in Ohio by March.",), "FULL"),
        Example("t", insight, ("Harbor Freight will close stores.",), "PARTIAL"),
        Example("t", insight, ("Ohio stores close; jobs are cut.",), "PARTIAL"),
        Example("t", insight, ("The weather in the region was mild.",), "NO"),
        Example("t", insight, ("Analysts expect a third quarter.",), "NO"),
    ]
    grid = dict(thresholds=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), number_boosts=(1.0, 2.0))
    s1, a1 = calibrate(examples, {"t": CORPUS}, **grid)  # type: ignore[arg-type]
    s2, a2 = calibrate(examples, {"t": CORPUS}, **grid)  # type: ignore[arg-type]
    assert s1 == s2 and a1 == a2
    assert a1.accuracy3 == 1.0
    assert s1.partial < s1.full
