"""Extraction from realistic messy pages: cleaning, segmentation and the gate."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsdistill.cli import main
from newsdistill.errors import ExtractionError
from newsdistill.extract import detect_language, extract
from newsdistill.models import Document
from newsdistill.sources import ReadOptions, read

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str):
    return extract(read(str(PAGES / name)))


def test_messy_page_keeps_the_article_and_drops_the_furniture() -> None:
    p = page("messy-article.html")
    assert p.title == "Storm floods lower Brennick as river tops its banks"
    assert p.outlet == "The Harrowgate Courier"
    assert p.published == "2025-03-14T07:45:00Z"
    assert p.byline == "Marta Quillane"
    assert p.dateline == "HARROWGATE, March 14 (Courier)"
    assert p.text.startswith("The River Ebbet burst its banks on Thursday night")
    for junk in (
        "cookies",
        "Accept all",
        "Share Tweet Email",
        "Related",
        "Council votes to review",
        "Advertisement",
        "Morning Briefing",
        "Enter your email",
        "All rights reserved",
        "Photo: Dara Finch",
        "By Marta Quillane",
    ):
        assert junk not in p.text, junk
    # Every paragraph of reporting survives, in order.
    for fact in ("82 millimetres", "By midnight the water", "41 people by boat", "Priya Olawale"):
        assert fact in p.text, fact
    assert p.text.index("82 millimetres") < p.text.index("Priya Olawale")
    assert p.text.endswith("not to drive through flood water.")


def test_appended_unrelated_article_never_reaches_the_text() -> None:
    p = page("appended-article.html")
    assert "Crayford Hill" in p.text and "1,400 signatures" in p.text
    for other in ("Pellan", "Fenwick Rovers", "Lusk", "Corbin Town"):
        assert other not in p.text, other


def test_teaser_appended_to_a_text_file_is_dropped() -> None:
    p = page("teaser-appended.txt")
    assert p.title == "Ferry service to Oldcastle Island resumes after storm repairs"
    assert p.dateline == "OLDCASTLE, April 8"
    assert "Callum Brody" in p.text
    assert "whaling" not in p.text and "Saltmere" not in p.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("paywall-teaser.html", "no article text: a paywall teaser"),
        ("error-404.html", "no article text: the page is an error page"),
        ("german-article.html", "language not supported: the text looks like German"),
        ("section-front.html", "no article text"),
    ],
)
def test_gate_refuses_with_a_reason_naming_the_source(name: str, reason: str) -> None:
    source = str(PAGES / name)
    with pytest.raises(ExtractionError) as info:
        extract(read(source))
    assert info.value.source == source
    assert info.value.reason.startswith(reason)
    assert "\n" not in info.value.reason


def test_short_text_is_refused_with_the_word_count() -> None:
    doc = Document(
        "brief.txt", "Bridge closed\n\nThe Aldergate bridge is closed until noon.", "text"
    )
    with pytest.raises(ExtractionError, match=r"no article text \(only 7 words"):
        extract(doc)


def test_mostly_boilerplate_is_refused() -> None:
    prose = (
        "The council said the library on Marsh Road will open two hours later on weekdays "
        "from July, after a review of visitor numbers found the early hours little used."
    )
    junk = "\n\n".join(["Share this article", "Sign up for our newsletter", "Advertisement"] * 20)
    doc = Document(
        "junk.txt", f"{prose}\n\n{prose} Staff will move to evening shifts.\n\n{junk}", "text"
    )
    with pytest.raises(ExtractionError, match="mostly boilerplate"):
        extract(doc)


def test_language_detection_names_the_language_and_passes_tables() -> None:
    spanish = (
        "El ayuntamiento de la ciudad aprobó el martes un plan para renovar el puerto, que "
        "según el alcalde costará más de diez millones de euros y estará listo en dos años. "
        "Los vecinos del barrio pidieron que las obras se hagan por la noche para que el "
        "tráfico no se vea afectado durante el día."
    )
    assert detect_language(spanish) == "Spanish"
    assert detect_language("列車は午前九時に駅を出発しました。乗客は三百人でした。") == "Japanese"
    english = "The council said the bridge would stay closed until engineers had checked it. " * 3
    assert detect_language(english) == "en"
    # A box score has no language evidence: it is not refused for language.
    assert detect_language("Palm Bay 18 22 13 17 - 70. Tolivert 25 points. Davis 17. " * 5) is None


def test_extract_command_prints_one_json_line_per_source(tmp_path: Path) -> None:
    gz = tmp_path / "messy.html.gz"
    gz.write_bytes(gzip.compress((PAGES / "messy-article.html").read_bytes()))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    sources = [str(gz), str(PAGES / "german-article.html"), str(empty), str(binary)]
    result = CliRunner().invoke(main, ["extract", *sources, "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [r["source"] for r in lines] == sources
    assert lines[0]["title"] == "Storm floods lower Brennick as river tops its banks"
    assert "River Ebbet" in lines[0]["text"] and "error" not in lines[0]
    assert lines[1]["error"].startswith("language not supported")
    assert lines[2]["error"] == "empty file"
    assert lines[3]["error"] == "binary file, not HTML or text"


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(Exception, match="too large"):
        read(str(big), ReadOptions())


_UNDATED = """<html><head><title>Council approves new Sell bridge</title></head><body><article>
<h1>Council approves new Sell bridge</h1>{time}
<p>The Brinmoor town council voted on Tuesday to approve a new road bridge over the River Sell,
ending a debate that began in 1995 over how to replace the old crossing.</p>
<p>Councillors voted 14 to 3 for the plan, which the council says will cost about 38 million
pounds and take three years to build, with a temporary footbridge open meanwhile.</p>
<p>Opponents said the old bridge could have been repaired for less than half of that price,
and that the town had not been told how the extra borrowing would be paid back.</p>
</article></body></html>"""


def test_a_year_in_the_text_is_not_a_publication_date() -> None:
    undated = extract(Document("bridge.html", _UNDATED.format(time=""), "html"))
    assert undated.published is None  # was 1995-01-01, guessed from "began in 1995"
    tag = '\n<time datetime="2026-03-10T09:00:00Z">10 March 2026</time>'
    dated = extract(Document("bridge.html", _UNDATED.format(time=tag), "html"))
    assert dated.published is not None and dated.published.startswith("2026-03-10")
