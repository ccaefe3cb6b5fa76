"""Story writers (engines) and their registry.

An engine is a small class with an ``id``, a ``description``, an ``available()`` check that
says why it cannot run (package missing, endpoint down, no key), and one method,
``write(articles, options) -> Story``. Built-in engines register exactly like third-party
ones: ``register(MyEngine)``. Whatever engine writes, the pipeline sends its story through
the verifier before anything is published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from ..errors import NewsdistillError
from ..models import Article, Story


class Engine(Protocol):
    id: ClassVar[str]
    description: ClassVar[str]

    def write(self, articles: list[Article], options: Any) -> Story:
        """Write one story about one event from its articles."""
        ...

    @classmethod
    def available(cls, settings: dict[str, Any]) -> tuple[bool, str]:
        """Whether the engine can run with these settings, and why not."""
        ...


EngineFactory = Callable[[dict[str, Any]], Engine]
_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Register an engine class under its ``id`` (usable as a decorator)."""
    _REGISTRY[cls.id] = cls  # type: ignore[attr-defined]
    return cls


def _load_builtins() -> None:
    # Each module registers its engine; heavy imports (httpx, llama_cpp) stay inside them.
    from . import llamacpp, offline, openai_compat  # noqa: F401


def engine_ids() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def engine_class(name: str) -> type | None:
    """The class registered under ``name``; None when there is none."""
    _load_builtins()
    return _REGISTRY.get(name)


def get_engine(name: str, settings: dict[str, Any] | None = None) -> Engine:
    """An engine instance; ``NewsdistillError`` naming the choices when ``name`` is unknown."""
    cls = engine_class(name)
    if cls is None:
        raise NewsdistillError(f"unknown engine {name!r}; choose one of: {', '.join(engine_ids())}")
    return cls(**(settings or {}))  # type: ignore[no-any-return]
