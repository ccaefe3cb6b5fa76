"""Atoms of meaning (``claims.py``): codes, bounds, changes over time, dates, modal kinds."""

from __future__ import annotations

from newsdistill.claims import (
    date_mentions,
    dates,
    fate,
    modal_class,
    modal_positions,
    names,
    quantities,
    tokens,
)


def _counts(text: str) -> list[tuple[float, str]]:
    return [(q.value, q.unit) for q in quantities(tokens(text))]


def test_model_and_group_names_are_not_counts() -> None:
    assert _counts("The carmaker recalled its V8 engines.") == []
    assert _counts("Nordvale grounded all of its A320 jets.") == []
    assert _counts("G7 transport ministers met in Tarsk.") == []
    assert _counts("The F-35 and the H5N1 virus made news.") == []
    # The count after a code counts what follows the code.
    assert _counts("The hospital treats 40 COVID-19 patients.") == [(40.0, "patient")]
    assert _counts("Nordvale grounded 14 of its A320 jets.") == [(14.0, "jets")]


def test_codes_and_designations_are_names() -> None:
    assert {"a320", "g7"} <= names(tokens("Airbus said the A320 order came from the G7 fund."))
    toks = tokens("Flight 370 vanished with 239 people aboard.")
    assert "370" in names(toks)
    assert _counts("Flight 370 vanished with 239 people aboard.") == [(239.0, "aboard")]
    assert _counts("A Category 4 hurricane hit 3 towns.") == [(3.0, "town")]


def test_a_year_after_a_prefix_stays_a_year() -> None:
    assert ("year", "2024") in dates(tokens("Mid-2024 sales rose."))
    assert ("year", "2024") in dates(tokens("It opened in mid-2024."))
    # A month or "FY" fused to a year is a date too, never a model code.
    assert {("month", "5"), ("year", "2025")} <= dates(tokens("The plant opens in May-2025."))
    assert ("year", "2024") in dates(tokens("Revenue rose 4% in FY2024."))
    assert "fy2024" not in names(tokens("Revenue rose 4% in FY2024."))


def test_bounds() -> None:
    (q,) = quantities(tokens("At least four people died."))
    assert q.bound == "min" and q.within(quantities(tokens("Seven people died."))[0])
    (q,) = quantities(tokens("Up to 30 homes may be lost."))
    assert q.bound == "max" and not q.within(quantities(tokens("40 homes were lost."))[0])
    (q,) = quantities(tokens("Twelve houses were destroyed."))
    assert q.bound == "" and not q.within(q)


def test_changes_over_time_are_marked() -> None:
    (q,) = quantities(tokens("Police had earlier reported at least four dead."))
    assert (q.stage, q.bound) == ("earlier", "min")
    (q,) = quantities(tokens("The government revised its estimate of the damage to $8 million."))
    assert q.stage == "revised" and q.currency == "$"
    old, new = quantities(tokens("The toll, initially put at four, rose to seven dead."))
    assert (old.stage, new.stage) == ("earlier", "revised")
    # A change by an amount is not a new figure: two outlets' "rose 5%" and "rose 7%" differ.
    (q,) = quantities(tokens("Shares rose 5% on Monday."))
    assert q.stage == ""


def test_date_mentions_say_where_and_how_written() -> None:
    toks = tokens("The line is not expected to open until late 2032, in March.")
    found = {(m.kind, m.value, m.text) for m in date_mentions(toks)}
    assert found == {("year", "2032", "late 2032"), ("month", "3", "March")}
    (m,) = [m for m in date_mentions(toks) if m.kind == "year"]
    assert toks[m.pos].text == "2032"


def test_modal_kinds() -> None:
    toks = tokens("The city may add a depot; the ministry plans to extend the line and will pay.")
    kinds = [modal_class(toks[k].lower) for k in modal_positions(toks)]
    assert kinds == ["possible", "intended", "intended"]
    assert modal_class("could") == modal_class("considering") == "possible"
    assert modal_class("would") == modal_class("expected") == "intended"
    assert modal_class("should") == "obliged" and modal_class("allegedly") == "alleged"


def _fates(text: str) -> list[tuple[float, str | None]]:
    toks = tokens(text)
    return [(q.value, fate(toks, q)) for q in quantities(toks)]


def test_what_happened_to_the_people_a_figure_counts() -> None:
    assert _fates("Four passengers died at the scene and 11 others were injured.") == [
        (4, "dead"),
        (11, "injured"),
    ]
    assert _fates("The crash killed four passengers and injured 11 others.") == [
        (4, "dead"),
        (11, "injured"),
    ]
    # The fate word of another clause is not this figure's.
    assert _fates("Four members were killed and eleven people were hurt.") == [
        (4, "dead"),
        (11, "injured"),
    ]
    assert _fates("Two hikers are still missing.") == [(2, "missing")]
    # No fate word near it, or only across a comma: nothing is claimed about what happened.
    assert _fates("Rescuers from 3 villages reached the scene.") == [(3, None)]
    assert _fates("Fifteen houses were destroyed, and two people were killed.")[0] == (15, None)


def test_a_decade_is_not_a_year() -> None:
    assert dates(tokens("Bridges from the 1960s and the 1970's can corrode.")) == {
        ("decade", "1960s"),
        ("decade", "1970s"),
    }
    assert dates(tokens("The bridge was built in 1968.")) == {("year", "1968")}
