"""The command line as a user runs it: real processes, real files, a real local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Route

EXE = str(Path(sys.executable).parent / "newsdistill")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, input=stdin, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def fire_pages():
    from newsdistill.sampledata import samples_dir

    return [str(p) for p in sorted(samples_dir().glob("a-*.html"))]


def test_help_has_examples():
    for cmd in ([], ["write"], ["demo"], ["extract"]):
        out = run(*cmd, "--help")
        assert out.returncode == 0 and "Example" in out.stdout, cmd


def test_demo_writes_markdown_stories():
    out = run("demo")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n# ") + out.stdout.startswith("# ") == 2
    assert "## Sources" in out.stdout and "[^1.1]:" in out.stdout
    assert "machine-written" in out.stdout
    assert "Calloway Maritime Museum" in out.stdout  # listed as joining no story


def test_markdown_footnotes_match_the_source_list(fire_pages):
    out = run("write", *fire_pages, "--quiet")
    assert out.returncode == 0
    body, sources = out.stdout.split("## Sources")
    import re

    used = set(re.findall(r"\[\^(\d+)\](?!:)", body))
    defined = set(re.findall(r"^\[\^(\d+)\]:", sources, re.M))
    assert used and used <= defined


def test_json_format_is_versioned(fire_pages):
    out = run("write", *fire_pages, "--format", "json", "--words", "200")
    d = json.loads(out.stdout)
    assert d["version"] == 1 and len(d["stories"]) == 1 and d["skipped"] == []
    words = sum(len(s["text"].split()) for s in d["stories"][0]["sentences"])
    assert 140 <= words <= 230


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_source_markup(tmp_path, fire_pages):
    src = Path(fire_pages[0]).read_text()
    evil = src.replace("<title>", "<title><script>alert(1)</script> ", 1)
    evil = evil.replace('og:title" content="', 'og:title" content="&lt;b&gt;Bold&lt;/b&gt; ', 1)
    (tmp_path / "evil.html").write_text(evil)
    out = run("write", str(tmp_path / "evil.html"), *fire_pages[1:], "--format", "html")
    assert out.returncode == 0, out.stderr
    parser = _Collect()
    parser.feed(out.stdout)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert "<script>" not in out.stdout
    assert "main" in parser.tags and "article" in parser.tags


def test_text_format(fire_pages):
    out = run("write", *fire_pages, "--format", "text")
    assert out.returncode == 0 and "Sources:" in out.stdout and "[1]" in out.stdout
    assert "#" not in out.stdout.split("Sources:")[0]


def test_bad_sources_are_skipped_with_reasons(tmp_path, fire_pages):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.html").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "stub.html").write_text("<html><body><p>Page not found.</p></body></html>")
    german = (
        "Die Stadtverwaltung hat am Dienstag mitgeteilt, dass die neue Straßenbahnlinie im "
        "kommenden Jahr gebaut werden soll. Nach Angaben der Behörden wird das Projekt rund "
        "dreihundert Millionen Euro kosten und soll die Innenstadt mit dem Krankenhaus "
        "verbinden. Die Bürgermeisterin sagte, man habe lange über die Finanzierung gestritten, "
        "aber nun sei eine Lösung gefunden worden. Kritiker bemängeln die hohen Kosten und die "
        "lange Bauzeit, die den Geschäften in der Altstadt schaden könnte."
    )
    (tmp_path / "de.txt").write_text("Neue Straßenbahn beschlossen\n\n" + german)
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    bad = [
        str(tmp_path / n)
        for n in ["missing.html", "empty.txt", "bin.html", "stub.html", "de.txt", "big.html"]
    ]
    out = run("write", *bad, *fire_pages, "--format", "json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    reasons = {Path(s["source"]).name: s["reason"] for s in d["skipped"]}
    assert set(reasons) == {
        "missing.html",
        "empty.txt",
        "bin.html",
        "stub.html",
        "de.txt",
        "big.html",
    }
    assert "no such file" in reasons["missing.html"]
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["bin.html"]
    assert "no article text" in reasons["stub.html"]
    assert "language" in reasons["de.txt"]
    assert "too large" in reasons["big.html"]
    assert len(d["stories"]) == 1
    assert "Traceback" not in out.stderr


def test_all_bad_exits_1_with_one_line_error(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    out = run("write", str(tmp_path / "empty.txt"), str(tmp_path / "nope.md"))
    assert out.returncode == 1
    assert out.stdout == ""
    *warnings, error = out.stderr.strip().splitlines()
    assert error.startswith("Error: no usable source")
    assert "empty.txt: empty file" in error and "nope.md: no such file" in error
    assert len(warnings) == 2 and all(w.startswith("warning: skipped ") for w in warnings)
    assert "Traceback" not in out.stderr


def test_usage_errors_exit_2():
    assert run("write").returncode == 2
    assert run("write", "x.html", "--format", "pdf").returncode == 2


def test_stdin_and_a_local_url(site, fire_pages):
    site.routes["/wire.html"] = Route(Path(fire_pages[2]).read_bytes())
    text = Path(fire_pages[0]).read_text()
    out = run(
        "write",
        "-",
        site.url("/wire.html"),
        fire_pages[1],
        "--allow-private",
        "--format",
        "json",
        stdin=text,
    )
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    sources = {a["source"] for s in d["stories"] for a in s["articles"]}
    sources |= {c["source"] for s in d["stories"] for a in s["articles"] for c in a["copies"]}
    assert "-" in sources and site.url("/wire.html") in sources
    assert site.requests == ["/wire.html"]


def test_local_url_refused_without_allow_private(site, fire_pages):
    site.routes["/wire.html"] = Route(Path(fire_pages[2]).read_bytes())
    out = run("write", site.url("/wire.html"), *fire_pages[:2], "--format", "json")
    d = json.loads(out.stdout)
    [skip] = d["skipped"]
    assert skip["source"] == site.url("/wire.html") and "--allow-private" in skip["reason"]
    assert site.requests == []


def test_extract_prints_one_json_line_per_source(tmp_path, fire_pages):
    out = run("extract", fire_pages[0], str(tmp_path / "nope.html"))
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(lines) == 2
    assert lines[0]["outlet"] and lines[0]["title"] and len(lines[0]["text"].split()) > 200
    assert lines[1] == {"source": str(tmp_path / "nope.html"), "error": "no such file or folder"}


def test_query_writes_one_focused_story_from_all_sources(fire_pages):
    out = run("write", *fire_pages, "--query", "What did the company say about the cleanup?",
              "--words", "120", "--format", "json")  # fmt: skip
    d = json.loads(out.stdout)
    assert out.returncode == 0 and len(d["stories"]) == 1
    text = " ".join(s["text"] for s in d["stories"][0]["sentences"]).lower()
    assert "cleanup" in text
