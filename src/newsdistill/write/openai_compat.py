"""The ``openai`` engine: any OpenAI-compatible chat completions endpoint.

Ollama (``http://127.0.0.1:11434/v1``), the llama.cpp server (``http://127.0.0.1:8080/v1``),
vLLM, LM Studio and hosted APIs all speak it. Prompting, answer parsing and the verifier's
gate are shared with every model engine (``write.llm``); this module only sends messages
and turns HTTP failures into errors a user can act on:

- no server at the URL, an unknown model, a missing or refused key -> ``EngineError``
  (one line, says what to do; the run stops, as every story would fail the same way);
- a timeout, HTTP 429 or 5xx, a connection dropped mid-answer -> ``TransientError``
  (retried with backoff; after the last retry the story falls back to the offline engine);
- a server that rejects structured output (``response_format``) -> asked again with a
  looser JSON mode, remembered for the rest of the run.

The answer is streamed, so a long answer on a slow CPU never hits the read timeout as
long as tokens keep coming, and progress can count them. The API key is read from the
environment variable that ``api_key_env`` names; it is never a setting or a flag.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from typing import Any

from ..config import Settings, settings_from
from ..models import Article, Story
from . import register
from .llm import (
    ChatBackend,
    EngineError,
    Messages,
    ModelWriter,
    Progress,
    Ticker,
    TransientError,
    Verify,
    estimate_tokens,
)
from .offline import WriteOptions

# How the answer is constrained, strictest first. Servers differ: OpenAI, vLLM, Ollama and the
# llama.cpp server take "json_schema"; llama-cpp-python's server takes only "json_object",
# with an optional "schema". A server that rejects one form is asked with the next.
_FORMATS = ("json_schema", "json_object+schema", "json_object", "none")
_FIRST_FORMAT = {"schema": 0, "object": 2, "none": 3}
# The form each endpoint accepted, so a downgrade is made once per run, not once per story
# (the pipeline makes an engine per story).
_ACCEPTED: dict[str, int] = {}


def _message(body: str) -> str:
    """The server's own error message from an OpenAI-style error body, on one line."""
    try:
        data = json.loads(body)
    except ValueError:
        return " ".join(body.split())[:200]
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, dict):
        msg = err.get("message") or err.get("detail") or json.dumps(err)
    else:
        msg = str(err)
    return " ".join(str(msg).split())[:200]


def api_key(settings: Settings) -> str | None:
    """The key from the environment variable ``settings.api_key_env`` names; ``EngineError``
    saying which variable to set when it is empty."""
    name = settings.api_key_env
    if not name:
        return None
    key = os.environ.get(name, "").strip()
    if not key:
        raise EngineError(
            f"missing API key: set the environment variable {name} "
            f"(named by api_key_env, from {settings.source_of('api_key_env')})"
        )
    return key


class OpenAIChat(ChatBackend):
    """Chat completions over HTTP with httpx: timeouts, error mapping, streaming."""

    def __init__(self, settings: Settings) -> None:
        import httpx

        if not settings.base_url:
            raise EngineError(
                "no endpoint for the openai engine: give --base-url "
                "(e.g. http://127.0.0.1:11434/v1 for Ollama) or set base_url in the config file"
            )
        self.settings = settings
        self.base_url = settings.base_url
        headers = {"Accept": "application/json"}
        key = api_key(settings)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.headers = headers
        self.timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self.model = settings.model or self._only_model()
        self.format = _ACCEPTED.get(
            f"{self.base_url} {self.model}", _FIRST_FORMAT[settings.json_mode]
        )

    def _client(self) -> Any:
        """A client for one exchange: a story is one or a few long requests, so pooling
        saves nothing, and nothing is left open between stories."""
        import httpx

        return httpx.Client(headers=self.headers, timeout=self.timeout, trust_env=False)

    def _fatal_transport(self, exc: Exception) -> EngineError:
        reason = type(exc).__name__
        cause = str(exc).split("] ")[-1].strip() or reason
        return EngineError(
            f"no server at {self.base_url} ({cause}); start the server or fix --base-url"
        )

    def models(self) -> list[str]:
        """The model ids the endpoint lists (``GET /models``)."""
        import httpx

        try:
            with self._client() as client:
                r = client.get(f"{self.base_url}/models", timeout=self.settings.connect_timeout + 5)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._fatal_transport(exc) from None
        except httpx.HTTPError as exc:
            raise EngineError(f"{self.base_url}/models failed: {exc}") from None
        self._raise_for(r.status_code, r.text, "")
        try:
            data = r.json().get("data", [])
            return [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]
        except (ValueError, AttributeError):
            raise EngineError(f"{self.base_url}/models did not answer with a model list") from None

    def _only_model(self) -> str:
        served = self.models()
        if len(served) == 1:
            return served[0]
        listed = ", ".join(served[:10]) or "none"
        raise EngineError(f"no model given: choose one with --model (the server lists: {listed})")

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def _raise_for(self, status: int, body: str, model: str) -> None:
        if status < 400:
            return
        msg = _message(body)
        low = msg.lower()
        if status in (401, 403):
            if self.settings.api_key_env:
                raise EngineError(
                    f"{self.base_url} refused the API key in {self.settings.api_key_env} "
                    f"(HTTP {status}: {msg})"
                )
            raise EngineError(
                f"{self.base_url} wants an API key (HTTP {status}); put it in an environment "
                "variable and name that variable with api_key_env (e.g. "
                "NEWSDISTILL_API_KEY_ENV=OPENAI_API_KEY)"
            )
        if (
            model
            and status in (400, 404)
            and "model" in low
            and (status == 404 or "not found" in low or "does not exist" in low or "unknown" in low)
        ):
            raise EngineError(f"unknown model {model!r} at {self.base_url}: {msg}")
        if status == 400 and ("context" in low or "too long" in low or "exceed" in low):
            raise EngineError(
                f"the prompt does not fit the model's context at {self.base_url} ({msg}); "
                "set context to the server's window, e.g. NEWSDISTILL_CONTEXT=2048"
            )
        if status == 404:
            raise EngineError(
                f"no chat completions endpoint at {self.base_url}/chat/completions (HTTP 404); "
                "the base URL usually ends in /v1"
            )
        if status == 429 or status >= 500:
            raise TransientError(f"HTTP {status} from {self.base_url}: {msg}")
        raise EngineError(f"{self.base_url} answered HTTP {status}: {msg}")

    def _response_format(self, schema: dict[str, Any] | None) -> dict[str, Any] | None:
        form = _FORMATS[self.format]
        if schema is None or form == "none":
            return None
        if form == "json_object":
            return {"type": "json_object"}
        if form == "json_object+schema":
            return {"type": "json_object", "schema": schema}
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        }

    def _rejects_format(self, status: int, body: str) -> bool:
        # llama-cpp-python's server answers a request it cannot validate with HTTP 500.
        low = body.lower()
        return status in (400, 422, 500) and any(
            w in low for w in ("response_format", "json_schema", "grammar", "schema")
        )

    def chat(self, messages: Messages, *, schema: dict[str, Any] | None, max_tokens: int,
             progress: Progress | None) -> str:  # fmt: skip
        """The answer's text; a structured-output request the server rejects is sent again
        with the next looser JSON mode."""
        while True:
            fmt = self._response_format(schema)
            status, text = self._post(messages, fmt, max_tokens, progress)
            if status == 200:
                return text
            if fmt is not None and self._rejects_format(status, text):
                self.format += 1
                _ACCEPTED[f"{self.base_url} {self.model}"] = self.format
                if progress:
                    progress(
                        f"{self.base_url} rejects {fmt['type']}; using {_FORMATS[self.format]}"
                    )
                continue
            self._raise_for(status, text, self.model)
            raise EngineError(f"{self.base_url} answered HTTP {status}")

    def _post(
        self,
        messages: Messages,
        fmt: dict[str, Any] | None,
        max_tokens: int,
        progress: Progress | None,
    ) -> tuple[int, str]:
        """(status, answer text) for 200, (status, error body) otherwise."""
        import httpx

        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature,
            "stream": True,
        }
        if fmt is not None:
            body["response_format"] = fmt
        url = f"{self.base_url}/chat/completions"
        deadline = time.monotonic() + self.settings.timeout
        label = f"{self.base_url} model {self.model}"
        try:
            with (
                Ticker(progress, label) as ticker,
                self._client() as client,
                client.stream("POST", url, json=body) as r,
            ):
                if r.status_code != 200:
                    r.read()
                    return r.status_code, r.text
                if "text/event-stream" not in r.headers.get("content-type", ""):
                    r.read()
                    return 200, _whole_answer(r.text)
                parts: list[str] = []
                for line in r.iter_lines():
                    if time.monotonic() > deadline:
                        raise TransientError(
                            f"no complete answer within {self.settings.timeout:g} s"
                        )
                    piece = _stream_piece(line)
                    if piece is None:
                        break
                    if piece:
                        parts.append(piece)
                        ticker.received += 1
                return 200, "".join(parts)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._fatal_transport(exc) from None
        except httpx.TimeoutException:
            raise TransientError(f"no answer within {self.settings.timeout:g} s") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise TransientError(f"the connection broke mid-answer ({exc})") from None


def _whole_answer(body: str) -> str:
    try:
        data = json.loads(body)
        return str(data["choices"][0]["message"].get("content") or "")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return body


def _stream_piece(line: str) -> str | None:
    """The text in one server-sent event line; ``None`` at the end of the stream."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
    except ValueError:
        return ""
    if isinstance(event, dict) and "error" in event:
        raise TransientError(f"the server stopped with an error: {_message(data)}")
    try:
        choice = event["choices"][0]
    except (KeyError, IndexError, TypeError):
        return ""
    delta = choice.get("delta") or choice.get("message") or {}
    return str(delta.get("content") or "")


@register
class OpenAIEngine:
    """A model behind an OpenAI-compatible endpoint, gated by the verifier."""

    id = "openai"
    description = (
        "any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, LM Studio, "
        "hosted APIs)"
    )

    def __init__(
        self, progress: Progress | None = None, verify: Verify | None = None, **settings: Any
    ) -> None:
        self.settings = settings_from({**settings, "engine": self.id}, "openai engine settings")
        self.backend = OpenAIChat(self.settings)
        self.settings = replace(self.settings, model=self.backend.model)
        self.writer = ModelWriter(self.id, self.backend, self.settings, progress, verify)

    def write(self, articles: list[Article], options: WriteOptions | None = None) -> Story:
        return self.writer.write(articles, options)

    @classmethod
    def available(cls, settings: dict[str, Any]) -> tuple[bool, str]:
        """Whether the endpoint answers and serves the model; the reason, either way."""
        import importlib.util

        if importlib.util.find_spec("httpx") is None:
            return False, "package missing: pip install httpx"
        try:
            s = settings_from({**settings, "engine": cls.id}, "openai engine settings")
            backend = OpenAIChat(s)
            served = backend.models()
        except EngineError as exc:
            return False, str(exc)
        if s.model and served and s.model not in served:
            # llama.cpp's server answers for any model name; others refuse unknown ones.
            listed = ", ".join(served[:5])
            return True, f"{s.base_url} is up; it does not list model {s.model!r} (lists: {listed})"
        return True, f"{s.base_url} is up, model {backend.model}"
