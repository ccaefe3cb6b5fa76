"""Engine settings: defaults < config file < NEWSDISTILL_* environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdistill.config import ConfigError, default_config_path, load_settings, settings_from

CONFIG = """
engine = "openai"
timeout = 120

[openai]
base_url = "http://127.0.0.1:11434/v1/"
model = "from-file"
api_key_env = "MY_KEY"

[llamacpp]
model = "/models/file.gguf"
threads = 2
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    p = tmp_path / "newsdistill.toml"
    p.write_text(CONFIG)
    return p


def test_config_file_gives_engine_and_its_table(config_file: Path) -> None:
    s = load_settings({}, env={}, config=config_file)
    assert s.engine == "openai"
    assert s.base_url == "http://127.0.0.1:11434/v1"  # trailing slash removed
    assert s.model == "from-file"
    assert s.api_key_env == "MY_KEY"
    assert s.timeout == 120.0
    assert s.source_of("model") == f"config file {config_file}"
    assert s.source_of("retries") == "default"


def test_environment_overrides_file_and_flags_override_environment(config_file: Path) -> None:
    env = {"NEWSDISTILL_MODEL": "from-env", "NEWSDISTILL_TIMEOUT": "30", "NEWSDISTILL_RETRIES": "5"}
    s = load_settings({"model": None, "timeout": None}, env=env, config=config_file)
    assert (s.model, s.timeout, s.retries) == ("from-env", 30.0, 5)
    assert s.source_of("model") == "env NEWSDISTILL_MODEL"
    s = load_settings({"model": "from-flag", "timeout": 9.0}, env=env, config=config_file)
    assert (s.model, s.timeout, s.retries) == ("from-flag", 9.0, 5)
    assert s.source_of("model") == "flag --model"


def test_choosing_another_engine_reads_that_engines_table(config_file: Path) -> None:
    s = load_settings({}, env={"NEWSDISTILL_ENGINE": "llamacpp"}, config=config_file)
    assert (s.engine, s.model, s.threads, s.base_url) == ("llamacpp", "/models/file.gguf", 2, None)
    s = load_settings(
        {"engine": "offline"}, env={"NEWSDISTILL_ENGINE": "llamacpp"}, config=config_file
    )
    assert s.engine == "offline" and s.model is None


def test_config_path_from_environment_and_default_folder(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings({}, env={"NEWSDISTILL_CONFIG": str(config_file)}).engine == "openai"
    # The default file lives in the user config folder, which platformdirs takes from
    # XDG_CONFIG_HOME on Linux; absent, it is simply not read.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_config_path() == tmp_path / "xdg" / "newsdistill" / "config.toml"
    assert load_settings({}, env={}).engine == "offline"
    default_config_path().parent.mkdir(parents=True)
    default_config_path().write_text('engine = "llamacpp"\n')
    assert load_settings({}, env={}).engine == "llamacpp"


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings({}, env={}, config=tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('modle = "x"\n', "unknown key 'modle'"),
        ('[openai]\nbase_ulr = "http://x"\n', r"unknown key 'base_ulr' in \[openai\]"),
        ("engine = \n", "not valid TOML"),
        ('timeout = "soon"\n', "timeout must be a number"),
        ("timeout = -1\n", "timeouts must be positive"),
        ('json_mode = "yaml"\n', "json_mode must be one of"),
        ('base_url = "localhost:8080"\n', "must start with http"),
        ('api_key_env = "sk-abc123"\n', "names the environment variable"),
        ("context = 1024\nmax_tokens = 2000\n", "max_tokens < context"),
    ],
)
def test_bad_config_values_name_the_file_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings({}, env={}, config=p)
    assert "\n" not in str(info.value)


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="env NEWSDISTILL_RETRIES: retries must be a number"):
        load_settings({}, env={"NEWSDISTILL_RETRIES": "many"})


def test_engine_kwargs_round_trip_and_unknown_keys_are_refused() -> None:
    s = load_settings(
        {"engine": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m"}, env={}
    )
    again = settings_from({**s.engine_kwargs(), "engine": "openai"})
    assert again == s
    with pytest.raises(ConfigError, match="unknown setting 'temprature'"):
        settings_from({"temprature": 0.3})
