"""Cleaning and segmentation on blocks of text: what is furniture, what is reporting."""

from __future__ import annotations

from newsdistill.clean import clean_blocks, clean_text, is_furniture, lift_dateline
from newsdistill.segment import Block, keep_main

BODY = [
    "The county council approved the new depot on Tuesday by seven votes to four, ending a "
    "two-year dispute over where the region's electric buses would be charged.",
    "Councillor Amal Reyes, who chairs the transport committee, said construction would start "
    "in September and the depot would open in the spring of 2027.",
    "Residents of Holm Street, where the depot will be built, had argued that the site was too "
    "close to the primary school. The council said a noise barrier would be built along the road.",
    "The depot will hold 60 buses and cost 18 million pounds, most of it from a national grant "
    "for cleaner transport, according to council papers.",
]


def p(text: str) -> Block:
    return Block("p", text)


def test_furniture_lines_are_removed_and_reporting_is_kept() -> None:
    furniture = [
        "We use cookies to improve your experience. By continuing you agree to our policy.",
        "Share Tweet Email",
        "Facebook | Twitter | WhatsApp",
        "Sign up for our Morning Briefing newsletter",
        "Advertisement",
        "Related: Council delays vote on bus depot",
        "READ MORE: What the new depot means for your route",
        "Image caption, Buses at the old depot on Monday",
        "Photo: Lena Marsh/Westmarch Herald",
        "Updated 4:05 p.m. ET, March 3, 2025",
        "© 2025 Westmarch Herald. All rights reserved.",
    ]
    for line in furniture:
        assert is_furniture(line), line
    reporting = [
        "Related charges were filed against the driver on Friday, police said.",
        "Share prices in the bus maker fell 4 percent after the announcement.",
        "The newsletter, which goes to 3,000 households, first reported the plan.",
        "Subscribers to the council's alert service were told of the decision at noon.",
        "Published figures show the depot will cost 18 million pounds.",
        *BODY,
    ]
    for line in reporting:
        assert not is_furniture(line), line


def test_caption_twice_headline_and_related_box_are_removed() -> None:
    caption = "Buses queue at the Holm Street site on Monday. (Photo: Lena Marsh/Herald)"
    blocks = [
        Block("head", "Council approves electric bus depot after two-year dispute"),
        p(BODY[0]),
        p("Buses queue at the Holm Street site on Monday."),
        p("Buses queue at the Holm Street site on Monday."),
        p(caption),
        p(BODY[1]),
        Block("head", "Related stories"),
        Block("list", "Depot plan sent back to committee\nWhat electric buses cost"),
        p(BODY[2]),
        p(BODY[3]),
    ]
    out = clean_blocks(blocks, "Council approves electric bus depot after two-year dispute")
    texts = [b.text for b in out.blocks]
    # The caption printed twice is kept once (a bare caption reads like a sentence); its
    # credited copy goes.
    assert texts == [BODY[0], "Buses queue at the Holm Street site on Monday.", *BODY[1:]]
    assert out.title_at == 0
    assert "Depot plan sent back to committee" not in "\n".join(texts)


def test_short_lines_repeated_far_apart_are_structure_not_captions() -> None:
    # A timetable or meal plan repeats its labels; these are body text.
    blocks = [p("Monday"), p(BODY[0]), p(BODY[1]), p(BODY[2]), p(BODY[3]), p("Monday")]
    out = clean_blocks(blocks)
    assert [b.text for b in out.blocks].count("Monday") == 2


def test_glued_byline_and_dateline_are_lifted() -> None:
    blocks = [p("By Ruth Ambley TOLLAND VALE, June 2 (Herald) - A blast cracked 27 homes.")]
    kept, dateline, byline = lift_dateline(blocks)
    assert kept[0].text == "A blast cracked 27 homes."
    assert dateline == "TOLLAND VALE, June 2 (Herald)"
    assert byline == "Ruth Ambley"


def test_byline_line_is_removed_and_recorded() -> None:
    out = clean_blocks([p("By Amal Reyes and Tom Greel, Staff Writers"), *map(p, BODY)])
    assert out.byline == "Amal Reyes and Tom Greel"
    assert out.blocks[0].text == BODY[0]


def test_clean_text_keeps_plain_paragraphs() -> None:
    text, dateline = clean_text(
        "HARTWELL, Nov. 18 - " + BODY[0] + "\nShare this article\n" + BODY[1]
    )
    assert text == BODY[0] + "\n\n" + BODY[1]
    assert dateline == "HARTWELL, Nov. 18"


OTHER_STORY = [
    Block("head", "Fenwick Rovers sign striker Dario Pellan on three-year deal"),
    p(
        "Fenwick Rovers have signed striker Dario Pellan from Lusk Athletic on a three-year "
        "contract, the club announced on Monday."
    ),
    p(
        "Pellan, 24, scored 19 goals for Lusk last season. Rovers manager Tomas Greel said the "
        "forward would add pace to the attack."
    ),
]
TITLE = "Council approves electric bus depot after two-year dispute"


def test_appended_unrelated_story_is_dropped() -> None:
    result = keep_main([*map(p, BODY), *OTHER_STORY], TITLE)
    kept = "\n".join(b.text for b in result.kept)
    assert "Pellan" not in kept and "Rovers" not in kept
    assert [b.text for b in result.kept] == BODY
    assert len(result.dropped) == 1


def test_subsections_of_the_same_story_are_kept() -> None:
    section = [
        Block("head", "Noise barrier for Holm Street"),
        p(
            "The council said the noise barrier along Holm Street would be three metres high, "
            "and Councillor Amal Reyes promised residents a say in its design before September."
        ),
    ]
    result = keep_main([*map(p, BODY), *section], TITLE)
    assert result.dropped == []
    assert result.kept[-1] == section[-1]


def test_a_roundup_of_unrelated_items_is_kept_whole() -> None:
    # Sections on ever new subjects: a briefing, not an article with something appended.
    briefs = [
        Block("head", "Harbour museum unveils restored whaling boat"),
        p(
            "The Saltmere Harbour Museum put a restored whaling boat on display after a "
            "four-year project by volunteers, curator Ines Varga said on Tuesday. Volunteers "
            "replaced most of the hull planks."
        ),
        Block("head", "Lakeside choir wins national title"),
        p(
            "The Orwell Lakeside Choir won the national amateur choir competition in Dunmore on "
            "Saturday, beating 14 other choirs, conductor Pieter Haas said. It is the first "
            "title in the choir's history."
        ),
    ]
    blocks = [*map(p, BODY), *OTHER_STORY, *briefs]
    result = keep_main(blocks, TITLE)
    assert result.kept == blocks


def test_teaser_above_the_headline_line_is_dropped() -> None:
    teaser = p(
        "Fenwick Rovers have signed striker Dario Pellan from Lusk Athletic, manager Tomas "
        "Greel said on Monday."
    )
    blocks = [teaser, *map(p, BODY)]
    result = keep_main(blocks, TITLE, title_at=1)
    assert result.kept == [p(t) for t in BODY]
