"""Roundup detection (``segment.find_roundup``): briefings, "things to know" lists and weekly
round-ups are roundups; features about one event built with subheadings or numbered points
are not. The fixtures (tests/fixtures/events r01-r04 and three one-event articles built like
them) are the calibration set of ``RoundupOptions``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdistill.extract import extract
from newsdistill.segment import Block, RoundupOptions, find_roundup, roundup_items, text_blocks
from newsdistill.sources import read

EVENTS = Path(__file__).parent / "fixtures" / "events"
LABELS = json.loads((EVENTS / "labels.json").read_text())
ROUNDUPS = sorted(f for f in LABELS if f.startswith("r"))
# One event each, in the shapes of the roundups: subheadings, days, numbered points.
LOOK_ALIKES = [
    "e10-lantern-aldergate-bridge-longread.txt",
    "e12-greenfieldherald-cedar-hollow-four-days.txt",
    "e06-tidewatertimes-port-ellery-five-things.txt",
]


def _roundup_of(name: str):
    page = extract(read(str(EVENTS / name)))
    return find_roundup(text_blocks(page.text), page.title)


def _blocks(*paragraphs: str) -> list[Block]:
    return [Block("p", p) for p in paragraphs]


@pytest.mark.parametrize("name", ROUNDUPS)
def test_fixture_roundups_are_found_with_a_reason(name: str) -> None:
    found = _roundup_of(name)
    assert found is not None, name
    assert found.subjects >= 4 and found.main_share <= 0.5
    assert found.reason.startswith(f"roundup: {found.items} items on {found.subjects} unrelated")


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_one_event_features_with_sections_are_not_roundups(name: str) -> None:
    assert LABELS[name].startswith("e")
    assert len(roundup_items(text_blocks(extract(read(str(EVENTS / name))).text))) >= 4
    assert _roundup_of(name) is None


def test_no_event_report_in_the_fixtures_is_a_roundup() -> None:
    assert [f for f in sorted(LABELS) if f.startswith("e") and _roundup_of(f)] == []


NEWS = [
    "Telecoms group Vantora will cut 1,100 jobs over two years as it moves its customer "
    "service online, chief executive Priya Castellane told staff.",
    "Astronomers at the Pellworth Observatory say a comet found in March will be visible to "
    "the naked eye in August, low in the north-west sky after sunset.",
    "Councillors in Tolland Vale voted to ban cars from the old market square on Saturdays "
    "from September, after a year-long trial that traders had opposed.",
    "A tortoise called Bartholomew that went missing from a garden in Elmstead in 1987 has "
    "been found alive two streets away, according to the family of its owner.",
]


def test_a_list_block_of_unrelated_items_is_a_roundup() -> None:
    listing = "\n".join(f"- {n}" for n in NEWS)
    found = find_roundup(_blocks("Good morning. Here is the news.", listing), "Tech today")
    assert found is not None and (found.items, found.subjects) == (4, 4)


def test_live_blog_entries_are_items() -> None:
    entries = [f"{9 + i}:{15 * i:02d} {n}" for i, n in enumerate(NEWS)]
    assert find_roundup(_blocks(*entries), "Tuesday as it happens") is not None


def test_a_roundup_title_lowers_the_bar_but_never_decides_alone() -> None:
    three = [b for i, n in enumerate(NEWS[:3]) for b in (f"Item heading {i}", n)]
    assert find_roundup(_blocks(*three), "Evening briefing").cue == "Evening briefing"
    assert find_roundup(_blocks(*three), "Councillors and comets") is None
    # A one-story newsletter with a roundup's name: every section names the same people.
    story = [
        "The Brennan Polymers warehouse in Kestrelford burned for six hours overnight.",
        "Three workers at Brennan Polymers in Kestrelford were treated for smoke inhalation.",
        "Residents of Kestrelford were told to keep windows shut while Brennan Polymers burned.",
        "Investigators will visit the Brennan Polymers site in Kestrelford on Thursday.",
    ]
    sections = [b for i, n in enumerate(story) for b in (f"Part {i}", n + " " + n)]
    assert find_roundup(_blocks(*sections), "Opening Bell: the morning briefing") is None


def test_a_report_with_a_few_side_notes_is_not_a_roundup() -> None:
    main = (
        "Fire crews in Kestrelford fought a blaze at the Brennan Polymers warehouse for six "
        "hours, and three workers and a firefighter were hurt. "
    ) * 6
    blocks = _blocks("The fire", main, *[b for n in NEWS for b in ("In brief elsewhere", n)])
    assert find_roundup(blocks, "Morning briefing") is None  # the fire holds most of the prose
    assert find_roundup(blocks, "Morning briefing", RoundupOptions(max_main_share=0.9))


BRIEFING_HTML = """<!doctype html><html><head><title>Morning Briefing: Thursday | The Evening Courier</title>
<meta property="article:published_time" content="2026-05-07T06:30:00Z"></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Morning Briefing: Thursday</h1>
<p>Good morning. Here is what our newsroom is following today, from a factory fire to a new library.</p>
<h2>Smoke warning lifted in Kestrelford</h2>
<p>Residents living downwind of the Brennan Polymers plant in Kestrelford were told they could open their windows again after a night fire in a warehouse injured three workers and a firefighter.</p>
<h2>Hip waits grow</h2>
<p>Patients in the Tarnside health district now wait an average of 41 weeks for a hip or knee replacement, up from 33 weeks a year ago, according to the district board.</p>
<h2>Library</h2>
<p>The new central library in Hollinsford opens at 9 a.m. after a three-year build. Head librarian Agnes Whitcombe said it would stay open late on weekdays.</p>
<h2>In brief</h2>
<ul><li>Northway Rail will run fewer trains between Dunmere and Abbotsleigh from Monday while engineers replace signalling cables.</li>
<li>Forecasters at the Met Bureau expect a dry and warm weekend, with temperatures reaching 24C in Kelby on Saturday afternoon.</li></ul>
</article></body></html>"""


def test_an_html_briefing_with_headings_and_a_list_is_a_roundup(tmp_path: Path) -> None:
    path = tmp_path / "briefing.html"
    path.write_text(BRIEFING_HTML, encoding="utf-8")
    page = extract(read(str(path)))
    found = find_roundup(text_blocks(page.text), page.title)
    assert found is not None and found.items == 5 and found.cue == "Morning Briefing"
