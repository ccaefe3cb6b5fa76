"""The `newsdistill check` command, run in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newsdistill.cli import main

PLANTED = Path(__file__).parent / "fixtures" / "planted"
SOURCES = sorted(str(p) for p in PLANTED.glob("*.txt"))


def _run(args: list[str], stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, args, input=stdin)


def test_all_supported_exits_zero_with_json(tmp_path: Path) -> None:
    summary = tmp_path / "s.txt"
    summary.write_text(
        "Rescuers used two cranes to lift the concrete slabs.\nThe bridge was built in 1987.\n"
    )
    r = _run(["check", str(summary), "--sources", *SOURCES, "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [s["verdict"] for s in data["sentences"]] == ["supported", "supported"]
    assert data["sentences"][0]["evidence"][0]["sentence"].startswith("a")
    assert data["discrepancies"]  # the sources disagree on the injured (12 vs 15)


def test_unsupported_sentence_exits_three(tmp_path: Path) -> None:
    summary = tmp_path / "s.md"
    summary.write_text(
        "Two people died in the collapse. Rescuers used two cranes to lift the concrete slabs."
    )
    r = _run(["check", str(summary), "--sources", *SOURCES, "--format", "json"])
    assert r.exit_code == 3
    labels = [s["verdict"] for s in json.loads(r.stdout)["sentences"]]
    assert labels == ["unsupported", "supported"]


def test_stdin_and_table_output() -> None:
    text = (
        "Sure, here is a summary.\n"
        "The collapse forced 60 families in riverside flats to leave their homes overnight.\n"
    )
    r = _run(["check", "-", "--sources", *SOURCES, "--format", "text"], stdin=text)
    assert r.exit_code == 3
    assert "not_news" in r.stdout and "contradicted" in r.stdout
    assert "Reports differ" in r.stdout
    assert "0 of 2 sentences supported." in r.stdout


def test_usage_errors_exit_two() -> None:
    assert _run(["check"]).exit_code == 2
    assert _run(["check", "x.txt"]).exit_code == 2  # no --sources
    assert _run(["check", "x.txt", "--pairs", "p.jsonl"]).exit_code == 2


def test_runtime_errors_exit_one(tmp_path: Path) -> None:
    summary = tmp_path / "s.txt"
    summary.write_text("Something happened.")
    r = _run(["check", str(summary), "--sources", str(tmp_path / "missing.txt")])
    assert r.exit_code == 1
    assert "no usable source" in r.stderr
    r = _run(["check", str(tmp_path / "nope.txt"), "--sources", *SOURCES])
    assert r.exit_code == 1


def test_pairs_form(tmp_path: Path) -> None:
    doc = (
        "The Harlow ferry service will resume on Monday, the operator said. "
        "Drivers accepted a 4 percent pay offer."
    )
    pairs = tmp_path / "p.jsonl"
    pairs.write_text(
        json.dumps({"id": "ok", "doc": doc, "summary": "Drivers accepted a 4 percent pay offer."})
        + "\n"
        + json.dumps(
            {"id": "bad", "doc": doc, "summary": "Drivers rejected a 4 percent pay offer."}
        )
        + "\n"
    )
    r = _run(["check", "--pairs", str(pairs), "--format", "json"])
    assert r.exit_code == 3
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["id"], x["consistent"]) for x in rows] == [("ok", True), ("bad", False)]
    assert all(0.0 <= x["score"] <= 1.0 and x["sentences"] for x in rows)


def test_bad_pairs_line_is_a_runtime_error(tmp_path: Path) -> None:
    pairs = tmp_path / "p.jsonl"
    pairs.write_text('{"id": 1, "doc": "x"}\n')
    r = _run(["check", "--pairs", str(pairs)])
    assert r.exit_code == 1
    assert "line 1" in r.stderr


def test_help_lists_check() -> None:
    r = _run(["--help"])
    assert "check" in r.stdout
