"""Event clustering: merge errors and split errors on the labelled fixtures, the incremental
clusterer, the topic filter and the ``cluster`` command.

The fixture floors below are stated once and not tuned to pass: the defaults were
calibrated on these fixtures with dates removed (see cluster.ClusterOptions), where they
score 1.000 dated and 0.975 undated; the floors leave room for small changes elsewhere in
the pipeline (extraction, sentence splitting) without hiding a real regression.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsdistill.cli import main
from newsdistill.cluster import (
    ClusterOptions,
    EventClusterer,
    bcubed,
    cluster_articles,
    headline,
    matches_topic,
    names,
    roundup,
)
from newsdistill.errors import NothingToWrite
from newsdistill.extract import extract
from newsdistill.models import Article, Page
from newsdistill.pipeline import Options, distill, make_articles, stories_from
from newsdistill.sources import read

EVENTS = Path(__file__).parent / "fixtures" / "events"
FLOOR_DATED = 0.95
FLOOR_UNDATED = 0.90


def _labelled(folder: Path) -> tuple[list[str], list[Article], list[str]]:
    """File names, articles and gold event labels of a labelled fixture folder."""
    labels = json.loads((folder / "labels.json").read_text())
    files = sorted(labels)
    pages = [extract(read(str(folder / f))) for f in files]
    return files, make_articles(pages), [labels[f] for f in files]


@pytest.fixture(scope="module")
def fixture_set() -> tuple[list[str], list[Article], list[str]]:
    return _labelled(EVENTS)


def _undated(articles: list[Article]) -> list[Article]:
    return make_articles([replace(a.page, published=None) for a in articles])


def _cluster_of(groups: list[list[int]], files: list[str], prefix: str) -> set[int]:
    """Indices of the clusters holding the files whose names start with ``prefix``."""
    wanted = {i for i, f in enumerate(files) if f.startswith(prefix)}
    assert wanted, prefix
    return {n for n, g in enumerate(groups) if wanted & set(g)}


def test_fixture_set_is_big_enough(fixture_set) -> None:
    files, _, gold = fixture_set
    assert len(files) >= 40
    assert len(set(gold)) >= 10


@pytest.mark.parametrize("dated", [True, False])
def test_bcubed_on_fixtures_above_floor(fixture_set, dated: bool) -> None:
    _, articles, gold = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    _, _, f1 = bcubed(groups, gold)
    assert f1 >= (FLOOR_DATED if dated else FLOOR_UNDATED)


@pytest.mark.parametrize("dated", [True, False])
def test_two_earthquakes_never_share_a_cluster(fixture_set, dated: bool) -> None:
    files, articles, _ = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    peru = _cluster_of(groups, files, "e01-")
    mindanao = _cluster_of(groups, files, "e02-")
    assert not peru & mindanao


@pytest.mark.parametrize("dated", [True, False])
def test_same_topic_events_stay_apart(fixture_set, dated: bool) -> None:
    """Two factory fires, two football finals: same vocabulary, different events."""
    files, articles, _ = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    for a, b in [("e05-", "e06-"), ("e07-", "e08-"), ("e05-", "e12-"), ("e06-", "e12-")]:
        assert not _cluster_of(groups, files, a) & _cluster_of(groups, files, b), (a, b)


def test_rate_cuts_two_months_apart_are_two_events(fixture_set) -> None:
    # Same central bank, same governor, same words: only the dates tell them apart. Without
    # dates they merge (known and accepted; see docs/clustering.md).
    files, articles, _ = fixture_set
    groups = cluster_articles(articles)
    assert not _cluster_of(groups, files, "e03-") & _cluster_of(groups, files, "e04-")


@pytest.mark.parametrize("dated", [True, False])
def test_low_overlap_reports_of_one_event_form_one_cluster(fixture_set, dated: bool) -> None:
    """The court ruling: a wire report, an analysis and a profile of the claimant that
    shares few words with the others but the same judge, town and people."""
    files, articles, _ = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    (only,) = _cluster_of(groups, files, "e09-")
    assert {files[i][:4] for i in groups[only]} == {"e09-"}


def test_every_multi_report_event_is_whole(fixture_set) -> None:
    files, articles, gold = fixture_set
    groups = cluster_articles(articles)
    for label in set(gold):
        members = {i for i, g in enumerate(gold) if g == label}
        assert any(members <= set(g) for g in groups), label


def test_result_does_not_depend_on_input_order(fixture_set) -> None:
    files, articles, _ = fixture_set
    base = {frozenset(files[i] for i in g) for g in cluster_articles(articles)}
    order = list(range(len(articles)))
    random.Random(3).shuffle(order)
    shuffled = [articles[i] for i in order]
    again = {frozenset(files[order[i]] for i in g) for g in cluster_articles(shuffled)}
    assert again == base


def test_groups_are_largest_first_and_cover_every_article(fixture_set) -> None:
    _, articles, _ = fixture_set
    groups = cluster_articles(articles)
    assert sorted(i for g in groups for i in g) == list(range(len(articles)))
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)
    assert cluster_articles([]) == []


def test_bcubed_by_hand() -> None:
    gold = ["a", "a", "b", "b"]
    assert bcubed([[0, 1], [2, 3]], gold) == (1.0, 1.0, 1.0)
    p, r, _ = bcubed([[0, 1, 2, 3]], gold)
    assert (p, r) == (0.5, 1.0)
    p, r, _ = bcubed([[0], [1], [2], [3]], gold)
    assert (p, r) == (1.0, 0.5)


def test_names_skip_sentence_starts_and_split_multiword_names(fixture_set) -> None:
    files, articles, _ = fixture_set
    found = names(articles[files.index("e09-sundayalmanac-saltash-feature.txt")])
    assert {"saltash", "edwin", "achterberg", "wendle", "larkspur"} <= set(found)
    # "Oakhurst Homes may try again" is its only mention, at a sentence start: not known.
    assert "oakhurst" not in found
    assert "there" not in found and "he" not in found


def test_names_are_counted_once_and_never_words_also_written_in_lower_case() -> None:
    text = (
        "Trams stopped in Marrowick on Tuesday. Commuters in Marrowick waited for buses, and "
        "shops in Marrowick were quiet.\n\nMayor Odile Ferrand spoke in Marrowick at noon. "
        "Support from Financial groups was thin, said Ferrand.\n\nThe financial cost and "
        "the support for drivers were not discussed."
    )
    found = names(make_articles([_page(1, text, None)])[0])
    assert found["marrowick"] == 1 and found["ferrand"] == 1 and found["odile"] == 1
    # Capitalised mid-sentence but also written in lower case: a word, not a name.
    assert "financial" not in found and "support" not in found


@pytest.mark.parametrize("dated", [True, False])
def test_same_day_same_city_events_stay_apart(fixture_set, dated: bool) -> None:
    """A share listing and a tram strike in Marrowick on one day: the city, the mayor and
    the currency are shared, the event is not."""
    files, articles, _ = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    listing, strike = _cluster_of(groups, files, "e19-"), _cluster_of(groups, files, "e20-")
    assert not listing & strike
    assert len(listing) == 1 and len(strike) == 1


@pytest.mark.parametrize("dated", [True, False])
def test_one_event_told_from_several_angles_is_one_story(fixture_set, dated: bool) -> None:
    """A bank takeover reported as markets, regulator, staff and savers stories."""
    files, articles, _ = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    (only,) = _cluster_of(groups, files, "e18-")
    assert {files[i][:4] for i in groups[only]} == {"e18-"}


# Vague reports that name no one (people, places, organisations) or almost no one.
VAGUE_REPORTS = [
    "e10-valleyobserver-aldergate-bridge-span-falls.txt",
    "e12-coastlinedaily-cedar-hollow-thousands-flee.txt",
    "e18-plainsviewtribune-corlander-small-firms.txt",
]


@pytest.mark.parametrize("dated", [True, False])
def test_vague_reports_that_name_no_one_join_their_events(fixture_set, dated: bool) -> None:
    """A report such as "a prominent regional lender collapsed..." names no one; that is no
    evidence of another event, so it is placed on content (ClusterOptions.name_evidence).
    Before, its names half scored 0 and the lender and bridge reports stayed alone."""
    files, articles, gold = fixture_set
    groups = cluster_articles(articles if dated else _undated(articles))
    for name in VAGUE_REPORTS:
        i = files.index(name)
        (group,) = [g for g in groups if i in g]
        assert {gold[j] for j in group} == {gold[i]} and len(group) > 1, name
        assert len(names(articles[i])) <= 2, name


_LENDER = [
    (
        "Ferrow Bank collapses, Tessling Group takes over",
        "Ferrow Bank collapsed on Sunday and was sold to Tessling Group in an emergency "
        "takeover, the Orla Financial Authority said in Brannock.\n\nAll deposits at Ferrow "
        "move to Tessling in full, and the branches of Ferrow open on Monday, chair Ilse "
        "Varro said.\n\nTrading in Ferrow shares was suspended in Brannock.",
    ),
    (
        "Savers queue at Ferrow branches after takeover",
        "Savers queued outside Ferrow Bank branches in Brannock on Monday after the lender's "
        "weekend takeover by Tessling Group.\n\nIlse Varro of the Orla Financial Authority "
        "said every deposit was safe.\n\nTessling chief executive Mads Kerrow said no branch "
        "would close this year.",
    ),
    (
        "Dunmere ferry strike halts crossings",
        "Ferry crews in Dunmere walked out on Monday, halting every crossing to Aske Island, "
        "the Seafarers Union said.\n\nUnion leader Rona Pell said talks with Dunmere Lines "
        "had failed.\n\nPassengers in Dunmere were told to expect delays all week.",
    ),
]
_VAGUE = (
    "Lender collapses, savers told deposits are safe",
    "A regional lender collapsed over the weekend and was sold to a larger rival in an "
    "emergency takeover.\n\nSavers were told that all deposits move to the buyer in full "
    "and that the branches open as normal on monday.\n\nTrading in the lender's shares was "
    "suspended.",
)
_HAIL = (
    "Hail flattens crops on the coast",
    "Hailstones the size of marbles fell on the coast on sunday, and gardeners said the "
    "storm flattened crops and broke greenhouse panes.\n\nForecasters said more storms "
    "would follow.",
)


def _stream(items: list[tuple[str, str]]) -> list[Article]:
    day = datetime(2026, 6, 8, 7)
    return make_articles(
        [_page(n, text, day + timedelta(hours=n), title) for n, (title, text) in enumerate(items)]
    )


def test_a_report_without_names_joins_its_story_on_content() -> None:
    articles = _stream([*_LENDER, _VAGUE, _HAIL])
    assert not names(articles[3]) and not names(articles[4])
    for clusterer in (EventClusterer(), EventClusterer(ClusterOptions(name_evidence=3))):
        ids = [clusterer.add(a) for a in articles]
        assert ids[3] == ids[0] != ids[2]  # the vague lender report joins the takeover
        assert clusterer.groups() == [[0, 1, 3], [2], [4]]  # the hailstorm stays alone
    assert cluster_articles(articles) == [[0, 1, 3], [2], [4]]
    # Off (the names half always counts): 0.5 x content does not reach the bar.
    off = ClusterOptions(name_evidence=0)
    assert cluster_articles(articles, off) == [[0, 1], [2], [3], [4]]


def test_a_named_report_joins_a_story_opened_by_a_report_without_names() -> None:
    """The evidence is the thinner side's: a story whose only report names no one is
    compared on content too, so later named reports join it instead of opening another."""
    articles = _stream([_VAGUE, *_LENDER])
    for options in (ClusterOptions(), ClusterOptions(story_threshold=1.01)):
        clusterer = EventClusterer(options)
        ids = [clusterer.add(a) for a in articles]
        assert ids[0] == ids[1] == ids[2] != ids[3]
    off = EventClusterer(ClusterOptions(name_evidence=0))
    ids = [off.add(a) for a in articles]
    assert ids[0] != ids[1] == ids[2]


def test_names_half_scales_with_the_names_on_the_thinner_side() -> None:
    clusterer = EventClusterer(ClusterOptions(entity_weight=0.5, name_evidence=2))
    assert clusterer._entity_weight(0, 40) == 0.0
    assert clusterer._entity_weight(1, 40) == 0.25
    assert clusterer._entity_weight(2, 40) == clusterer._entity_weight(40, 2) == 0.5
    assert clusterer._entity_weight(12, 0) == 0.0
    assert EventClusterer(ClusterOptions(name_evidence=0))._entity_weight(0, 0) == 0.5


SAME_ACTOR = EVENTS / "same-actor"
# One company's or city's two events on one day; each pair's reports cite the other event.
ONE_ACTOR_PAIRS = [("e21-", "e22-"), ("e23-", "e24-"), ("e25-", "e26-")]


@pytest.fixture(scope="module")
def same_actor_set() -> tuple[list[str], list[Article], list[str]]:
    return _labelled(SAME_ACTOR)


@pytest.mark.xfail(
    strict=True,
    reason="known failure (docs/clustering.md): the actor's names and the cross-references "
    "outweigh the different leads; no tried design fixed it without splitting fixture events",
)
@pytest.mark.parametrize(("first", "second"), ONE_ACTOR_PAIRS)
def test_one_actors_two_events_on_one_day_stay_apart(same_actor_set, first, second) -> None:
    """A carmaker's recall and its new chief executive; a software maker's results and its
    privacy fine; a city's budget vote and its police chief's resignation. Same day, same
    company or city and its people, and each report mentions the other event."""
    files, articles, _ = same_actor_set
    groups = cluster_articles(articles)
    assert not _cluster_of(groups, files, first) & _cluster_of(groups, files, second)


def test_reports_of_one_actors_event_still_share_a_story(same_actor_set) -> None:
    """Control for any fix of the test above: reports of one event that name the same
    company, people and product still come together."""
    files, articles, _ = same_actor_set
    groups = cluster_articles(articles)
    for a, b in [
        ("e21-meridianwire-", "e21-marketcurrent-"),  # the recall and its cost
        ("e22-atlasnewswire-", "e22-harbourledger-"),  # the appointment and a profile
        ("e24-civicreview-", "e24-northgatepost-"),  # the fine and the appeal
    ]:
        assert _cluster_of(groups, files, a) == _cluster_of(groups, files, b), (a, b)


LARGE = EVENTS / "large"  # three large stories of one country and fortnight (README there)


@pytest.fixture(scope="module")
def large_set() -> tuple[list[str], list[Article], list[str]]:
    return _labelled(LARGE)


def test_three_large_stories_of_one_country_and_fortnight_never_mix(large_set, fixture_set) -> None:
    """A bank collapse, a bond-market rout and a storm in one country, windows overlapping,
    24 reports each (the first two share the finance vocabulary and the finance minister).
    Clustered alone and among the small fixture events (a rate cut of another country on
    the same days), no story holds reports of two of them. Guards against designs that let
    large stories draw in whatever is near (a size bonus on the join bar merged all three)."""
    files, articles, gold = large_set
    ffiles, farticles, fgold = fixture_set
    for arts, labels in [(articles, gold), (articles + farticles, gold + fgold)]:
        groups = cluster_articles(arts)
        mixed = [sorted({labels[i] for i in g}) for g in groups if len({labels[i] for i in g}) > 1]
        assert mixed == []
    kinds = json.loads((LARGE / "kinds.json").read_text())
    groups = cluster_articles(articles)
    for story in sorted(set(gold)):  # not by leaving everything alone: most core reports meet
        core = {i for i, f in enumerate(files) if gold[i] == story and kinds[f] == "core"}
        assert max(len(core & set(g)) for g in groups) > len(core) / 2, story


@pytest.mark.xfail(
    strict=True,
    reason="known weakness (docs/clustering.md): an angle piece (dairy farmers after the "
    "storm) shares too little with the core reports' leads and names to reach the join bar",
)
def test_angle_pieces_join_their_large_story(large_set) -> None:
    files, articles, gold = large_set
    kinds = json.loads((LARGE / "kinds.json").read_text())
    groups = cluster_articles(articles)
    cluster = {i: n for n, g in enumerate(groups) for i in g}
    for i, name in enumerate(files):
        if kinds[name] == "angle":
            core = next(j for j, f in enumerate(files) if gold[j] == gold[i] and kinds[f] == "core")
            assert cluster[i] == cluster[core], name


def _deal(bank: str, buyer: str, chair: str, organiser: str, town: str, angle: str) -> str:
    """One report of a bank takeover; ``angle`` is what its first sentence is about."""
    facts = {
        "markets": f"Shares in {bank} fell 30 percent on Monday after {buyer} agreed to buy "
        "the lender for 900 million crowns.",
        "regulator": f"The banking regulator, chaired by {chair}, used emergency powers to "
        f"approve the sale of {bank} to {buyer}.",
        "staff": f"Workers at the 80 branches of {bank} were told their jobs were under "
        f"review, union organiser {organiser} said.",
        "savers": f"Savers with {bank} in {town} were told that every deposit moves to "
        f"{buyer} in full.",
    }
    return "\n\n".join([facts[angle], *(v for k, v in facts.items() if k != angle)])


def test_stories_opened_separately_for_one_event_merge_on_their_profiles() -> None:
    """Each report leads with a different angle, so (with a one-sentence lead and a bar no
    lead reaches) every report opens its own story. The story profiles (full text + names)
    reunite the takeover as reports arrive, and keep the other bank's same-words takeover
    apart; without story merging nothing would join."""
    day = datetime(2026, 6, 8, 7)
    tolland = [
        _deal("Tolland Mutual", "Brisk Bank", "Ada Venn", "Pia Holm", "Carrow", angle)
        for angle in ("markets", "regulator", "staff", "savers")
    ]
    orrin = [
        _deal("Orrin Savings", "Kettle Trust", "Bram Osk", "Ula Fenn", "Wexmoor", angle)
        for angle in ("markets", "staff")
    ]
    articles = make_articles(
        [_page(n, t, day + timedelta(hours=n)) for n, t in enumerate(tolland + orrin)]
    )
    strict = ClusterOptions(threshold=0.9, lead_sentences=1)
    clusterer = EventClusterer(strict)
    ids = [clusterer.add(a) for a in articles]
    assert clusterer.groups() == [[0, 1, 2, 3], [4, 5]]
    assert len({clusterer.resolve(i) for i in ids[:4]}) == 1  # the desk follows merges
    apart = EventClusterer(replace(strict, story_threshold=1.01))
    for a in articles:
        apart.add(a)
    assert len(apart.groups()) == 6
    assert cluster_articles(articles, strict) == [[0, 1, 2, 3], [4, 5]]


# ---------------------------------------------------------------------------------------
# Incremental use


def _page(n: int, text: str, when: datetime | None, title: str = "") -> Page:
    return Page(
        source=f"s{n}", title=title, text=text, published=when.isoformat() if when else None
    )


def _report(place: str, person: str, kind: str) -> str:
    return (
        f"A {kind} hit the town of {place} on Monday, and officials said several people were "
        f"hurt.\n\nMayor {person} said crews from {place} worked through the night after the "
        f"{kind}.\n\nResidents of {place} told reporters that {person} visited the shelters."
    )


def test_incremental_add_returns_story_ids(fixture_set) -> None:
    files, articles, gold = fixture_set
    clusterer = EventClusterer()
    ordered = sorted(range(len(articles)), key=lambda i: articles[i].page.published or "")
    ids = {i: clusterer.add(articles[i]) for i in ordered}
    story_of = {i: clusterer.resolve(cid) for i, cid in ids.items()}
    peru = {story_of[i] for i, f in enumerate(files) if f.startswith("e01-")}
    mindanao = {story_of[i] for i, f in enumerate(files) if f.startswith("e02-")}
    assert len(peru) == 1 and len(mindanao) == 1 and peru != mindanao
    assert len(clusterer) == len(articles)
    assert sorted(i for g in clusterer.groups() for i in g) == list(range(len(articles)))


def test_event_window_splits_the_same_story_a_month_apart() -> None:
    day = datetime(2026, 3, 2, 9)
    text = _report("Tarrow Vale", "Ilse Brannock", "flood")
    pages = [
        _page(1, text, day),
        _page(2, text, day + timedelta(days=1)),
        _page(3, text, day + timedelta(days=30)),
    ]
    groups = cluster_articles(make_articles(pages))
    assert groups == [[0, 1], [2]]
    wider = cluster_articles(make_articles(pages), ClusterOptions(window=timedelta(days=40)))
    assert wider == [[0, 1, 2]]


def test_stream_compares_with_open_stories_only() -> None:
    """Cost per article stays flat as the stream grows: only stories in the article's time
    window are candidates, never every article seen."""
    rng = random.Random(5)
    syllables = "ka lo ven dar mi sel tor ba rin go ash wel mor pen tal quin".split()  # noqa: SIM905

    def name() -> str:
        return "".join(rng.choice(syllables) for _ in range(3)).capitalize()

    clusterer = EventClusterer()
    start = datetime(2026, 1, 1)
    per_add: list[int] = []
    for n in range(600):  # 6 new events a day for 100 days
        before = clusterer.comparisons
        text = _report(name(), f"{name()} {name()}", rng.choice(["storm", "fire", "flood"]))
        page = _page(n, text, start + timedelta(hours=4 * n))
        clusterer.add(make_articles([page])[0])
        per_add.append(clusterer.comparisons - before)
    # Stories open within +-window of a date: about 6 a day x 9 days. Never all 600.
    assert max(per_add) <= 60
    first, last = per_add[100:200], per_add[-100:]
    assert sum(last) <= 1.3 * sum(first)


def test_bridging_report_merges_two_stories() -> None:
    day = datetime(2026, 5, 1, 8)
    a = (
        "Harlow Mere council approved the new library on Tuesday after a long debate.\n\n"
        "Councillor Edda Pryce said the library would open in 2028."
    )
    b = (
        "Edda Pryce welcomed the Harlow Mere library vote.\n\n"
        "Pryce said the building would have a children's floor and a cafe."
    )
    pages = [
        _page(1, a, day, "Harlow Mere approves library"),
        _page(2, a, day),
        _page(3, b, day),
        _page(4, b, day),
    ]
    groups = cluster_articles(make_articles(pages))
    assert groups == [[0, 1, 2, 3]]


# ---------------------------------------------------------------------------------------
# Topic filter and headline


def test_matches_topic(fixture_set) -> None:
    files, articles, _ = fixture_set
    peru = [a for f, a in zip(files, articles, strict=True) if f.startswith("e01-")]
    assert matches_topic(peru, "earthquake Peru")
    assert matches_topic(peru, "EARTHQUAKES in peru")  # case and plural do not matter
    assert not matches_topic(peru, "earthquake Philippines")
    assert not matches_topic(peru, "wildfire")
    assert matches_topic(peru, "the")  # no content word: no filter
    assert not matches_topic([], "earthquake")


def test_headline_is_a_member_title(fixture_set) -> None:
    files, articles, _ = fixture_set
    group = [a for f, a in zip(files, articles, strict=True) if f.startswith("e10-")]
    assert headline(group) in {a.page.title for a in group}


def test_write_makes_one_story_per_event_and_lists_loners(fixture_set) -> None:
    _, articles, gold = fixture_set
    stories, lone = stories_from(articles, Options())
    sizes = {g: gold.count(g) for g in gold}
    assert len(stories) == sum(1 for n in sizes.values() if n > 1)
    assert len(lone) == sum(1 for n in sizes.values() if n == 1)
    assert [len(s.articles) for s in stories] == sorted(
        (len(s.articles) for s in stories), reverse=True
    )


# ---------------------------------------------------------------------------------------
# Command


def test_cluster_command_json(fixture_set) -> None:
    files, _, gold = fixture_set
    sources = [str(EVENTS / f) for f in files]
    result = CliRunner().invoke(
        main, ["cluster", *sources, "missing.txt", "--format", "json", "-q"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    roundups = sorted(str(EVENTS / f) for f in files if f.startswith("r"))
    assert len(roundups) >= 4
    assert len(out["clusters"]) == len(set(gold)) - len(roundups)
    first = out["clusters"][0]
    assert set(first) == {"id", "members", "headline"} and first["id"] == "c1"
    members = sorted(m for c in out["clusters"] for m in c["members"])
    assert members == sorted(set(sources) - set(roundups))
    skipped = {s["source"]: s["reason"] for s in out["skipped"]}
    assert sorted(skipped) == sorted([*roundups, "missing.txt"])
    assert all(skipped[r].startswith("roundup: ") for r in roundups)


def test_cluster_command_topic(fixture_set) -> None:
    files, _, _ = fixture_set
    sources = [str(EVENTS / f) for f in files]
    args = ["cluster", *sources, "--format", "json", "-q", "--topic", "bridge collapse"]
    out = json.loads(CliRunner().invoke(main, args).stdout)
    assert len(out["clusters"]) == 1
    assert all("aldergate-bridge" in m for m in out["clusters"][0]["members"])


def test_cluster_command_topic_that_no_story_is_about_exits_1(fixture_set) -> None:
    sources = [str(EVENTS / f) for f in fixture_set[0]]
    args = ["cluster", *sources, "--format", "json", "-q", "--topic", "zebra migration"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1  # as `write --topic`; the empty result is still printed
    assert json.loads(result.stdout)["clusters"] == []
    assert "no story is about 'zebra migration'" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cluster_command_warns_once_about_each_skipped_source(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "empty").mkdir()
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    bad = [str(tmp_path / "empty"), "missing.txt", str(binary), BRIEF]
    reports = [str(p) for p in sorted(EVENTS.glob("e11-*.txt"))]
    result = CliRunner().invoke(main, ["cluster", *reports, *bad, "--format", fmt])
    assert result.exit_code == 0, result.output
    prefix = "warning: skipped "
    warned = [line[len(prefix) :] for line in result.stderr.splitlines() if line.startswith(prefix)]
    assert sorted(line.split(": ")[0] for line in warned) == sorted(bad)


def test_cluster_command_fails_when_nothing_is_usable() -> None:
    result = CliRunner().invoke(main, ["cluster", "missing.txt", "-q"])
    assert result.exit_code == 1
    assert "no usable source" in result.output


# ---------------------------------------------------------------------------------------
# Roundups (briefings, "things to know" lists) join no event story

FIRE = sorted(str(p) for p in EVENTS.glob("e05-*.txt"))
BRIEF = str(EVENTS / "r01-eveningcourier-midweek-brief.txt")  # mentions the fire in one item


def test_every_roundup_in_the_fixtures_stays_alone(fixture_set) -> None:
    files, articles, _ = fixture_set
    for groups in (cluster_articles(articles), cluster_articles(_undated(articles))):
        for n, f in enumerate(files):
            if f.startswith("r"):
                assert [n] in groups, f


def test_a_roundup_in_a_stream_opens_a_story_nothing_joins() -> None:
    pages = [extract(read(p)) for p in [BRIEF, *FIRE]]
    clusterer = EventClusterer()
    ids = [clusterer.add(a) for a in make_articles(pages)]
    assert clusterer.clusters[ids[0]].roundup is not None
    assert ids[0] not in ids[1:]
    assert len({clusterer.resolve(i) for i in ids[1:]}) == 1
    assert clusterer.clusters[ids[0]].members == [0]


BACKDROP = EVENTS / "backdrop"  # lists whose items all name one company (README there)


def _backdrop_article(name: str) -> Article:
    return make_articles([extract(read(str(BACKDROP / name)))])[0]


@pytest.mark.parametrize(
    "name",
    [
        # found since the eighth session as a shopping list (every item has a price)
        "r05-valleyobserver-kelvane-winter-deals.txt",
        pytest.param(
            "r06-marketcurrent-harrowgate-week.txt",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known weakness: items that all name one company link into one "
                "subject (tests/fixtures/events/backdrop/README.md)",
            ),
        ),
    ],
)
def test_a_roundup_whose_items_all_name_one_company_is_found(name: str) -> None:
    assert roundup(_backdrop_article(name)) is not None


def test_a_list_about_one_event_that_names_its_company_throughout_is_its_report() -> None:
    # The control for the weakness above: any fix must keep this list a report of e11.
    five = _backdrop_article("e11-eveningcourier-aerobrew-five-things.txt")
    assert roundup(five) is None
    recall = [extract(read(str(p))) for p in sorted(EVENTS.glob("e11-*.txt"))]
    articles = [*make_articles(recall), five]
    assert cluster_articles(articles) == [list(range(len(articles)))]


def test_roundup_detection_can_be_switched_off() -> None:
    article = make_articles([extract(read(BRIEF))])[0]
    assert roundup(article) is not None
    assert roundup(article, ClusterOptions(roundup=None)) is None


def test_cluster_command_lists_a_roundup_as_skipped_with_its_reason() -> None:
    result = CliRunner().invoke(main, ["cluster", *FIRE, BRIEF, "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [sorted(c["members"]) for c in out["clusters"]] == [FIRE]
    [skipped] = out["skipped"]
    assert skipped["source"] == BRIEF
    assert skipped["reason"].startswith("roundup: 5 items on 5 unrelated subjects")


def test_write_keeps_the_roundup_out_of_the_story_it_mentions() -> None:
    digest = distill([*FIRE, BRIEF])
    [story] = digest.stories
    assert sorted(a.page.source for a in story.articles) == FIRE
    cited = {c.article for s in story.sentences for c in s.citations}
    assert cited and cited <= {a.id for a in story.articles}
    assert [(s.source, s.reason.split(":")[0]) for s in digest.skipped] == [(BRIEF, "roundup")]
    assert digest.unclustered == []
    text = CliRunner().invoke(main, ["write", *FIRE, BRIEF, "--quiet"]).output
    assert f"{BRIEF}: roundup: 5 items" in text
    assert "Hollinsford" not in text.split("Skipped sources")[0]  # no item of the brief


def test_write_warns_about_a_roundup_as_cluster_does() -> None:
    reports = [str(p) for p in sorted(EVENTS.glob("e05-*.txt"))]
    found = roundup(make_articles([extract(read(BRIEF))])[0])
    assert found is not None
    for command in ("write", "cluster"):
        result = CliRunner().invoke(main, [command, *reports, BRIEF])
        assert result.exit_code == 0, result.output
        warned = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
        assert warned == [f"warning: skipped {BRIEF}: {found.reason}"], command


def test_write_on_roundups_alone_says_there_is_no_event_report() -> None:
    with pytest.raises(NothingToWrite, match="no report of an event.*roundup: "):
        distill([BRIEF])
    # `cluster` agrees with `write`: nothing but roundups is a failed run, with the reason.
    result = CliRunner().invoke(main, ["cluster", BRIEF, "--format", "json", "-q"])
    assert result.exit_code == 1 and "no report of an event" in result.output
