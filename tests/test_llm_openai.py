"""The openai engine's HTTP side against real local servers on 127.0.0.1.

``chat_server.ChatServer`` answers with scripted errors and answers (the failures a real
model server produces only by chance have to be produced on purpose to be tested every
time). The real model, through a real llama.cpp server, is in test_llm_real.py.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsdistill.cli import main
from newsdistill.models import Article
from newsdistill.pipeline import Options, load_pages, make_articles
from newsdistill.write.llm import EngineError
from newsdistill.write.openai_compat import OpenAIEngine

from .chat_server import FIRE_HEADLINE, FIRE_LEDE, ChatServer, Reply, serve_chat, story_answer

EVENTS = Path(__file__).parent / "fixtures" / "events"


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    with serve_chat() as server:
        yield server


@pytest.fixture(scope="module")
def fire() -> list[Article]:
    pages, _ = load_pages(sorted(str(p) for p in EVENTS.glob("e05-*.txt")), Options())
    return make_articles(pages)


def engine(chat: ChatServer, **settings: Any) -> OpenAIEngine:
    messages: list[str] = []
    e = OpenAIEngine(
        progress=messages.append,
        base_url=chat.url,
        model=settings.pop("model", "tiny"),
        backoff=0.01,
        **settings,
    )
    e.messages = messages  # type: ignore[attr-defined]
    return e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


GOOD = story_answer(
    FIRE_HEADLINE,
    lede=[FIRE_LEDE],
    investigation=[("The company's chief executive was arrested on Friday.", [])],
)


def test_no_server_at_the_url_is_a_one_line_error(fire: list[Article]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EngineError) as info:
        OpenAIEngine(base_url=url, model="tiny").write(fire)
    msg = str(info.value)
    assert msg.startswith(f"no server at {url}") and "--base-url" in msg and "\n" not in msg


def test_unknown_model_is_named(chat: ChatServer, fire: list[Article]) -> None:
    chat.replies = [
        Reply(404, {"error": {"message": 'model "qwen9" not found, try pulling it first'}})
    ]
    with pytest.raises(EngineError) as info:
        engine(chat, model="qwen9").write(fire)
    assert str(info.value) == (
        f"unknown model 'qwen9' at {chat.url}: model \"qwen9\" not found, try pulling it first"
    )
    assert len(chat.requests) == 1  # not retried: it cannot get better


def test_missing_key_says_which_variable_to_set(
    chat: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ND_TEST_KEY", raising=False)
    with pytest.raises(EngineError) as info:
        engine(chat, api_key_env="ND_TEST_KEY")
    assert "set the environment variable ND_TEST_KEY" in str(info.value)
    assert chat.requests == []


def test_key_is_sent_from_the_named_variable_and_a_refusal_is_explained(
    chat: ChatServer, fire: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ND_TEST_KEY", "secret-123")
    chat.replies = [Reply(401, {"error": {"message": "Incorrect API key provided"}})]
    with pytest.raises(EngineError, match="refused the API key in ND_TEST_KEY"):
        engine(chat, api_key_env="ND_TEST_KEY").write(fire)
    assert chat.headers[0]["Authorization"] == "Bearer secret-123"


def test_a_good_answer_is_gated_and_recorded(chat: ChatServer, fire: list[Article]) -> None:
    chat.replies = [Reply(200, GOOD)]
    e = engine(chat)
    story = e.write(fire)
    assert story.engine == "openai"
    texts = [s.text for s in story.sentences]
    assert texts[0].startswith("Three workers were taken to hospital")
    assert all(
        s.verdict and s.verdict.label == "supported" and s.citations for s in story.sentences
    )
    [arrest] = [d for d in story.dropped if "arrested" in d.text]
    assert arrest.reason.startswith("unsupported")
    assert any("the verifier published 2 of the 3 sentences it wrote" in n for n in story.notes)
    [request] = chat.requests
    assert request["model"] == "tiny" and request["stream"] is True
    assert request["response_format"]["type"] == "json_schema"
    assert "[a3.s1]" in request["messages"][1]["content"]
    assert any("model sentences" in m or "sentences it wrote" in m for m in e.messages)  # type: ignore[attr-defined]


def test_garbage_answer_is_retried_then_the_offline_story_is_published(
    chat: ChatServer, fire: list[Article]
) -> None:
    chat.replies = [Reply(200, "I'm sorry, I can only talk about cooking.")]
    e = engine(chat, retries=1)
    story = e.write(fire)
    assert story.engine == "offline"
    [note] = [n for n in story.notes if n.startswith("fallback:")]
    assert "nothing usable after 2 attempts" in note
    assert "offline engine's story is published" in note
    [raw] = [d for d in story.dropped if d.section == "engine"]
    assert raw.text == "I'm sorry, I can only talk about cooking."
    assert story.sentences and all(
        s.verdict and s.verdict.label == "supported" for s in story.sentences
    )
    # The retry told the model what was wrong.
    assert len(chat.requests) == 2
    assert "could not be used" in chat.requests[1]["messages"][-1]["content"]
    assert any(m.startswith("warning: fallback:") for m in e.messages)  # type: ignore[attr-defined]


def test_server_errors_are_retried_with_backoff(chat: ChatServer, fire: list[Article]) -> None:
    chat.replies = [Reply(503, {"error": {"message": "loading model"}}), Reply(200, GOOD)]
    e = engine(chat, retries=2)
    story = e.write(fire)
    assert story.engine == "openai" and len(chat.requests) == 2
    assert any("HTTP 503" in m and "retrying" in m for m in e.messages)  # type: ignore[attr-defined]


def test_a_timeout_falls_back_to_offline(chat: ChatServer, fire: list[Article]) -> None:
    chat.replies = [Reply(0)]
    story = engine(chat, retries=0, timeout=0.5).write(fire)
    assert story.engine == "offline"
    assert any("no answer within 0.5 s" in n for n in story.notes)


def test_rejected_structured_output_falls_back_to_json_object(
    chat: ChatServer, fire: list[Article]
) -> None:
    chat.replies = [
        Reply(400, {"error": {"message": "response_format type json_schema is not supported"}}),
        Reply(200, GOOD, stream=False),
    ]
    story = engine(chat).write(fire)
    assert story.engine == "openai"
    assert [r["response_format"]["type"] for r in chat.requests] == ["json_schema", "json_object"]
    assert "schema" in chat.requests[1]["response_format"]


def test_model_is_taken_from_the_server_when_it_serves_only_one(chat: ChatServer) -> None:
    e = OpenAIEngine(base_url=chat.url)
    assert e.backend.model == "tiny"
    chat.models = ["a", "b"]
    with pytest.raises(EngineError, match=r"choose one with --model \(the server lists: a, b\)"):
        OpenAIEngine(base_url=chat.url)


def test_engines_command_reports_what_can_run(chat: ChatServer) -> None:
    runner = CliRunner()
    env = {"NEWSDISTILL_CONFIG": "", "XDG_CONFIG_HOME": "/nonexistent"}
    ok = runner.invoke(main, ["engines", "--engine", "openai", "--base-url", chat.url], env=env)
    assert ok.exit_code == 0, ok.output
    [line] = [x for x in ok.output.splitlines() if x.startswith("* openai")]
    assert f"available   {chat.url} is up, model tiny" in line
    down = f"http://127.0.0.1:{free_port()}/v1"
    bad = runner.invoke(
        main, ["engines", "--engine", "openai", "--base-url", down, "--json"], env=env
    )
    assert bad.exit_code == 1
    records = [json.loads(x) for x in bad.output.splitlines() if x.startswith("{")]
    [openai] = [r for r in records if r["engine"] == "openai"]
    assert openai["selected"] and not openai["available"]
    assert openai["reason"].startswith(f"no server at {down}")
    assert {r["engine"] for r in records} >= {"offline", "openai", "llamacpp"}


def shown_ids(request: dict[str, Any]) -> list[str]:
    return re.findall(r"^\[(a\d+\.s\d+)\]", request["messages"][-1]["content"], re.M)


def test_a_cluster_too_long_for_the_context_is_done_in_stages(
    chat: ChatServer, fire: list[Article]
) -> None:
    picked: list[str] = []

    def respond(body: dict[str, Any]) -> Reply:
        if "choosing which source sentences" in body["messages"][0]["content"]:
            last = shown_ids(body)[-1]  # the model's pick: the last sentence of each chunk
            picked.append(last)
            return Reply(200, json.dumps({"ids": [last, "a99.s1"]}))
        return Reply(200, GOOD)

    chat.respond = respond
    small = {"context": 1024, "max_tokens": 200}
    story = engine(chat, stages=3, **small).write(fire)
    assert story.engine == "openai"
    *stages, final = chat.requests
    assert len(stages) == len(picked) >= 2
    everything = {s.id for a in fire for s in a.sentences}
    assert set(shown_ids(final)) < everything  # a part: the whole does not fit
    assert set(picked) <= set(shown_ids(final))

    chat.requests.clear()
    engine(chat, stages=0, **small).write(fire)
    [unstaged] = chat.requests
    assert set(picked) - set(shown_ids(unstaged)), "the model's picks changed what it was shown"


def test_a_prompt_longer_than_the_servers_context_says_what_to_set(
    chat: ChatServer, fire: list[Article]
) -> None:
    too_long = "This model's maximum context length is 2048 tokens. However, you requested 4100"
    chat.replies = [Reply(400, {"error": {"message": too_long, "code": "context_length_exceeded"}})]
    with pytest.raises(EngineError, match="does not fit the model's context .*NEWSDISTILL_CONTEXT"):
        engine(chat).write(fire)
