"""Engine settings from a config file, the environment and command-line flags.

Precedence, lowest first: built-in defaults < config file < ``NEWSDISTILL_*`` environment
variables < flags. So a flag always wins, and the config file holds what a user wants most
of the time.

The config file is TOML. It is ``--config PATH`` when given, else ``$NEWSDISTILL_CONFIG``,
else ``config.toml`` in the user config folder (``~/.config/newsdistill/config.toml`` on
Linux); that default file may be absent, a named one may not. Top-level keys apply to every
engine; a table named after an engine overrides them for that engine::

    engine = "openai"
    timeout = 300

    [openai]
    base_url = "http://127.0.0.1:11434/v1"
    model = "qwen2.5:1.5b"
    api_key_env = "OPENAI_API_KEY"   # the *name* of the variable holding the key

    [llamacpp]
    model = "~/models/qwen2.5-1.5b-instruct-q4_k_m.gguf"

Every setting has an environment variable ``NEWSDISTILL_<KEY>`` (``NEWSDISTILL_MODEL``,
``NEWSDISTILL_BASE_URL``, ...). An API key itself is never a setting: settings name the
environment variable that holds it, so a key never appears in a file or a process list.
Unknown keys are rejected with the file and key named, as a typo would otherwise be ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import NewsdistillError

ENV_PREFIX = "NEWSDISTILL_"
CONFIG_ENV = "NEWSDISTILL_CONFIG"
JSON_MODES = ("schema", "object", "none")


class ConfigError(NewsdistillError):
    """A config file, environment variable or flag holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything an engine needs to know; each engine uses the keys that concern it."""

    engine: str = "offline"
    # OpenAI-compatible endpoint, e.g. "http://127.0.0.1:8080/v1" (llama.cpp server).
    base_url: str | None = None
    # A model name for an endpoint, or a path to a .gguf file for llamacpp.
    model: str | None = None
    # Name of the environment variable holding the API key; None sends no key (local servers).
    api_key_env: str | None = None
    # Seconds for one model answer: a 1.5B model on two CPU cores needs about a minute.
    timeout: float = 300.0
    connect_timeout: float = 5.0
    # Further attempts after a failed request or an unusable answer, with backoff.
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    # Tokens the model sees (prompt + answer); prompts are cut to fit.
    context: int = 4096
    max_tokens: int = 900  # longest answer
    temperature: float = 0.2
    threads: int | None = None  # llamacpp: CPU threads (None: llama.cpp decides)
    # How the answer is constrained to JSON: a JSON schema, any JSON object, or by prompt only.
    json_mode: str = "schema"
    # Largest number of selection calls for a cluster too long for one prompt (0: no stages).
    stages: int = 3
    # Where each value came from ("default", "config file PATH", "env NAME", "flag --x").
    origin: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def engine_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for ``write.get_engine(settings.engine, ...)``; ``origin``
        goes along so that an engine's errors can say where a value came from."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "engine"}

    def source_of(self, key: str) -> str:
        return self.origin.get(key, "default")

    def describe(self) -> str:
        """One line naming the engine's endpoint and model, for progress and error messages."""
        parts = [self.engine]
        if self.base_url:
            parts.append(f"at {self.base_url}")
        if self.model:
            parts.append(f"model {self.model}")
        return " ".join(parts)


_KEYS = {f.name: f for f in fields(Settings) if f.name != "origin"}
_OPTIONAL = {"base_url", "model", "api_key_env", "threads"}


def settings_from(values: Mapping[str, Any], where: str = "settings") -> Settings:
    """``Settings`` from a mapping of keys, rejecting unknown keys and bad values.

    Engines call this on the keyword arguments they are given, so a typo in a plugin's or a
    caller's settings fails loudly instead of being ignored.
    """
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if key == "origin":
            out["origin"] = dict(raw)
            continue
        out[key] = _coerce(key, raw, where)
    return _validated(Settings(**out), where)


def default_config_path() -> Path:
    """``config.toml`` in the user config folder (platformdirs decides where)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("newsdistill")) / "config.toml"


def load_settings(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config: str | Path | None = None,
) -> Settings:
    """Resolve settings: defaults < config file < environment < flags.

    ``flags`` holds command-line values, ``None`` meaning "not given". ``config`` is the
    ``--config`` path; without it ``$NEWSDISTILL_CONFIG``, then the default path, is read.
    """
    env = os.environ if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    path, explicit = _config_path(config, env)
    file_values = _read_config(path, explicit) if path else {}
    label = f"config file {path}"

    layers: list[tuple[str, dict[str, Any]]] = []
    top = {k: v for k, v in file_values.items() if not isinstance(v, dict)}
    env_values = {
        key: env[ENV_PREFIX + key.upper()]
        for key in _KEYS
        if env.get(ENV_PREFIX + key.upper(), "") != ""
    }
    engine = str(flags.get("engine") or env_values.get("engine") or top.get("engine") or "offline")
    table = file_values.get(engine, {})
    layers.append((label, {**top, **table}))
    layers.append(("env", env_values))
    layers.append(("flag", dict(flags)))

    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name, values in layers:
        for key, raw in values.items():
            where = name
            if name == "env":
                where = f"env {ENV_PREFIX}{key.upper()}"
            elif name == "flag":
                where = f"flag --{key.replace('_', '-')}"
            merged[key] = _coerce(key, raw, where)
            origin[key] = where
    merged["engine"] = engine
    settings = Settings(**merged, origin=origin)
    return _validated(settings, "settings")


def _config_path(config: str | Path | None, env: Mapping[str, str]) -> tuple[Path | None, bool]:
    if config:
        return Path(config).expanduser(), True
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser(), True
    path = default_config_path()
    return (path, False) if path.is_file() else (None, False)


def _read_config(path: Path, explicit: bool) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if not explicit:
            return {}
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    for key, value in data.items():
        if isinstance(value, dict):
            for sub in value:
                if sub not in _KEYS or sub == "engine":
                    raise ConfigError(
                        f"config file {path}: unknown key {sub!r} in [{key}]; {_known()}"
                    )
        elif key not in _KEYS:
            raise ConfigError(f"config file {path}: unknown key {key!r}; {_known()}")
    return data


def _known() -> str:
    return "known keys: " + ", ".join(sorted(_KEYS))


def _coerce(key: str, raw: Any, where: str) -> Any:
    """The value of ``key`` in its declared type; strings from the environment are parsed."""
    if key not in _KEYS:
        raise ConfigError(f"{where}: unknown setting {key!r}; {_known()}")
    default = _KEYS[key].default
    if raw is None:
        if key in _OPTIONAL:
            return None
        raise ConfigError(f"{where}: {key} needs a value")
    if isinstance(raw, str) and raw.strip().lower() in ("", "none") and key in _OPTIONAL:
        return None
    kind = int if key == "threads" else type(default)
    try:
        if kind is float:
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
        if kind is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be a number, not {raw!r}") from None
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: {key} must be a string, not {raw!r}")
    return raw.strip()


def _validated(s: Settings, where: str) -> Settings:
    if s.timeout <= 0 or s.connect_timeout <= 0:
        raise ConfigError(f"{where}: timeouts must be positive seconds")
    if s.retries < 0 or s.stages < 0 or s.backoff < 0:
        raise ConfigError(f"{where}: retries, stages and backoff cannot be negative")
    if s.context < 512 or not 16 <= s.max_tokens < s.context:
        raise ConfigError(f"{where}: need context >= 512 and 16 <= max_tokens < context")
    if not 0.0 <= s.temperature <= 2.0:
        raise ConfigError(f"{where}: temperature must be between 0 and 2")
    if s.threads is not None and s.threads < 1:
        raise ConfigError(f"{where}: threads must be at least 1")
    if s.json_mode not in JSON_MODES:
        raise ConfigError(f"{where}: json_mode must be one of {', '.join(JSON_MODES)}")
    if s.base_url and not s.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: base_url must start with http:// or https://, not {s.base_url!r}"
        )
    if s.api_key_env and s.api_key_env.startswith(("sk-", "Bearer ")):
        # The value looks like a key: refuse it rather than leave it in a file or history.
        raise ConfigError(
            f"{where}: api_key_env names the environment variable that holds the key "
            "(e.g. OPENAI_API_KEY), not the key itself"
        )
    if s.base_url:
        s = replace(s, base_url=s.base_url.rstrip("/"))
    return s
