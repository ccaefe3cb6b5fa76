"""A small OpenAI-compatible chat server on 127.0.0.1 whose answers the tests script.

The failures a real model server produces on its own only by chance (404 for a model, a
refused key, garbage, a 500 in the middle of a run) and answers with exactly the sentence a
test needs have to be produced on purpose to be tested every time. Used by the openai
engine's tests and the contradiction model's ``write --nli`` test; the real model, through
a real llama.cpp server, is in test_llm_real.py.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a dict is sent as JSON; a str is streamed as the answer's content
    stream: bool = True


@dataclass
class ChatServer:
    """Answers /v1/chat/completions with the next scripted ``Reply`` (the last one repeats)."""

    replies: list[Reply] = field(default_factory=list)
    models: list[str] = field(default_factory=lambda: ["tiny"])
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    # Answers a request by its content, when set (instead of ``replies``).
    respond: Callable[[dict[str, Any]], Reply] | None = None


@contextlib.contextmanager
def serve_chat() -> Iterator[ChatServer]:
    """Start the server; its ``url`` is the base URL (``.../v1``) for ``--base-url``."""
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": m} for m in state.models]})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            state.headers.append(dict(self.headers))
            if state.respond is not None:
                reply = state.respond(body)
            else:
                reply = state.replies[min(len(state.requests), len(state.replies)) - 1]
            if reply.status == 0:  # hold the request until the test ends: a timeout
                state.hold.wait(30)
                return
            if reply.status != 200 or isinstance(reply.body, dict):
                self._send(reply.status, reply.body)
                return
            if not reply.stream:
                msg = {"choices": [{"message": {"role": "assistant", "content": reply.body}}]}
                self._send(200, msg)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            text = str(reply.body)
            for k in range(0, len(text), 40):
                delta = {"choices": [{"delta": {"content": text[k : k + 40]}, "index": 0}]}
                self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    state.url = f"http://{host}:{port}/v1"
    try:
        yield state
    finally:
        state.hold.set()
        server.shutdown()
        server.server_close()


# The Kestrelford factory fire (tests/fixtures/events/e05-*): a model's answer is built from
# this headline and lede plus what a test needs.
FIRE_HEADLINE = ("Three workers hurt in Kestrelford factory fire", ["a3.s1"])
FIRE_LEDE = (
    "Three workers were taken to hospital after a large fire broke out at the Brennan "
    "Polymers factory in Kestrelford.",
    ["a3.s1"],
)


def story_answer(headline: tuple[str, list[str]], **sections: list[tuple[str, list[str]]]) -> str:
    """A model's story as JSON: the headline and each section's (sentence, cited ids)."""
    return json.dumps(
        {
            "headline": {"text": headline[0], "ids": headline[1]},
            "sections": [
                {"name": name, "sentences": [{"text": t, "ids": ids} for t, ids in sentences]}
                for name, sentences in sections.items()
            ],
        }
    )
