"""The ``llamacpp`` engine: a local GGUF model run in-process by llama-cpp-python.

No server and no network: ``--engine llamacpp --model PATH.gguf``. llama-cpp-python is an
optional extra (``pip install 'newsdistill[llm]'``); it compiles llama.cpp on install: 10
minutes measured on two busy cores (2026-11-22), then pip caches the wheel.
``CMAKE_ARGS="-DGGML_NATIVE=OFF"`` builds for any x86-64 CPU rather than only the one it was
built on. It is imported only when this engine writes or is checked, so
``newsdistill --help`` stays instant.

The answer is constrained to ``llm.ANSWER_SCHEMA`` by llama.cpp's grammar sampler
(``json_mode = "schema"``), so even a very small model answers in the right shape; whether
what it says is true is the verifier's job. The loaded model is kept for the process, as
loading it costs more than a short story.
"""

from __future__ import annotations

import atexit
import importlib.util
import time
from functools import lru_cache
from pathlib import Path
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
)
from .offline import WriteOptions

INSTALL_HINT = (
    "llama-cpp-python is not installed: pip install 'newsdistill[llm]' "
    "(it builds llama.cpp, 5-10 minutes; "
    'set CMAKE_ARGS="-DGGML_NATIVE=OFF" for a portable build)'
)


def model_path(settings: Settings) -> Path:
    """The GGUF file ``settings.model`` names; ``EngineError`` saying what is wrong."""
    if not settings.model:
        raise EngineError("no model file for the llamacpp engine: give --model PATH.gguf")
    path = Path(settings.model).expanduser()
    if not path.is_file():
        raise EngineError(f"model file not found: {path}")
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise EngineError(f"not a GGUF model file (llama.cpp needs .gguf): {path}")
    return path


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, threads: int | None) -> Any:
    from llama_cpp import Llama

    try:
        llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise EngineError(f"llama.cpp could not load {path}: {exc}") from None
    # Free it before the interpreter tears down the modules its destructor needs.
    atexit.register(llm.close)
    return llm


class LlamaCppChat(ChatBackend):
    """Chat with a GGUF model in this process."""

    def __init__(self, settings: Settings) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise EngineError(INSTALL_HINT)
        self.settings = settings
        self.path = model_path(settings)
        self.llm = _load(str(self.path), settings.context, settings.threads)

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def chat(self, messages: Messages, *, schema: dict[str, Any] | None, max_tokens: int,
             progress: Progress | None) -> str:  # fmt: skip
        kwargs: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature,
            "stream": True,
        }
        if schema is not None and self.settings.json_mode == "schema":
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        elif schema is not None and self.settings.json_mode == "object":
            kwargs["response_format"] = {"type": "json_object"}
        deadline = time.monotonic() + self.settings.timeout
        parts: list[str] = []
        with Ticker(progress, f"llama.cpp {self.path.name}") as ticker:
            stream = self.llm.create_chat_completion(**kwargs)
            try:
                for chunk in stream:
                    delta = chunk["choices"][0].get("delta") or {}
                    piece = delta.get("content") or ""
                    if piece:
                        parts.append(piece)
                        ticker.received += 1
                    if time.monotonic() > deadline:
                        raise TransientError(
                            f"no complete answer within {self.settings.timeout:g} s"
                        )
            finally:
                stream.close()
        return "".join(parts)


@register
class LlamaCppEngine:
    """A local GGUF model through llama.cpp, gated by the verifier."""

    id = "llamacpp"
    description = (
        "a local GGUF model run by llama.cpp in this process (pip install 'newsdistill[llm]')"
    )

    def __init__(
        self, progress: Progress | None = None, verify: Verify | None = None, **settings: Any
    ) -> None:
        self.settings = settings_from({**settings, "engine": self.id}, "llamacpp engine settings")
        self.backend = LlamaCppChat(self.settings)
        self.writer = ModelWriter(self.id, self.backend, self.settings, progress, verify)

    def write(self, articles: list[Article], options: WriteOptions | None = None) -> Story:
        return self.writer.write(articles, options)

    @classmethod
    def available(cls, settings: dict[str, Any]) -> tuple[bool, str]:
        """Whether llama-cpp-python is installed and the model file is a GGUF (not loaded)."""
        if importlib.util.find_spec("llama_cpp") is None:
            return False, "package missing: " + INSTALL_HINT
        try:
            s = settings_from({**settings, "engine": cls.id}, "llamacpp engine settings")
            path = model_path(s)
        except EngineError as exc:
            return False, str(exc)
        return (
            True,
            f"llama-cpp-python installed; model {path} ({path.stat().st_size / 1e6:.0f} MB)",
        )
