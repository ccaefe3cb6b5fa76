from newsdistill.dedup import merge_copies
from newsdistill.models import Page
from newsdistill.pipeline import make_articles

WIRE = (
    "Firefighters in Brennick battled a blaze at a solvent warehouse for nine hours on Tuesday, "
    "the city's fire chief said. About 1,300 residents living within half a mile were told to "
    "leave their homes as a precaution. Twelve people, including three firefighters, were taken "
    "to hospitals with breathing problems. The cause of the fire was not yet known, and state "
    "investigators were expected at the site on Wednesday morning."
)


def page(source: str, outlet: str, text: str) -> Page:
    return Page(
        source=source, title="Warehouse fire", text=text, outlet=outlet, published="2026-11-18"
    )


def test_syndicated_copy_merges_and_keeps_every_outlet():
    copy = WIRE.rsplit(" and state", 1)[0] + ". (Wire)"  # trimmed ending plus a credit
    other = (
        "A separate report: the Brennick council voted 5-2 on Wednesday to fund a new tram line "
        "along River Road, ending a debate that had lasted two years. The line will cost $48 "
        "million and open in 2029, the transit authority said."
    )
    arts = make_articles([page("w.html", "National Wire", WIRE), page("c.html", "Coastal Times", copy),
                          page("o.html", "Metro Daily", other)])  # fmt: skip
    merged = merge_copies(arts)
    assert len(merged) == 2
    wire = merged[0]
    assert wire.outlets == ["National Wire", "Coastal Times"]
    assert [c.source for c in wire.copies] == ["c.html"]
    assert merged[1].outlets == ["Metro Daily"]


def test_independent_reports_of_one_event_stay_apart():
    paraphrase = (
        "A Tuesday fire at a Brennick warehouse storing solvents sent twelve people to the "
        "hospital and forced roughly 1,300 neighbors out of their houses. Fire officials said "
        "crews needed nine hours to put it out. Investigators from the state will try to find "
        "what started it, officials added."
    )
    arts = make_articles([page("a.html", "A", WIRE), page("b.html", "B", paraphrase)])
    assert len(merge_copies(arts)) == 2
